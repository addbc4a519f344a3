"""신문고 complaints in the case store: recorded for a center to work, and linked to a case of their citizen.

Each function takes the unit of work and the acting user; it checks the rules and changes the records (a link
appends a case event and a complaint event). The caller commits. Working the complaint in the center's inbox
(claim, answer, close, hand off) is ``crm.cases.inbox``.
"""

from __future__ import annotations

import datetime as dt

from crm.cases import continuity
from crm.cases.complaint_records import ComplaintEvent, ComplaintEventKind, ComplaintStatus
from crm.cases.complaint_text import TextMasker, conservative_mask
from crm.cases.events import record
from crm.cases.inbox_rules import BODY_MAX
from crm.cases.model import Complaint, EventKind
from crm.cases.services import ensure_center_member, ensure_writer, load_own_case
from crm.errors import CenterNotFound, CitizenNotFound, ComplaintExists, ComplaintNotFound
from crm.ports import UnitOfWork
from kernel.actor import Actor, Role
from kernel.calendar import WorkCalendar
from kernel.errors import ValidationFailed

DEFAULT_DUE_DAYS = 7  # 국민신문고 질의·건의: 7 working days (민원처리법 시행령); configurable per deployment


def record_complaint(
    uow: UnitOfWork,
    actor: Actor,
    *,
    sinmungo_id: str,
    received_at: dt.datetime,
    title: str,
    citizen_id: int | None,
    assigned_center: str | None = None,
    body: str = "",
    masker: TextMasker = conservative_mask,
    calendar: WorkCalendar | None = None,
    due_days: int = DEFAULT_DUE_DAYS,
    now: dt.datetime | None = None,
) -> Complaint:
    """Record a 신문고 complaint for a center to work (default: the actor's own): its text, the masked copy
    ``masker`` makes, and its 처리기한 ``due_days`` working days after receipt.

    Idempotent by ``sinmungo_id`` for the center it is assigned to; anyone else learns only that the
    id is taken, nothing of the complaint.
    """
    ensure_writer(actor)
    if not sinmungo_id.strip() or len(sinmungo_id) > 64:
        raise ValidationFailed("sinmungo_id must be 1-64 characters")
    if len(body) > BODY_MAX:
        raise ValidationFailed(f"민원 본문은 {BODY_MAX:,}자 이하여야 합니다.", max_length=BODY_MAX)
    center = assigned_center or actor.center_code
    if center is not None:
        ensure_center_member(actor, {center})
    elif not (actor.is_system or actor.role is Role.ADMIN):
        raise ValidationFailed("assigned_center is required")
    existing = uow.complaints.by_sinmungo_id(sinmungo_id)
    if existing is not None:
        if actor.role is Role.ADMIN or actor.is_system or existing.assigned_center == actor.center_code:
            return existing
        raise ComplaintExists("a complaint with this sinmungo_id is already recorded for another center")
    if center is not None and uow.centers.get(center) is None:
        raise CenterNotFound(f"no center {center}", center=center)
    if citizen_id is not None and uow.citizens.get(citizen_id) is None:
        raise CitizenNotFound(f"no citizen {citizen_id}", citizen_id=citizen_id)
    complaint = Complaint(
        sinmungo_id=sinmungo_id,
        received_at=received_at,
        title=title[:300],
        citizen_id=citizen_id,
        assigned_center=center,
        body=body,
        body_masked=masker(body) if body else "",
        status=ComplaintStatus.RECEIVED,
        due_at=(calendar or WorkCalendar()).add_working_days(received_at, due_days),
    )
    uow.complaints.add(complaint)
    uow.flush()
    assert complaint.id is not None
    uow.complaints.add_event(
        ComplaintEvent(complaint.id, now or received_at, ComplaintEventKind.RECEIVED, actor.login, actor.agent_id,
                       center_code=center)
    )
    return complaint


def link_complaint(uow: UnitOfWork, actor: Actor, now: dt.datetime, *, number: str, sinmungo_id: str) -> Complaint:
    case = load_own_case(uow, actor, number)
    complaint = uow.complaints.by_sinmungo_id(sinmungo_id)
    if complaint is None:
        raise ComplaintNotFound(f"no 신문고 complaint {sinmungo_id}", sinmungo_id=sinmungo_id)
    if complaint.case_id == case.id:
        return complaint
    continuity.check_link(case, complaint)
    complaint.case_id = case.id
    record(uow, case, EventKind.COMPLAINT_LINKED, actor, now, None, {"sinmungo_id": sinmungo_id})
    assert complaint.id is not None
    uow.complaints.add_event(
        ComplaintEvent(complaint.id, now, ComplaintEventKind.LINKED, actor.login, actor.agent_id,
                       center_code=complaint.assigned_center, note=case.number)
    )
    return complaint
