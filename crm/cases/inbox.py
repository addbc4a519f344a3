"""The 신문고 inbox of a center: list, read (access-logged), claim, release, answer, close, hand off.

Each function takes the unit of work, the acting user and the time; it loads the complaint, applies the rule
of ``crm.cases.inbox_rules``, appends a ``ComplaintEvent`` when something changed and, for a hand-off to a
complaint linked to a case, a case event too. The caller commits. A complaint of another center is
``complaint-not-found``, exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from crm.access.model import Purpose, Scope
from crm.access.policy import AccessDecision
from crm.access.views import log_access
from crm.cases import inbox_rules as rules
from crm.cases.complaint_records import ComplaintEvent, ComplaintEventKind, InboxQuery
from crm.cases.complaint_text import mask_rrn
from crm.cases.events import record
from crm.cases.model import Complaint, EventKind
from crm.errors import AgentNotFound, CenterNotFound, ComplaintNotFound
from crm.open311.model import RequestOrigin
from crm.ports import UnitOfWork
from kernel.actor import Actor


@dataclass
class ComplaintRow:
    """One line of the inbox: no text."""

    complaint: Complaint
    overdue: bool
    claimed_by_login: str | None
    case_number: str | None


@dataclass
class ComplaintDetail(ComplaintRow):
    body: str  # as the reader may see it: the assigned center's own text, 주민등록번호 always masked
    answer: str | None
    events: Sequence[ComplaintEvent]
    origin: RequestOrigin | None = None  # filed by an app through Open311: which, and the suggested category


def load_for_work(uow: UnitOfWork, actor: Actor, complaint_id: int) -> Complaint:
    complaint = uow.complaints.get(complaint_id)
    if complaint is None:
        raise ComplaintNotFound("해당 민원을 찾을 수 없습니다.", complaint_id=complaint_id)
    rules.ensure_worker(actor, complaint)
    return complaint


def inbox(uow: UnitOfWork, actor: Actor, query: InboxQuery) -> list[ComplaintRow]:
    """The actor's own center's inbox (``query.center`` must be it)."""
    if actor.role not in rules.WORKERS or actor.center_code != query.center:
        raise ComplaintNotFound("해당 센터의 민원함을 볼 수 없습니다.")
    return [_row(uow, c, query.now) for c in uow.complaints.inbox(query)]


def read_complaint(uow: UnitOfWork, actor: Actor, now: dt.datetime, complaint_id: int, via: str) -> ComplaintDetail:
    """The complaint with its text and timeline; a read of a citizen's complaint is access-logged."""
    complaint = load_for_work(uow, actor, complaint_id)
    if complaint.citizen_id is not None:
        decision = AccessDecision(Purpose.WORKLIST, Scope.OWN_CENTER, None, None)
        log_access(uow, actor, now, complaint.citizen_id, decision, via, complaint.case_id)
    row = _row(uow, complaint, now)
    return ComplaintDetail(
        complaint=complaint,
        overdue=row.overdue,
        claimed_by_login=row.claimed_by_login,
        case_number=row.case_number,
        body=shown_body(actor, complaint),
        answer=mask_rrn(complaint.answer) if complaint.answer is not None else None,
        events=list(uow.complaints.events(complaint_id)),
        origin=uow.open311.origin(complaint_id),
    )


def shown_body(actor: Actor, complaint: Complaint) -> str:
    """The assigned center works the text itself; anyone else reads the masked copy. A 주민등록번호 is never
    shown in clear, whoever reads."""
    text = complaint.body if actor.center_code == complaint.assigned_center else complaint.body_masked
    return mask_rrn(text)


def claim(uow: UnitOfWork, actor: Actor, now: dt.datetime, complaint_id: int, agent_id: int | None = None) -> Complaint:
    complaint = load_for_work(uow, actor, complaint_id)
    if agent_id is not None and agent_id != actor.agent_id:
        agent = uow.agents.get(agent_id)
        if agent is None or agent.center_code != complaint.assigned_center or agent.role not in rules.WORKERS:
            raise AgentNotFound("이 센터의 상담사가 아닙니다.", agent_id=agent_id)
    if rules.claim(complaint, actor, now, agent_id):
        _event(uow, complaint, actor, now, ComplaintEventKind.CLAIMED)
    return complaint


def release(uow: UnitOfWork, actor: Actor, now: dt.datetime, complaint_id: int) -> Complaint:
    complaint = load_for_work(uow, actor, complaint_id)
    if rules.release(complaint, actor):
        _event(uow, complaint, actor, now, ComplaintEventKind.RELEASED)
    return complaint


def answer(uow: UnitOfWork, actor: Actor, now: dt.datetime, complaint_id: int, text: str) -> Complaint:
    complaint = load_for_work(uow, actor, complaint_id)
    if rules.answer(complaint, actor, now, text):
        _event(uow, complaint, actor, now, ComplaintEventKind.ANSWERED)
    return complaint


def close(uow: UnitOfWork, actor: Actor, now: dt.datetime, complaint_id: int) -> Complaint:
    complaint = load_for_work(uow, actor, complaint_id)
    if rules.close(complaint, actor, now):
        _event(uow, complaint, actor, now, ComplaintEventKind.CLOSED)
    return complaint


def hand_off(
    uow: UnitOfWork, actor: Actor, now: dt.datetime, complaint_id: int, *, to_center: str, summary: str
) -> Complaint:
    """Move the complaint to another (active) center with a summary; the receiving center's inbox shows it
    received, and its timeline (and the linked case's, if any) the summary."""
    complaint = load_for_work(uow, actor, complaint_id)
    target = uow.centers.get(to_center)
    if target is None or not target.active:
        raise CenterNotFound(f"이관할 센터 {to_center[:20]}을(를) 찾을 수 없습니다.", center=to_center[:20])
    source = complaint.assigned_center
    note = rules.hand_off(complaint, actor, to_center, summary)
    assert complaint.id is not None
    uow.complaints.add_event(
        ComplaintEvent(
            complaint.id,
            now,
            ComplaintEventKind.HANDED_OFF,
            actor.login,
            actor.agent_id,
            center_code=source,
            to_center=to_center,
            note=note,
        )
    )
    if complaint.case_id is not None:
        case = uow.cases.get_by_id(complaint.case_id)
        if case is not None:
            detail = {"sinmungo_id": complaint.sinmungo_id, "from": source, "to": to_center, "summary": note}
            record(uow, case, EventKind.COMPLAINT_HANDED_OFF, actor, now, None, detail)
    return complaint


def _event(uow: UnitOfWork, complaint: Complaint, actor: Actor, now: dt.datetime, kind: ComplaintEventKind) -> None:
    assert complaint.id is not None
    uow.complaints.add_event(
        ComplaintEvent(complaint.id, now, kind, actor.login, actor.agent_id, center_code=complaint.assigned_center)
    )


def _row(uow: UnitOfWork, complaint: Complaint, now: dt.datetime) -> ComplaintRow:
    login = None
    if complaint.claimed_by is not None:
        agent = uow.agents.get(complaint.claimed_by)
        login = agent.login if agent is not None else None
    number = None
    if complaint.case_id is not None:
        case = uow.cases.get_by_id(complaint.case_id)
        number = case.number if case is not None else None
    return ComplaintRow(complaint, rules.is_overdue(complaint, now), login, number)
