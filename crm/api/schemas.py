"""Request and response models of the HTTP API (the OpenAPI document is generated from these).

The base models (``In``, ``Out``, ``ErrorOut``) are the kernel's (``kernel.http.models``), the case store's field
types in ``crm.api.fields``; the identity checks' models in ``crm.api.schemas_identity`` and agents' tool uses in
``crm.api.schemas_tools`` (re-exported here)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from crm.access.model import Purpose, Scope
from crm.api.fields import CaseNumber, Phone, ResidentNumber
from crm.api.schemas_identity import AttestationIn as AttestationIn
from crm.api.schemas_identity import AttestationOut as AttestationOut
from crm.api.schemas_identity import CodeSentOut as CodeSentOut
from crm.api.schemas_identity import SendCodeIn as SendCodeIn
from crm.api.schemas_identity import VerifyIn as VerifyIn
from crm.api.schemas_tools import ToolUseOut as ToolUseOut
from crm.cases.model import CallbackStatus, Channel, Disposition, EventKind
from crm.cases.status import CaseStatus
from crm.citizens.model import Sex
from kernel.actor import Role
from kernel.http.models import ErrorOut as ErrorOut
from kernel.http.models import Id, Version, integral
from kernel.http.models import In as In
from kernel.http.models import Out as Out


# -- auth ------------------------------------------------------------------------------------
class LoginIn(In):
    login: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class AgentOut(Out):
    id: int
    login: str
    display_name: str
    center_code: str
    role: Role
    skills: dict[str, int]
    active: bool


class LoginOut(Out):
    token: str
    expires_at: dt.datetime
    agent: AgentOut


class HealthOut(Out):
    status: Literal["ok", "degraded"]
    database: Literal["ok", "unavailable"]
    schema_revision: str | None


class TranscriptionBacklogOut(Out):
    """The post-call transcription queue: jobs by state, and how long the oldest pending one has waited."""

    pending: int
    running: int
    done: int
    skipped: int
    failed: int
    oldest_pending_s: float | None


# -- centers ---------------------------------------------------------------------------------
class CenterOut(Out):
    code: str
    name: str
    institution: str
    public_number: str
    hours: str
    service_level: str
    region: str | None
    area_codes: list[str]
    overflow_partners: list[str]
    active: bool
    demo: bool
    open_now: bool


class CenterList(Out):
    centers: list[CenterOut]


class AgentList(Out):
    agents: list[AgentOut]


# -- citizens --------------------------------------------------------------------------------
class CitizenIn(In):
    """A 주민등록번호 carries the birth year: give ``birth_year`` only for a citizen registered without one."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"properties": {"resident_number": {"type": "null"}}},
                {"properties": {"birth_year": {"type": "null"}}},
            ]
        }
    )

    interaction_id: Id | None = Field(
        None, description="the contact whose caller this is (required for agents and supervisors: else 403)"
    )
    name: str | None = Field(None, max_length=100)
    phones: list[Phone] = Field(default_factory=list, max_length=10)
    resident_number: ResidentNumber | None = Field(None, description="주민등록번호; stored only hashed and masked")
    birth_year: Annotated[int, Field(ge=1870, le=2100), BeforeValidator(integral)] | None = None
    sex: Sex | None = None
    region_sido: str | None = Field(None, max_length=40)
    region_sigungu: str | None = Field(None, max_length=40)

    @model_validator(mode="after")
    def _birth_year_from_one_source(self) -> CitizenIn:
        if self.resident_number is not None and self.birth_year is not None:
            raise ValueError("birth_year comes from the 주민등록번호: give one or the other")
        return self


class ConsentIn(In):
    recording: bool | None = None
    eligibility_check: bool | None = None


class AccessOut(Out):
    purpose: Purpose
    scope: Scope
    interaction_id: int | None


