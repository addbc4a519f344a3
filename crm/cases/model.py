"""Case records: the case itself, its contacts (interactions), hand-offs, events, callbacks, complaints."""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass
from typing import Any

from crm.cases.complaint_records import ComplaintStatus
from crm.cases.status import ACTIVE, CaseStatus
from crm.citizens.model import EVIDENCE_METHODS
from kernel.errors import ValidationFailed

CASE_NUMBER = re.compile(r"^(\d{4})-([A-Z][A-Z0-9]{1,19})-([1-9]\d*)$")


def case_number(year: int, center_code: str, sequence: int) -> str:
    """``YYYY-<center>-<sequence>``: no fixed width, since 110 alone takes millions of calls a year."""
    return f"{year}-{center_code}-{sequence}"


def parse_case_number(text: str) -> tuple[int, str, int]:
    match = CASE_NUMBER.match(text)
    if not match:
        raise ValidationFailed(f"'{text[:40]}' is not a case number (YYYY-CENTER-SEQUENCE)")
    return int(match.group(1)), match.group(2), int(match.group(3))


class Channel(enum.StrEnum):
    INBOUND_CALL = "inbound-call"
    OUTBOUND_CALL = "outbound-call"
    CALLBACK = "callback"
    IVR_SELF_SERVICE = "ivr-self-service"
    SINMUNGO_TEXT = "sinmungo-text"
    AGENT_NOTE = "agent-note"
    SMS = "sms"
    VISIT = "visit"  # 방문 민원, attested by a supervisor


VOICE_CHANNELS = frozenset({Channel.INBOUND_CALL, Channel.OUTBOUND_CALL, Channel.CALLBACK})


class Disposition(enum.StrEnum):
    """How a contact ended. The first three never open a case."""

    ABANDONED_BEFORE_MENU = "abandoned-before-menu"
    SCANNER = "scanner"
    SILENT = "silent"
    ABANDONED_IN_IVR = "abandoned-in-ivr"  # hung up after a menu choice, before reaching a queue
    ABANDONED_IN_QUEUE = "abandoned-in-queue"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    TRANSFERRED = "transferred"
    DROPPED = "dropped"
    WORKER_LOST = "worker-lost"
    CALLBACK_REQUESTED = "callback-requested"
    SELF_SERVICE_COMPLETED = "self-service-completed"
    NO_ANSWER = "no-answer"
    NOTE = "note"


NO_CASE_DISPOSITIONS = frozenset({Disposition.ABANDONED_BEFORE_MENU, Disposition.SCANNER, Disposition.SILENT})


@dataclass
class Case:
    number: str
    citizen_id: int
    origin_channel: Channel
    owner_center: str
    status: CaseStatus = CaseStatus.OPEN
    category: str | None = None
    suggested_category: str | None = None
    summary: str = ""
    owner_agent_id: int | None = None
    due_at: dt.datetime | None = None
    merged_into: str | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    version: int = 0
    id: int | None = None

    def __post_init__(self) -> None:
        if len(self.summary) > 4000:
            raise ValidationFailed("summary is longer than 4000 characters")

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


@dataclass
class Interaction:
    """One contact. ``ended_at`` closes the contact; ``completed_at`` closes its wrap-up.

    An agent is *serving* the citizen while an interaction assigned to them is not
    yet completed.
    """

    channel: Channel
    center_code: str
    started_at: dt.datetime
    case_id: int | None = None
    citizen_id: int | None = None
    agent_id: int | None = None
    caller_masked: str | None = None
    queued_at: dt.datetime | None = None
    answered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    wait_seconds: int | None = None
    talk_seconds: int | None = None
    wrapup_seconds: int | None = None
    disposition: Disposition | None = None
    notes: str | None = None
    transcript: str | None = None
    recording_ref: str | None = None
    sip_call_id: str | None = None
    verified_by: int | None = None
    verified_method: str | None = None
    verified_at: dt.datetime | None = None
    # The calling number's digits as the SIP signalling gave them (never shown; picks candidates).
    caller_number: str | None = None
    # How the system came to know this contact: "call", "callback", "attestation:<id>", "complaint:<id>".
    origin: str | None = None
    # The center's wrap-up (disposition) code the agent picked at wrap-up (crm.cases.wrap_up_codes).
    wrap_up_code: str | None = None
    id: int | None = None

    @property
    def is_open(self) -> bool:
        return self.completed_at is None

    @property
    def identity_verified(self) -> bool:
        """Verified with evidence the agent cannot supply alone (older attestation-only checks do not count)."""
        return self.verified_at is not None and self.verified_method in EVIDENCE_METHODS


