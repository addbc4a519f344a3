"""Case services: open, continue, change status, hand off and merge, inside a unit of work (신문고 complaints:
``crm.cases.complaints``).

Each function takes the unit of work, the acting user and ``now``; it checks the
rules, changes the records and appends a case event for every change. The caller
commits.
"""

from __future__ import annotations

import datetime as dt

from crm.cases import continuity
from crm.cases.events import record
from crm.cases.model import Case, Channel, EventKind, Handoff, Interaction, case_number
from crm.cases.status import CaseStatus, check_transition
from crm.errors import (
    AgentNotFound,
    CaseNotFound,
    CenterInactive,
    CenterNotFound,
    CitizenNotFound,
    Forbidden,
    HandoffNotFound,
    InteractionClosed,
    InteractionNotFound,
    OtherCenter,
    VersionConflict,
)
from crm.ports import UnitOfWork
from kernel.actor import Actor, Role
from kernel.calendar import WorkCalendar, to_seoul
from kernel.errors import Conflict, ValidationFailed


def ensure_writer(actor: Actor) -> None:
    if actor.role is Role.ANALYST:
        raise Forbidden("analysts cannot change cases")


def ensure_center_member(actor: Actor, centers: set[str]) -> None:
    """Writes need the acting agent's center to own (or be the target of) the case."""
    ensure_writer(actor)
    if actor.role is Role.ADMIN or actor.is_system:
        return
    if actor.center_code not in centers:
        raise OtherCenter("this case belongs to another center", centers=sorted(centers))


def load_case(uow: UnitOfWork, number: str, expected_version: int | None = None) -> Case:
    case = uow.cases.get(number)
    if case is None:
        raise CaseNotFound(f"no case {number}", case_number=number)
    if expected_version is not None and case.version != expected_version:
        raise VersionConflict(
            f"case {number} changed since you read it (version {case.version}, you had {expected_version})",
            current_version=case.version,
        )
    return case


def load_own_case(uow: UnitOfWork, actor: Actor, number: str, expected_version: int | None = None) -> Case:
    """A case the actor's center owns, for a write. Another center's case answers exactly like a missing
    one, so case numbers cannot be probed through writes either."""
    ensure_writer(actor)
    case = uow.cases.get(number)
    if case is None or not (actor.role is Role.ADMIN or actor.is_system or actor.center_code == case.owner_center):
        raise CaseNotFound(f"no case {number} that you may change", case_number=number)
    return load_case(uow, number, expected_version)


def open_case(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    *,
    citizen_id: int,
    center_code: str,
    channel: Channel,
    category: str | None = None,
    summary: str = "",
    interaction_id: int | None = None,
) -> Case:
    """A new case for the citizen at ``center_code``, optionally taking over the contact in progress."""
    ensure_center_member(actor, {center_code})
    center = uow.centers.get(center_code)
    if center is None:
        raise CenterNotFound(f"no center {center_code}", center=center_code)
    if not center.active:
        raise CenterInactive(f"center {center_code} is deactivated")
    # A case is opened on a contact with its citizen (admins and the system may open one directly):
    # otherwise naming any citizen id would make them one of the center's, visible to its searches.
    if interaction_id is None and not (actor.role is Role.ADMIN or actor.is_system):
        raise Forbidden("open a case on the contact you are serving: give interaction_id")
    interaction = own_interaction(uow, actor, interaction_id) if interaction_id is not None else None
    if interaction is not None:
        if interaction.case_id is not None:
            raise Conflict("this contact already belongs to a case", interaction_id=interaction.id)
        if interaction.citizen_id is None:
            raise Conflict("pick the caller's citizen on this contact first", interaction_id=interaction.id)
        if interaction.citizen_id != citizen_id:
            raise Conflict("this contact is with another citizen", interaction_id=interaction.id)
    if uow.citizens.get(citizen_id) is None:
        raise CitizenNotFound(f"no citizen {citizen_id}", citizen_id=citizen_id)
    year = to_seoul(now).year
    sequence = uow.cases.next_sequence(center_code, year)
    case = Case(
        number=case_number(year, center_code, sequence),
        citizen_id=citizen_id,
        origin_channel=channel,
        owner_center=center_code,
        owner_agent_id=actor.agent_id,
        category=category,
        summary=summary,
        created_at=now,
        updated_at=now,
    )
    uow.cases.add(case)
    uow.flush()
    record(uow, case, EventKind.CREATED, actor, now, None, _snapshot(case))
    if interaction is not None:
        interaction.case_id = case.id
        interaction.citizen_id = citizen_id
        record(uow, case, EventKind.CONTACT_ADDED, actor, now, None, {"interaction_id": interaction.id})
    return case