class ContactOut(Out):
    id: int
    case_number: str | None
    channel: Channel
    center_code: str
    detail: Literal["full", "summary"]
    started_at: dt.datetime
    ended_at: dt.datetime | None
    disposition: Disposition | None
    wrap_up_code: str | None = None  # not personal data: shown in every detail
    wrap_up_label: str | None = None
    agent_id: int | None = None
    queued_at: dt.datetime | None = None
    answered_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    wait_seconds: int | None = None
    talk_seconds: int | None = None
    wrapup_seconds: int | None = None
    notes: str | None = None
    transcript: str | None = None
    recording_ref: str | None = None
    sip_call_id: str | None = None
    caller_masked: str | None = None
    verified_method: str | None = None
    verified_at: dt.datetime | None = None


class CaseSummaryOut(Out):
    number: str
    status: CaseStatus
    owner_center: str
    origin_channel: Channel
    category: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    detail: Literal["full", "summary"]
    summary: str | None = None
    owner_agent_id: int | None = None
    due_at: dt.datetime | None = None
    merged_into: str | None = None
    version: int | None = None


class CitizenOut(Out):
    id: int
    name: str | None
    resident_number_masked: str | None
    birth_year: int | None
    sex: Sex | None
    region_sido: str | None
    region_sigungu: str | None
    phones: list[str] = Field(description="masked")
    consent_recording_at: dt.datetime | None
    consent_eligibility_at: dt.datetime | None
    identity_verified: bool
    access: AccessOut
    cases: list[CaseSummaryOut]
    contacts: list[ContactOut]
    hidden_contacts: int = Field(description="contacts at other centers not shown under this access scope")


class CitizenCreatedOut(Out):
    id: int
    resident_number_masked: str | None
    phones: list[str]


class ScreenPopOut(Out):
    phone: str = Field(description="the number looked up, masked")
    citizens: list[CitizenOut]


# -- interactions ----------------------------------------------------------------------------
class InteractionStartIn(In):
    """A contact the system knows of outside calls: name exactly one source. Calls and callbacks are
    started by telephony, with the caller's number from the SIP signalling, never by a client."""

    # Exactly one source, as the route's handler checks it (422 validation-failed).
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["attestation_id"], "properties": {"attestation_id": {"type": "integer"}}},
                {"required": ["sinmungo_id"], "properties": {"sinmungo_id": {"type": "string"}}},
            ]
        }
    )

    attestation_id: Id | None = Field(None, description="a supervisor's attestation for you (walk-in, outbound duty)")
    sinmungo_id: str | None = Field(
        None, min_length=1, max_length=64, description="a 신문고 complaint assigned to your center"
    )


class InteractionOut(Out):
    id: int
    channel: Channel
    center_code: str
    citizen_id: int | None
    case_id: int | None
    agent_id: int | None
    started_at: dt.datetime
    ended_at: dt.datetime | None
    completed_at: dt.datetime | None
    disposition: Disposition | None
    wrap_up_code: str | None = None
    wrap_up_label: str | None = None
    sip_call_id: str | None
    identity_verified: bool
    verified_method: str | None
    verified_at: dt.datetime | None


class OfferOut(Out):
    number: str
    status: CaseStatus
    owner_center: str
    category: str | None
    updated_at: dt.datetime


class InteractionStartedOut(Out):
    interaction: InteractionOut
    citizen_candidates: list[int]
    continuable_cases: list[OfferOut] = Field(description="이전 상담 이어서 하기: active cases of the last N days")


class AssignCitizenIn(In):
    citizen_id: Id


class EndIn(In):
    disposition: Disposition
    dropped: bool = False
    talk_seconds: Annotated[int, Field(ge=0, le=86400), BeforeValidator(integral)] | None = None


class CallbackOut(Out):
    id: int
    case_id: int
    center_code: str
    due_at: dt.datetime
    reason: str
    status: CallbackStatus
    attempts: int
    window_end: dt.datetime | None = None  # an agent-scheduled callback: due_at is its window's start
    number: Literal["calling", "on-file"] | None = None  # which number, never the digits


class EndedOut(Out):
    interaction: InteractionOut
    callback: CallbackOut | None


