"""신문고 complaints in the case store: recorded for a center to work, and linked to a case of their citizen.

Each function takes the unit of work and the acting user; it checks the rules and changes the records (a link
appends a case event and a complaint event). The caller commits. Working the complaint in the center's inbox
(claim, answer, close, hand off) is ``crm.cases.inbox``.

A complaint recorded without a citizen (an Open311 request from an app) joins a citizen's timeline only through
``identify_complainant``: an agent of the assigned center verified the caller's identity with evidence on the
contact they are serving, and says this complaint is theirs. Contact details or a name never link it.
"""

from __future__ import annotations

import datetime as dt

from crm.access.tool_reads import served_citizen
from crm.cases import continuity
from crm.cases.complaint_records import ComplaintEvent, ComplaintEventKind, ComplaintStatus
from crm.cases.complaint_text import TextMasker, conservative_mask
from crm.cases.events import record
from crm.cases.inbox import load_for_work
from crm.cases.inbox_rules import BODY_MAX
from crm.cases.model import Complaint, EventKind
from crm.cases.services import ensure_center_member, ensure_writer, load_own_case, own_open_interaction
from crm.errors import (
    CenterNotFound,
    CitizenNotFound,
    ComplaintExists,
    ComplaintNotFound,
    IdentityNotVerified,
    LinkRejected,
    NoCitizenOnContact,
)
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


IDENTIFIED_NOTE = "민원인 확인"


def identify_complainant(
    uow: UnitOfWork, actor: Actor, now: dt.datetime, *, complaint_id: int, interaction_id: int, via: str
) -> Complaint:
    """The complainant is the citizen of the actor's open contact, whose identity was verified on it with
    evidence (주민등록번호 stated, or the SMS code read back): the complaint joins that citizen's timeline and,
    when the contact has a case and the complaint none, that case.

    A complaint of another center is ``complaint-not-found``; one that already has another citizen is
    ``link-rejected``; the same citizen again changes nothing (unless the contact's case can now be linked).
    The read of the contact's citizen is access-logged with the purpose "serving".
    """
    complaint = load_for_work(uow, actor, complaint_id)
    interaction = own_open_interaction(uow, actor, interaction_id)
    if interaction.citizen_id is None:
        raise NoCitizenOnContact("이 상담에 민원인이 지정되지 않았습니다. 민원인을 먼저 확인해 주세요.")
    if not interaction.identity_verified:  # evidence only: an attestation or the agent's word is not enough
        raise IdentityNotVerified(
            "본인 확인(주민등록번호 또는 문자 인증번호) 후에 민원인으로 확인할 수 있습니다.",
            interaction_id=interaction_id,
        )
    citizen_id = served_citizen(uow, actor, now, interaction_id=interaction_id, via=via, verified=True).citizen_id
    if complaint.citizen_id is not None and complaint.citizen_id != citizen_id:
        raise LinkRejected("이 민원은 다른 민원인의 민원입니다.", complaint_id=complaint_id)
    case = uow.cases.get_by_id(interaction.case_id) if interaction.case_id is not None else None
    link_case = case is not None and complaint.case_id is None and case.citizen_id == citizen_id
    if complaint.citizen_id == citizen_id and not link_case:
        return complaint
    complaint.citizen_id = citizen_id
    note = IDENTIFIED_NOTE
    if link_case:
        assert case is not None
        continuity.check_link(case, complaint)
        complaint.case_id = case.id
        record(uow, case, EventKind.COMPLAINT_LINKED, actor, now, None, {"sinmungo_id": complaint.sinmungo_id})
        note = case.number
    assert complaint.id is not None
    uow.complaints.add_event(
        ComplaintEvent(complaint.id, now, ComplaintEventKind.LINKED, actor.login, actor.agent_id,
                       center_code=complaint.assigned_center, note=note)
    )
    return complaint
