"""신문고 complaints in the case store: recorded for a center to work, and linked to a case of their citizen.

Each function takes the unit of work and the acting user; it checks the rules and changes the records (a link
appends a case event). The caller commits.
"""

from __future__ import annotations

import datetime as dt

from crm.cases import continuity
from crm.cases.events import record
from crm.cases.model import Complaint, EventKind
from crm.cases.services import ensure_center_member, ensure_writer, load_own_case
from crm.errors import CenterNotFound, CitizenNotFound, ComplaintExists, ComplaintNotFound
from crm.ports import UnitOfWork
from kernel.actor import Actor, Role
from kernel.errors import ValidationFailed


def record_complaint(
    uow: UnitOfWork,
    actor: Actor,
    *,
    sinmungo_id: str,
    received_at: dt.datetime,
    title: str,
    citizen_id: int | None,
    assigned_center: str | None = None,
) -> Complaint:
    """Record a 신문고 complaint for a center to work (default: the actor's own).

    Idempotent by ``sinmungo_id`` for the center it is assigned to; anyone else learns only that the
    id is taken, nothing of the complaint.
    """
    ensure_writer(actor)
    if not sinmungo_id.strip() or len(sinmungo_id) > 64:
        raise ValidationFailed("sinmungo_id must be 1-64 characters")
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
    )
    uow.complaints.add(complaint)
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
    return complaint