@dataclass
class Handoff:
    case_id: int
    from_center: str
    to_center: str
    reason: str
    summary: str
    created_at: dt.datetime
    from_agent_id: int | None = None
    to_queue: str | None = None
    to_agent_id: int | None = None
    accepted_at: dt.datetime | None = None
    accepted_by: int | None = None
    id: int | None = None


class EventKind(enum.StrEnum):
    CREATED = "created"
    STATUS_CHANGED = "status-changed"
    CONTACT_ADDED = "contact-added"
    HANDED_OFF = "handed-off"
    HANDOFF_ACCEPTED = "handoff-accepted"
    COMPLAINT_LINKED = "complaint-linked"
    COMPLAINT_HANDED_OFF = "complaint-handed-off"  # a linked 신문고 complaint moved to another center
    MERGED_INTO = "merged-into"
    MERGED_FROM = "merged-from"
    CALLBACK_SCHEDULED = "callback-scheduled"
    UPDATED = "updated"


@dataclass
class CaseEvent:
    """An append-only record of one change: who, when, what, before and after."""

    case_id: int
    at: dt.datetime
    kind: EventKind
    actor_agent_id: int | None
    actor: str  # agent login or "system:<component>"
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    id: int | None = None


class CallbackStatus(enum.StrEnum):
    PENDING = "pending"
    DIALING = "dialing"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # an agent-scheduled callback whose window ended before it could be placed


@dataclass
class Callback:
    """A task to call the citizen back, e.g. after a dropped call."""

    case_id: int
    citizen_id: int
    center_code: str
    due_at: dt.datetime
    reason: str
    created_at: dt.datetime
    status: CallbackStatus = CallbackStatus.PENDING
    attempts: int = 0
    interaction_id: int | None = None
    # An agent-scheduled callback: ``due_at`` is its window's start, ``window_end`` its end; ``phone_ref``
    # says which number ("calling:<interaction id>" or "phone:<citizen phone id>"), never the digits.
    window_end: dt.datetime | None = None
    phone_ref: str | None = None
    scheduled_by: int | None = None
    id: int | None = None


@dataclass
class Complaint:
    """A 국민신문고 text complaint known to the case store (ingested in full by analytics)."""

    sinmungo_id: str
    received_at: dt.datetime
    title: str
    citizen_id: int | None = None
    case_id: int | None = None
    assigned_center: str | None = None  # the center that works it: its agents serve its citizen
    # The inbox (crm.cases.inbox): text, its masked copy, status, 처리기한, claim, answer, last hand-off.
    body: str = ""
    body_masked: str = ""  # the composition root's PII masker's copy: analytics and other centers read this
    status: ComplaintStatus = ComplaintStatus.RECEIVED
    due_at: dt.datetime | None = None  # set by record_complaint and migration 0011; None: unknown, never overdue
    claimed_by: int | None = None
    claimed_at: dt.datetime | None = None
    answer: str | None = None
    answered_at: dt.datetime | None = None
    answered_by: int | None = None
    closed_at: dt.datetime | None = None
    handed_off_to: str | None = None  # the center of the last hand-off (the assignment moved there)
    id: int | None = None