class WrapUpIn(In):
    notes: str | None = Field(None, max_length=20000)
    disposition: Disposition | None = None
    # One of the contact's center's codes (GET /api/v1/wrap-up-codes); required for a call of a center.
    wrap_up_code: str | None = Field(None, min_length=1, max_length=30)


class ContinueIn(In):
    case_number: CaseNumber


# -- cases -----------------------------------------------------------------------------------
class CaseIn(In):
    citizen_id: Id
    center_code: str | None = Field(None, max_length=20, description="default: the agent's center")
    channel: Channel = Channel.INBOUND_CALL
    category: str | None = Field(None, max_length=100)
    summary: str = Field("", max_length=4000)
    interaction_id: Id | None = Field(None, description="the contact you serve (required but for admins: else 403)")


class CaseOut(Out):
    id: int
    number: str
    citizen_id: int
    status: CaseStatus
    origin_channel: Channel
    owner_center: str
    owner_agent_id: int | None
    category: str | None
    suggested_category: str | None
    summary: str
    due_at: dt.datetime | None
    merged_into: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class HandoffOut(Out):
    id: int
    from_center: str
    from_agent_id: int | None
    to_center: str
    to_queue: str | None
    to_agent_id: int | None
    reason: str
    summary: str
    created_at: dt.datetime
    accepted_at: dt.datetime | None
    accepted_by: int | None


class EventOut(Out):
    id: int
    at: dt.datetime
    kind: EventKind
    actor: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class ComplaintOut(Out):
    sinmungo_id: str
    received_at: dt.datetime
    title: str
    citizen_id: int | None
    case_number: str | None = None
    id: int | None = None  # the inbox's id (GET /api/v1/complaints/{id})
    status: str | None = None
    due_at: dt.datetime | None = None


class CaseDetailOut(Out):
    case: CaseOut
    access: AccessOut
    contacts: list[ContactOut]
    handoffs: list[HandoffOut]
    events: list[EventOut]
    callbacks: list[CallbackOut]
    complaints: list[ComplaintOut]
    tool_uses: list[ToolUseOut]


class CaseListOut(Out):
    cases: list[CaseSummaryOut]
    next_cursor: int | None


class StatusIn(In):
    status: CaseStatus
    reason: str | None = Field(None, max_length=500)
    expected_version: Version | None = None


class CaseUpdateIn(In):
    category: str | None = Field(None, max_length=100)
    summary: str | None = Field(None, max_length=4000)
    expected_version: Version | None = None
    # The category suggestions the console showed, best first: the choice is recorded for retraining.
    suggestions: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        None, min_length=1, max_length=10
    )


class ContactIn(In):
    channel: Literal[Channel.AGENT_NOTE, Channel.SMS, Channel.SINMUNGO_TEXT]
    notes: str = Field(min_length=1, max_length=20000)


class HandoffIn(In):
    to_center: str = Field(max_length=20)
    to_queue: str | None = Field(None, max_length=60)
    to_agent_id: Id | None = None
    reason: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=4000, description="what the receiving agent needs to know")
    expected_version: Version | None = None


class MergeIn(In):
    source_number: CaseNumber


class ComplaintIn(In):
    sinmungo_id: str = Field(min_length=1, max_length=64)
    received_at: dt.datetime
    title: str = Field(min_length=1, max_length=300)
    citizen_id: Id | None = None
    assigned_center: str | None = Field(None, max_length=20, description="the center that works it (default: yours)")
    body: str = Field("", max_length=20000, description="the complaint's text (처리기한 is computed from received_at)")


class LinkIn(In):
    sinmungo_id: str = Field(min_length=1, max_length=64)


class CallbackList(Out):
    callbacks: list[CallbackOut]


class AccessLogOut(Out):
    id: int
    at: dt.datetime
    agent_login: str
    agent_center: str | None
    citizen_id: int
    case_id: int | None
    interaction_id: int | None
    purpose: Purpose
    scope: Scope
    reason: str | None
    via: str


class AccessLogList(Out):
    entries: list[AccessLogOut]
    next_cursor: int | None
