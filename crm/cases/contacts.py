"""Contact services: a contact starts, the caller is identified, the contact ends, wrap-up closes it.

These are what telephony and the agent console call as a call moves along.
"""

from __future__ import annotations

import datetime as dt

from crm.cases import continuity
from crm.cases.events import record
from crm.cases.model import VOICE_CHANNELS, Callback, Case, Channel, Disposition, EventKind, Interaction
from crm.cases.services import ensure_center_member, ensure_writer, load_own_case, own_interaction
from crm.cases.status import CaseStatus
from crm.cases.wrap_up_codes import WrapUpCodeBook, WrapUpCodeRequired
from crm.citizens.phone import normalize_phone
from crm.citizens.services import match_caller
from crm.errors import CallNotEnded, CenterInactive, CenterNotFound, CitizenNotFound, InteractionClosed
from crm.ports import UnitOfWork
from kernel.actor import Actor, Role
from kernel.errors import Conflict, ValidationFailed


def start_interaction(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    policy: continuity.ContinuityPolicy,
    *,
    channel: Channel,
    center_code: str,
    phone: str | None = None,
    citizen_id: int | None = None,
    sip_call_id: str | None = None,
    queued_at: dt.datetime | None = None,
    agent_id: int | None = None,
    origin: str = "call",
) -> tuple[Interaction, list[int], list[Case]]:
    """Start a contact; returns it, the citizen candidates, and the cases offered to continue.

    An agent starting a contact is assigned to it (and so is *serving* that citizen
    until wrap-up). With one citizen on record for the number, the contact is linked
    to that citizen, unverified; with several, the agent picks one.

    Only the system calls this: telephony for the calls it connected (``phone`` from the SIP
    signalling) and the callbacks it places, and the demo's seed. Clients start contacts through
    ``crm.access.serving``.
    """
    ensure_writer(actor)
    center = uow.centers.get(center_code)
    if center is None:
        raise CenterNotFound(f"no center {center_code}", center=center_code)
    if not center.active:
        raise CenterInactive(f"center {center_code} is deactivated")
    ensure_center_member(actor, {center_code})
    candidates: list[int] = []
    caller_masked = caller_number = None
    if citizen_id is not None:
        if uow.citizens.get(citizen_id) is None:
            raise CitizenNotFound(f"no citizen {citizen_id}", citizen_id=citizen_id)
        candidates = [citizen_id]
    if phone is not None:
        number = normalize_phone(phone)
        caller_masked, caller_number = number.masked, number.digits
        if citizen_id is None:
            found, _ = match_caller(uow, actor, now, phone)
            candidates = [c.id for c in found if c.id is not None]
    chosen = candidates[0] if len(candidates) == 1 else None
    assignee = agent_id if agent_id is not None else actor.agent_id
    interaction = Interaction(
        channel=channel,
        center_code=center_code,
        started_at=now,
        citizen_id=chosen,
        agent_id=assignee,
        caller_masked=caller_masked,
        queued_at=queued_at,
        answered_at=now if assignee else None,
        wait_seconds=int((now - queued_at).total_seconds()) if queued_at else None,
        sip_call_id=sip_call_id,
        caller_number=caller_number,
        origin=origin,
    )
    uow.interactions.add(interaction)
    uow.flush()
    offered = continuity.continuable_cases(uow.cases.for_citizen(chosen), now, policy) if chosen else []
    return interaction, candidates, offered


def assign_citizen(uow: UnitOfWork, actor: Actor, *, interaction_id: int, citizen_id: int) -> Interaction:
    """Pick, among the citizens on record for the number that called, the one on the line.

    Only those candidates can be picked: any other id, existing or not, gets the same answer.
    """
    interaction = own_interaction(uow, actor, interaction_id)
    if interaction.case_id is not None:
        raise Conflict("the contact already belongs to a case; its citizen is fixed")
    candidates = (
        {c.id for c in uow.citizens.by_phone(interaction.caller_number)} if interaction.caller_number else set()
    )
    if citizen_id not in candidates:
        raise CitizenNotFound("no citizen with this id on record for the calling number", citizen_id=citizen_id)
    interaction.citizen_id = citizen_id
    interaction.verified_at = interaction.verified_by = interaction.verified_method = None
    return interaction