def continue_case(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    *,
    interaction_id: int,
    number: str,
    policy: continuity.ContinuityPolicy,
) -> Case:
    """Attach the contact in progress to one of the citizen's continuable cases.

    Only the center the case is assigned or handed off to may continue it, and only on a contact
    with that case's citizen: a number alone never takes over a case. A case the actor may not
    continue gets the same answer as a missing one.
    """
    interaction = own_interaction(uow, actor, interaction_id)
    case = uow.cases.get(number)
    if case is None or not _may_continue(uow, actor, case):
        raise CaseNotFound(f"no case {number} that you may continue", case_number=number)
    if interaction.case_id == case.id:
        return case
    if interaction.case_id is not None:
        raise Conflict("this contact already belongs to another case", interaction_id=interaction.id)
    if interaction.citizen_id is None:
        raise Conflict("pick the caller's citizen first: a case is continued only with its own citizen")
    if interaction.citizen_id != case.citizen_id:
        raise Conflict("this case belongs to another citizen")
    offered = continuity.continuable_cases(uow.cases.for_citizen(case.citizen_id), now, policy)
    if case.id not in {c.id for c in offered}:
        raise Conflict(
            f"case {number} cannot be continued (status {case.status}); open a new case or reopen it",
            status=str(case.status),
        )
    interaction.case_id = case.id
    interaction.citizen_id = case.citizen_id
    before = {"owner_center": case.owner_center, "owner_agent_id": case.owner_agent_id, "status": str(case.status)}
    if case.status in (CaseStatus.OPEN, CaseStatus.WAITING_CALLBACK, CaseStatus.REOPENED, CaseStatus.TRANSFERRED):
        case.status = CaseStatus.IN_PROGRESS
    if actor.agent_id is not None:
        case.owner_agent_id = actor.agent_id
    record(
        uow,
        case,
        EventKind.CONTACT_ADDED,
        actor,
        now,
        before,
        {"interaction_id": interaction.id, "status": str(case.status), "owner_agent_id": case.owner_agent_id},
    )
    return case


def _may_continue(uow: UnitOfWork, actor: Actor, case: Case) -> bool:
    if actor.role is Role.ADMIN or actor.is_system:
        return True
    if case.owner_center == actor.center_code:
        return True
    assert case.id is not None
    return any(h.to_center == actor.center_code for h in uow.handoffs.for_case(case.id))


def change_status(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    *,
    number: str,
    target: CaseStatus,
    reason: str | None,
    expected_version: int | None,
) -> Case:
    case = load_own_case(uow, actor, number, expected_version)
    if case.merged_into is not None:
        raise Conflict(f"case {number} was merged into {case.merged_into}", merged_into=case.merged_into)
    check_transition(case.status, target)
    before = {"status": str(case.status)}
    case.status = target
    if target in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        case.due_at = None
    record(uow, case, EventKind.STATUS_CHANGED, actor, now, before, {"status": str(target), "reason": reason})
    return case


def update_case(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    *,
    number: str,
    expected_version: int | None,
    category: str | None = None,
    summary: str | None = None,
) -> Case:
    case = load_own_case(uow, actor, number, expected_version)
    before: dict[str, object] = {}
    after: dict[str, object] = {}
    if category is not None and category != case.category:
        before["category"], after["category"] = case.category, category
        case.category = category
    if summary is not None and summary != case.summary:
        if len(summary) > 4000:
            raise ValidationFailed("summary is longer than 4000 characters")
        before["summary"], after["summary"] = case.summary, summary
        case.summary = summary
    if after:
        record(uow, case, EventKind.UPDATED, actor, now, before, after)
    return case


def hand_off(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    calendar: WorkCalendar,
    policy: continuity.ContinuityPolicy,
    *,
    number: str,
    to_center: str,
    reason: str,
    summary: str,
    to_queue: str | None = None,
    to_agent_id: int | None = None,
    expected_version: int | None = None,
) -> Handoff:
    """Transfer the same case, with the sender's summary, to another center, queue or agent. Never a new case."""
    case = load_own_case(uow, actor, number, expected_version)
    target = uow.centers.get(to_center)
    if target is None:
        raise CenterNotFound(f"no center {to_center}", center=to_center)
    if not target.active:
        raise CenterInactive(f"center {to_center} is deactivated")
    if to_agent_id is not None:
        agent = uow.agents.get(to_agent_id)
        if agent is None or not agent.active:
            raise AgentNotFound(f"no active agent {to_agent_id}", agent_id=to_agent_id)
        if agent.center_code != to_center:
            raise ValidationFailed("the receiving agent is not in the receiving center")
    if not summary.strip():
        raise ValidationFailed("a hand-off needs a summary for the receiving agent")
    check_transition(case.status, CaseStatus.TRANSFERRED)
    handoff = Handoff(
        case_id=case.id or 0,
        from_center=case.owner_center,
        from_agent_id=actor.agent_id,
        to_center=to_center,
        to_queue=to_queue,
        to_agent_id=to_agent_id,
        reason=reason,
        summary=summary,
        created_at=now,
    )
    uow.handoffs.add(handoff)
    uow.flush()
    before = {
        "status": str(case.status),
        "owner_center": case.owner_center,
        "owner_agent_id": case.owner_agent_id,
        "due_at": _iso(case.due_at),
    }
    case.status = CaseStatus.TRANSFERRED
    if to_center != case.owner_center:
        case.due_at = calendar.add_working_days(now, policy.handoff_due_working_days)
    case.owner_center = to_center
    case.owner_agent_id = to_agent_id
    record(
        uow,
        case,
        EventKind.HANDED_OFF,
        actor,
        now,
        before,
        {
            "status": str(case.status),
            "owner_center": to_center,
            "owner_agent_id": to_agent_id,
            "to_queue": to_queue,
            "handoff_id": handoff.id,
            "reason": reason,
            "due_at": _iso(case.due_at),
        },
    )
    return handoff


