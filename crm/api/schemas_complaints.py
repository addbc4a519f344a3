"""Request and response bodies of the 신문고 inbox (``crm.api.routes_complaints``)."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from crm.cases.complaint_records import ComplaintEventKind, ComplaintStatus
from kernel.http.models import Id, In, Out


class InboxItemOut(Out):
    id: int
    sinmungo_id: str
    title: str
    received_at: dt.datetime
    due_at: dt.datetime | None = Field(description="처리기한: working days from receipt, 18:00 Seoul")
    status: ComplaintStatus
    overdue: bool = Field(description="still open after its 처리기한")
    claimed_by: str | None = Field(description="login of the agent working it")
    case_number: str | None
    assigned_center: str | None
    citizen_id: int | None


class InboxOut(Out):
    complaints: list[InboxItemOut]
    next_cursor: str | None = Field(description="give as cursor for the next page; null on the last")


class ComplaintEventOut(Out):
    at: dt.datetime
    kind: ComplaintEventKind
    actor: str
    center: str | None
    to_center: str | None
    note: str | None = Field(description="a hand-off's summary")


class ComplaintOriginOut(Out):
    app: str = Field(description="the Open311 app that filed it")
    service_code: str = Field(description="the Open311 service it was filed under")
    category_suggested: str | None = Field(description="the classifier's category (computed off the request path)")


class ComplaintDetailOut(InboxItemOut):
    body: str = Field(description="the text; a 주민등록번호 in it is always masked")
    answer: str | None
    answered_at: dt.datetime | None
    closed_at: dt.datetime | None
    handed_off_to: str | None = Field(description="the center of the last hand-off")
    events: list[ComplaintEventOut]
    origin: ComplaintOriginOut | None = Field(None, description="filed by an app through Open311 (else null)")


class ClaimIn(In):
    agent_id: Id | None = Field(None, description="supervisors: claim for this agent of the center (default: you)")


class AnswerIn(In):
    answer: str = Field(min_length=1, max_length=4000)


class ComplaintHandoffIn(In):
    to_center: str = Field(min_length=1, max_length=20)
    summary: str = Field(min_length=1, max_length=4000, description="what the receiving center needs to know")


class ComplainantIn(In):
    interaction_id: Id = Field(
        description="your open contact whose caller's identity you verified with evidence: the complainant"
    )