def end_interaction(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    policy: continuity.ContinuityPolicy,
    *,
    interaction_id: int,
    disposition: Disposition,
    dropped: bool = False,
    talk_seconds: int | None = None,
    recording_ref: str | None = None,
) -> tuple[Interaction, Callback | None]:
    """The contact ended (hang-up, drop, transfer). A drop before wrap-up schedules a callback.

    ``recording_ref`` comes from the media worker through the desk only, never from a client.
    """
    interaction = own_interaction(uow, actor, interaction_id)
    if interaction.ended_at is not None:
        raise InteractionClosed("this contact has already ended")
    interaction.ended_at = now
    interaction.disposition = disposition
    if talk_seconds is not None:
        interaction.talk_seconds = talk_seconds
    elif interaction.answered_at is not None:
        interaction.talk_seconds = max(0, int((now - interaction.answered_at).total_seconds()))
    if recording_ref is not None:
        interaction.recording_ref = recording_ref
    callback = None
    case = uow.cases.get_by_id(interaction.case_id) if interaction.case_id is not None else None
    if dropped or disposition in (Disposition.DROPPED, Disposition.WORKER_LOST):
        outcome = continuity.after_drop(case, interaction, now, policy)
        if case is not None and outcome.callback_due is not None:
            callback = _schedule_callback(
                uow, actor, now, case, interaction, outcome.new_status, outcome.callback_due, reason=str(disposition)
            )
        # A dropped call gets no wrap-up by the caller's agent: the contact is complete.
        interaction.completed_at = now
    elif not continuity.opens_case(disposition) or interaction.agent_id is None:
        interaction.completed_at = now
    if case is not None:
        record(
            uow,
            case,
            EventKind.UPDATED,
            actor,
            now,
            None,
            {"interaction_id": interaction.id, "ended": now.isoformat(), "disposition": str(disposition)},
        )
    return interaction, callback


def wrap_up(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    *,
    interaction_id: int,
    notes: str | None,
    disposition: Disposition | None = None,
    wrap_up_code: str | None = None,
    codes: WrapUpCodeBook | None = None,
) -> Interaction:
    """Wrap-up done: notes and the center's wrap-up code written, the agent stops serving this citizen.

    A call (inbound, outbound, callback) needs one of its center's codes (``codes``: the defaults when None).
    """
    interaction = own_interaction(uow, actor, interaction_id)
    if interaction.completed_at is not None:
        raise InteractionClosed("this contact is already wrapped up")
    book = codes or WrapUpCodeBook()
    if wrap_up_code is not None:
        interaction.wrap_up_code = book.check(interaction.center_code, wrap_up_code)
    elif interaction.channel in VOICE_CHANNELS and interaction.wrap_up_code is None:
        raise WrapUpCodeRequired("통화 후처리 코드를 선택하세요.", center=interaction.center_code)
    if interaction.ended_at is None:
        if interaction.channel in VOICE_CHANNELS and interaction.sip_call_id is not None:
            raise CallNotEnded("통화가 아직 끝나지 않았습니다. 통화가 끝난 뒤 후처리를 완료하세요.")
        interaction.ended_at = now
    if notes is not None:
        if len(notes) > 20000:
            raise ValidationFailed("notes are longer than 20000 characters")
        interaction.notes = notes
    if disposition is not None:
        interaction.disposition = disposition
    interaction.completed_at = now
    interaction.wrapup_seconds = max(0, int((now - interaction.ended_at).total_seconds()))
    if interaction.case_id is not None:
        case = uow.cases.get_by_id(interaction.case_id)
        if case is not None:
            record(
                uow, case, EventKind.UPDATED, actor, now, None, {"interaction_id": interaction.id, "wrapped_up": True}
            )
    return interaction


def add_contact(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    *,
    number: str,
    channel: Channel,
    notes: str,
    center_code: str | None = None,
) -> Interaction:
    """A completed contact added straight to a case: an agent note, an SMS sent, a 신문고 text."""
    if channel in VOICE_CHANNELS:
        raise ValidationFailed("calls are recorded by telephony as they happen, not added afterwards")
    case = load_own_case(uow, actor, number)
    center = center_code or actor.center_code or case.owner_center
    ensure_center_member(actor, {case.owner_center, center} if actor.role is Role.ADMIN else {case.owner_center})
    if not notes.strip() or len(notes) > 20000:
        raise ValidationFailed("notes must be 1-20000 characters")
    interaction = Interaction(
        channel=channel,
        center_code=center,
        started_at=now,
        case_id=case.id,
        citizen_id=case.citizen_id,
        agent_id=actor.agent_id,
        ended_at=now,
        completed_at=now,
        notes=notes,
        disposition=Disposition.NOTE,
    )
    uow.interactions.add(interaction)
    uow.flush()
    record(
        uow,
        case,
        EventKind.CONTACT_ADDED,
        actor,
        now,
        None,
        {"interaction_id": interaction.id, "channel": str(channel)},
    )
    return interaction


def _schedule_callback(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    case: Case,
    interaction: Interaction,
    new_status: CaseStatus | None,
    due: dt.datetime,
    reason: str,
) -> Callback:
    before = {"status": str(case.status)}
    if new_status is not None:
        case.status = new_status
    callback = Callback(
        case_id=case.id or 0,
        citizen_id=case.citizen_id,
        center_code=interaction.center_code,
        due_at=due,
        reason=reason,
        created_at=now,
        interaction_id=interaction.id,
    )
    uow.callbacks.add(callback)
    uow.flush()
    record(
        uow,
        case,
        EventKind.CALLBACK_SCHEDULED,
        actor,
        now,
        before,
        {"status": str(case.status), "callback_id": callback.id, "due_at": due.isoformat()},
    )
    return callback