def accept_handoff(uow: UnitOfWork, actor: Actor, now: dt.datetime, *, number: str, handoff_id: int) -> Handoff:
    case = load_case(uow, number)
    handoff = uow.handoffs.get(handoff_id)
    if handoff is None or handoff.case_id != case.id:
        raise HandoffNotFound(f"no hand-off {handoff_id} on case {number}", handoff_id=handoff_id)
    ensure_center_member(actor, {handoff.to_center})
    if handoff.accepted_at is not None:
        raise Conflict("this hand-off was already accepted", accepted_at=_iso(handoff.accepted_at))
    latest = max(uow.handoffs.for_case(case.id or 0), key=lambda h: h.id or 0)
    if latest.id != handoff.id:
        raise Conflict("a newer hand-off superseded this one", latest_handoff_id=latest.id)
    handoff.accepted_at = now
    handoff.accepted_by = actor.agent_id
    before = {"status": str(case.status), "owner_agent_id": case.owner_agent_id}
    if case.status is CaseStatus.TRANSFERRED:
        case.status = CaseStatus.IN_PROGRESS
    if actor.agent_id is not None:
        case.owner_agent_id = actor.agent_id
    record(
        uow,
        case,
        EventKind.HANDOFF_ACCEPTED,
        actor,
        now,
        before,
        {"status": str(case.status), "owner_agent_id": case.owner_agent_id, "handoff_id": handoff.id},
    )
    return handoff


def merge_cases(uow: UnitOfWork, actor: Actor, now: dt.datetime, *, target_number: str, source_number: str) -> Case:
    """Merge ``source`` into ``target`` (same citizen). Both keep their numbers; the source closes."""
    target = load_own_case(uow, actor, target_number)
    source = load_own_case(uow, actor, source_number)
    continuity.check_merge(target, source)
    assert target.id is not None and source.id is not None
    moved = []
    for interaction in uow.interactions.for_case(source.id or 0):
        interaction.case_id = target.id
        moved.append(interaction.id)
    for complaint in uow.complaints.for_case(source.id or 0):
        complaint.case_id = target.id
    for callback in uow.callbacks.for_case(source.id or 0):
        callback.case_id = target.id
    before = {"status": str(source.status)}
    source.status = CaseStatus.CLOSED
    source.merged_into = target.number
    source.due_at = None
    record(
        uow,
        source,
        EventKind.MERGED_INTO,
        actor,
        now,
        before,
        {"status": "closed", "merged_into": target.number, "moved_interactions": moved},
    )
    record(
        uow,
        target,
        EventKind.MERGED_FROM,
        actor,
        now,
        None,
        {"merged_from": source.number, "moved_interactions": moved},
    )
    return target


def own_interaction(uow: UnitOfWork, actor: Actor, interaction_id: int | None) -> Interaction:
    interaction = uow.interactions.get(interaction_id or 0)
    if interaction is None:
        raise InteractionNotFound(f"no interaction {interaction_id}", interaction_id=interaction_id)
    if not actor.is_system and actor.role is not Role.ADMIN and interaction.agent_id != actor.agent_id:
        raise Forbidden("this contact is assigned to another agent", interaction_id=interaction_id)
    return interaction


def own_open_interaction(uow: UnitOfWork, actor: Actor, interaction_id: int) -> Interaction:
    """The actor's contact, not yet wrapped up: what checks and registrations on a contact work on."""
    interaction = own_interaction(uow, actor, interaction_id)
    if not interaction.is_open:
        raise InteractionClosed("this contact is already wrapped up")
    return interaction


def _snapshot(case: Case) -> dict[str, object]:
    return {
        "number": case.number,
        "status": str(case.status),
        "owner_center": case.owner_center,
        "owner_agent_id": case.owner_agent_id,
        "category": case.category,
        "summary": case.summary,
        "origin_channel": str(case.origin_channel),
        "citizen_id": case.citizen_id,
    }


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
