"""Telephony's ``AgentDesk`` in memory (``MemoryDesk``), over the ``CallBook`` of ``crm.door.memory_calls``.

It follows the observable rules of ``crm.door.sql_desk`` that the contract suite checks (the contact on the
continuing case, a hand-off's summary, a drop's callback, the desk's records), with the domain's pure rules
(``crm.cases.continuity``, ``check_transition``, ``FinishedCall.merged``) rather than copies of them. Each
command is atomic, as a unit of work is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from crm.calls.model import AgentStateChange, FinishedCall
from crm.cases import continuity
from crm.cases.model import Callback, CallbackStatus, Case, Disposition, Handoff, Interaction
from crm.cases.status import CaseStatus, check_transition
from crm.citizens.model import Citizen, SystemVerification
from crm.citizens.phone import normalize_phone
from crm.citizens.pin import CitizenPin, PinCheck, PinHasher, PinPolicy
from crm.citizens.pin_services import ENROLMENT_EVIDENCE
from crm.door.calls import AgentRecord, Answered, AnsweredCall, CallbackTask, Ended, HandedOff
from crm.door.memory_calls import CallBook
from crm.errors import (
    CaseNotFound,
    CenterNotFound,
    CitizenNotFound,
    Forbidden,
    HandoffNotFound,
    InteractionClosed,
    InteractionNotFound,
    OtherCenter,
)
from kernel.actor import Role
from kernel.calendar import SEOUL, WorkCalendar, to_seoul
from kernel.errors import Conflict, DomainError, ValidationFailed


class MemoryDesk:
    """``AgentDesk`` over a ``CallBook``: acts as the agent on the call, as the SQL desk does."""

    def __init__(
        self, book: CallBook, calendar: WorkCalendar | None = None, pin_hasher: PinHasher | None = None
    ) -> None:
        self.book = book
        self.calendar = calendar or WorkCalendar()
        self.pin_hasher = pin_hasher or PinHasher()

    def agents(self) -> list[AgentRecord]:
        with self.book.lock:
            return list(self.book.agents.values())

    def answered(self, agent: AgentRecord, now: dt.datetime, call: AnsweredCall) -> Answered:
        try:
            with self.book.atomic():
                return self._answered(agent, now, call)
        except DomainError as error:
            if call.case_number is None:
                raise
            with self.book.atomic():  # the case was closed or merged meanwhile: a contact without it
                found = self._answered(agent, now, dataclasses.replace(call, case_number=None, handoff_id=None))
            return dataclasses.replace(found, note=f"{error.code}: {error}")

    def _answered(self, agent: AgentRecord, now: dt.datetime, call: AnsweredCall) -> Answered:
        book = self.book
        if call.center not in book.centers:
            raise CenterNotFound(f"no center {call.center}", center=call.center)
        _member(agent, {call.center})
        candidates: list[int] = []
        digits = masked = None
        if call.citizen_id is not None:
            if call.citizen_id not in book.citizens:
                raise CitizenNotFound(f"no citizen {call.citizen_id}", citizen_id=call.citizen_id)
            candidates = [call.citizen_id]
        if call.phone is not None:
            number = normalize_phone(call.phone)
            digits, masked = number.digits, number.masked
            if call.citizen_id is None:
                # As crm.citizens.services.match_caller: a new number becomes a new, unverified citizen.
                candidates = book.by_phone(digits) or [book.add_citizen(call.phone, citizen=Citizen(created_at=now))]
        contact = Interaction(
            call.channel,
            call.center,
            now,
            citizen_id=candidates[0] if len(candidates) == 1 else None,
            agent_id=agent.agent_id,
            caller_masked=masked,
            queued_at=call.queued_at,
            answered_at=now,
            sip_call_id=call.sip_call_id,
            caller_number=digits,
            origin="call",
            id=book.next_id(),
            wait_seconds=int((now - call.queued_at).total_seconds()) if call.queued_at else None,
        )
        book.interactions[contact.id or 0] = contact
        if call.pin_verified_citizen is not None and contact.citizen_id == call.pin_verified_citizen:
            contact.verified_method, contact.verified_at = SystemVerification.IVR_PIN.value, now
        summary = sender = None
        if call.case_number is None:
            return Answered(contact.id or 0, None, contact.citizen_id)
        case = book.case(call.case_number)
        if call.handoff_id is not None:
            handoff = self._accept(agent, now, case, call.case_number, call.handoff_id)
            summary, sender = handoff.summary, handoff.from_center
        self._continue(agent, now, contact, case, call.case_number)
        return Answered(contact.id or 0, call.case_number, contact.citizen_id, summary, sender)

    def _accept(self, agent: AgentRecord, now: dt.datetime, case: Case | None, number: str, handoff_id: int) -> Handoff:
        if case is None:
            raise CaseNotFound(f"no case {number}", case_number=number)
        handoff = self.book.handoffs.get(handoff_id)
        if handoff is None or handoff.case_id != case.id:
            raise HandoffNotFound(f"no hand-off {handoff_id} on case {number}", handoff_id=handoff_id)
        _member(agent, {handoff.to_center})
        if handoff.accepted_at is not None:
            raise Conflict("this hand-off was already accepted")
        if self.book.handoffs_of(case.id or 0)[-1].id != handoff.id:
            raise Conflict("a newer hand-off superseded this one")
        handoff.accepted_at, handoff.accepted_by = now, agent.agent_id
        if case.status is CaseStatus.TRANSFERRED:
            case.status = CaseStatus.IN_PROGRESS
        case.owner_agent_id, case.updated_at = agent.agent_id, now
        return handoff

    def _continue(
        self, agent: AgentRecord, now: dt.datetime, contact: Interaction, case: Case | None, number: str
    ) -> None:
        book = self.book
        privileged = agent.role == Role.ADMIN.value
        if case is None or not (privileged or agent.center in book.continuing_centers(case)):
            raise CaseNotFound(f"no case {number} that you may continue", case_number=number)
        if contact.citizen_id is None:
            raise Conflict("pick the caller's citizen first: a case is continued only with its own citizen")
        if contact.citizen_id != case.citizen_id:
            raise Conflict("this case belongs to another citizen")
        offered = continuity.continuable_cases(book.cases_of(case.citizen_id), now, book.policy)
        if case.id not in {c.id for c in offered}:
            raise Conflict(f"case {number} cannot be continued (status {case.status})", status=str(case.status))
        contact.case_id = case.id
        if case.status in (CaseStatus.OPEN, CaseStatus.WAITING_CALLBACK, CaseStatus.REOPENED, CaseStatus.TRANSFERRED):
            case.status = CaseStatus.IN_PROGRESS
        case.owner_agent_id, case.updated_at = agent.agent_id, now

    def enrol_pin(self, agent: AgentRecord, now: dt.datetime, interaction_id: int, pin: str, repeated: str) -> str:
        with self.book.atomic():
            contact = _own(self.book, agent, interaction_id)
            if not contact.is_open:
                raise InteractionClosed("this contact is already wrapped up")
            citizen_id = contact.citizen_id
            if citizen_id is None or not contact.identity_verified or contact.verified_method not in ENROLMENT_EVIDENCE:
                raise Forbidden("비밀번호 등록 전에 본인 확인을 해야 합니다 (verify the caller first)")
            refused = self.book.pin_refusal(PinPolicy(), citizen_id, pin, repeated)
            if refused is not None:
                return refused.value
            self.book.pins[citizen_id] = CitizenPin(citizen_id, self.pin_hasher.hash(pin), now)
            return PinCheck.VERIFIED.value

    def ended(
        self,
        agent: AgentRecord,
        now: dt.datetime,
        *,
        interaction_id: int,
        disposition: Disposition,
        dropped: bool,
        recording_ref: str | None,
        call: FinishedCall | None = None,
    ) -> Ended:
        book = self.book
        with book.atomic():
            contact = _own(book, agent, interaction_id)
            if contact.ended_at is not None:
                raise InteractionClosed("this contact has already ended")
            contact.ended_at, contact.disposition = now, disposition
            if contact.answered_at is not None:
                contact.talk_seconds = max(0, int((now - contact.answered_at).total_seconds()))
            if recording_ref is not None:
                contact.recording_ref = recording_ref
            case = book.cases.get(contact.case_id) if contact.case_id is not None else None
            task = None
            if dropped or disposition in (Disposition.DROPPED, Disposition.WORKER_LOST):
                outcome = continuity.after_drop(case, contact, now, book.policy)
                if case is not None and outcome.callback_due is not None:
                    if outcome.new_status is not None:
                        case.status = outcome.new_status
                    callback = Callback(
                        case.id or 0,
                        case.citizen_id,
                        contact.center_code,
                        outcome.callback_due,
                        str(disposition),
                        now,
                        interaction_id=contact.id,
                        id=book.next_id(),
                    )
                    book.callbacks[callback.id or 0] = callback
                    task = book.task(callback)
                contact.completed_at = now
            elif not continuity.opens_case(disposition) or contact.agent_id is None:
                contact.completed_at = now
            if case is not None:
                case.updated_at = now  # the domain records the end on the case, which touches it
            if call is not None:
                _save_call(book, call)
            return Ended(interaction_id, task)

    def hand_off(
        self,
        agent: AgentRecord,
        now: dt.datetime,
        *,
        interaction_id: int,
        to_center: str,
        to_queue: str | None,
        summary: str,
        reason: str,
        to_agent_id: int | None = None,
    ) -> HandedOff:
        book = self.book
        with book.atomic():
            contact = _own(book, agent, interaction_id)
            if contact.case_id is None:
                if contact.citizen_id is None:
                    raise Conflict("the caller is not identified: pick the citizen before transferring")
                case = Case(
                    book.case_number(agent.center, now),
                    contact.citizen_id,
                    contact.channel,
                    agent.center,
                    owner_agent_id=agent.agent_id,
                    summary=summary,
                    created_at=now,
                    updated_at=now,
                    id=book.next_id(),
                )
                book.cases[case.id or 0] = case
                contact.case_id = case.id
            else:
                case = book.cases[contact.case_id]
            if not (agent.role == Role.ADMIN.value or agent.center == case.owner_center):
                raise CaseNotFound(f"no case {case.number} that you may change", case_number=case.number)
            if to_center not in book.centers:
                raise CenterNotFound(f"no center {to_center}", center=to_center)
            if not summary.strip():
                raise ValidationFailed("a hand-off needs a summary for the receiving agent")
            check_transition(case.status, CaseStatus.TRANSFERRED)
            handoff = Handoff(
                case.id or 0,
                case.owner_center,
                to_center,
                reason,
                summary,
                now,
                from_agent_id=agent.agent_id,
                to_queue=to_queue,
                to_agent_id=to_agent_id,
                id=book.next_id(),
            )
            book.handoffs[handoff.id or 0] = handoff
            case.status = CaseStatus.TRANSFERRED
            if to_center != case.owner_center:
                case.due_at = self.calendar.add_working_days(now, book.policy.handoff_due_working_days)
            case.owner_center, case.owner_agent_id, case.updated_at = to_center, to_agent_id, now
            return HandedOff(case.number, handoff.id or 0)

    def pending_callbacks(self) -> list[CallbackTask]:
        with self.book.lock:
            pending = [c for c in self.book.callbacks.values() if c.status is CallbackStatus.PENDING]
            return [self.book.task(c) for c in sorted(pending, key=lambda c: (c.due_at, c.id or 0))]

    def callback_task(self, callback_id: int) -> CallbackTask | None:
        with self.book.lock:
            callback = self.book.callbacks.get(callback_id)
            if callback is None or callback.status is not CallbackStatus.PENDING:
                return None
            return self.book.task(callback)

    def callback_finished(self, callback_id: int, status: CallbackStatus, attempts: int) -> None:
        with self.book.lock:
            callback = self.book.callbacks.get(callback_id)
            if callback is not None and callback.status in (CallbackStatus.PENDING, CallbackStatus.DIALING):
                callback.status, callback.attempts = status, attempts

    def call_finished(self, call: FinishedCall, caller_digits: str | None = None) -> None:
        with self.book.lock:
            _save_call(self.book, call)

    def agent_state_changed(self, change: AgentStateChange) -> None:
        with self.book.lock:
            self.book.state_changes.append(change)

    def today(self, now: dt.datetime) -> tuple[list[FinishedCall], list[AgentStateChange]]:
        midnight = dt.datetime.combine(to_seoul(now).date(), dt.time(0), tzinfo=SEOUL)
        with self.book.lock:
            calls = sorted(
                (c for c in self.book.calls.values() if c.enqueued_at >= midnight), key=lambda c: c.enqueued_at
            )
            changes = sorted((c for c in self.book.state_changes if c.at >= midnight), key=lambda c: c.at)
            return calls, changes


def _member(agent: AgentRecord, centers: set[str]) -> None:
    """Writes need the agent's center among ``centers`` (admins excepted), as the domain's services check."""
    if agent.role == Role.ANALYST.value:
        raise Forbidden("analysts cannot change cases")
    if agent.role != Role.ADMIN.value and agent.center not in centers:
        raise OtherCenter("this case belongs to another center", centers=sorted(centers))


def _own(book: CallBook, agent: AgentRecord, interaction_id: int) -> Interaction:
    contact = book.interactions.get(interaction_id)
    if contact is None:
        raise InteractionNotFound(f"no interaction {interaction_id}", interaction_id=interaction_id)
    if agent.role != Role.ADMIN.value and contact.agent_id != agent.agent_id:
        raise Forbidden("this contact is assigned to another agent", interaction_id=interaction_id)
    return contact


def _save_call(book: CallBook, call: FinishedCall) -> None:
    """One row per call: a later write of the same call merges into it (``FinishedCall.merged``)."""
    key = (call.call_id, call.enqueued_at)
    earlier = book.calls.get(key)
    book.calls[key] = call if earlier is None else earlier.merged(call)
