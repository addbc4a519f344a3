"""The case store behind ``crm.door.calls.AgentDesk``: what the desk needs while agents talk to callers.

Every method is blocking and runs on the database thread pool, one unit of work each. They act as the agent
on the call (an ``Actor`` built from the agent's record), so the case events name the agent, and they go
through the domain services only: the rules of continuity (a transfer keeps the case, a drop schedules a
callback) live there, not here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from crm.agents.model import Agent
from crm.calls.model import AgentStateChange, FinishedCall
from crm.cases import contacts, services
from crm.cases.continuity import ContinuityPolicy
from crm.cases.model import Callback, CallbackStatus, Disposition
from crm.cases.scheduled_callbacks import parse_phone_ref
from crm.citizens import pin_services
from crm.citizens.model import SystemVerification
from crm.citizens.pin import PinHasher, PinPolicy
from crm.door.calls import AgentRecord, Answered, AnsweredCall, CallbackTask, Ended, HandedOff
from crm.ports import UnitOfWork
from crm.store.uow import UnitOfWorkFactory
from kernel.calendar import SEOUL, WorkCalendar, to_seoul
from kernel.errors import Conflict, DomainError


class AgentContacts:
    def __init__(self, uow: UnitOfWorkFactory, policy: ContinuityPolicy, calendar: WorkCalendar) -> None:
        self.uow = uow
        self.policy = policy
        self.calendar = calendar
        self.pin_hasher = PinHasher()

    def agents(self) -> list[AgentRecord]:
        with self.uow(readonly=True) as uow:
            return [_record(a) for a in uow.agents.list() if a.active and a.id is not None]

    def answered(self, agent: AgentRecord, now: dt.datetime, call: AnsweredCall) -> Answered:
        """The agent picked up: their contact starts, on the continuing case when there is one."""
        try:
            return self._answered(agent, now, call)
        except DomainError as error:
            if call.case_number is None:
                raise
            # The case was closed or merged meanwhile: the contact starts without it, the agent opens one.
            found = self._answered(agent, now, dataclasses.replace(call, case_number=None, handoff_id=None))
            return dataclasses.replace(found, note=f"{error.code}: {error}")

    def _answered(self, agent: AgentRecord, now: dt.datetime, call: AnsweredCall) -> Answered:
        actor = agent.actor()
        with self.uow() as uow:
            interaction, _, _ = contacts.start_interaction(
                uow,
                actor,
                now,
                self.policy,
                channel=call.channel,
                center_code=call.center,
                phone=call.phone,
                citizen_id=call.citizen_id,
                sip_call_id=call.sip_call_id,
                queued_at=call.queued_at,
            )
            assert interaction.id is not None
            if call.pin_verified_citizen is not None and interaction.citizen_id == call.pin_verified_citizen:
                # The system checked the PIN, not the agent: verified_by stays empty.
                interaction.verified_method = SystemVerification.IVR_PIN.value
                interaction.verified_at, interaction.verified_by = now, None
            summary = sender = number = None
            if call.case_number is not None:
                if call.handoff_id is not None:
                    handoff = services.accept_handoff(
                        uow, actor, now, number=call.case_number, handoff_id=call.handoff_id
                    )
                    summary, sender = handoff.summary, handoff.from_center
                case = services.continue_case(
                    uow, actor, now, interaction_id=interaction.id, number=call.case_number, policy=self.policy
                )
                number = case.number
            uow.commit()
            return Answered(interaction.id, number, interaction.citizen_id, summary, sender)

    def enrol_pin(self, agent: AgentRecord, now: dt.datetime, interaction_id: int, pin: str, repeated: str) -> str:
        """The PIN the caller keyed twice for their contact's citizen: ``verified`` when enrolled, else why not."""
        with self.uow() as uow:
            refused = pin_services.enrol_pin(uow, agent.actor(), now, self.pin_hasher, PinPolicy(),
                                             interaction_id=interaction_id, pin=pin, repeated=repeated)  # fmt: skip
            uow.commit()
        return "verified" if refused is None else refused.value

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
        """The agent's contact ended; a dropped one on a case gets its callback task (continuity rules). The
        call's record (``call``, when the desk keeps records) is written in the same unit of work."""
        with self.uow() as uow:
            _, callback = contacts.end_interaction(
                uow,
                agent.actor(),
                now,
                self.policy,
                interaction_id=interaction_id,
                disposition=disposition,
                dropped=dropped,
                recording_ref=recording_ref,
            )
            task = None
            if callback is not None and callback.id is not None:
                task = self._task(uow, callback.id)
            if call is not None:
                uow.call_log.save_call(call)
            uow.commit()
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
        """Transfer: the same case goes with the caller (a case is opened first if the contact has none)."""
        actor = agent.actor()
        with self.uow() as uow:
            interaction = services.own_interaction(uow, actor, interaction_id)
            if interaction.case_id is None:
                if interaction.citizen_id is None:
                    raise Conflict("the caller is not identified: pick the citizen before transferring")
                case = services.open_case(
                    uow,
                    actor,
                    now,
                    citizen_id=interaction.citizen_id,
                    center_code=agent.center,
                    channel=interaction.channel,
                    summary=summary,
                    interaction_id=interaction_id,
                )
            else:
                found = uow.cases.get_by_id(interaction.case_id)
                assert found is not None
                case = found
            handoff = services.hand_off(
                uow,
                actor,
                now,
                self.calendar,
                self.policy,
                number=case.number,
                to_center=to_center,
                to_queue=to_queue,
                to_agent_id=to_agent_id,
                reason=reason,
                summary=summary,
            )
            assert handoff.id is not None
            uow.commit()
            return HandedOff(case.number, handoff.id)

    def pending_callbacks(self) -> list[CallbackTask]:
        with self.uow(readonly=True) as uow:
            return [
                self._task(uow, c.id)
                for c in uow.callbacks.pending(None, None)
                if c.id is not None and c.status is CallbackStatus.PENDING
            ]

    def callback_task(self, callback_id: int) -> CallbackTask | None:
        with self.uow(readonly=True) as uow:
            callback = uow.callbacks.get(callback_id)
            if callback is None or callback.status is not CallbackStatus.PENDING:
                return None
            return self._task(uow, callback_id)

    def callback_finished(self, callback_id: int, status: CallbackStatus, attempts: int) -> None:
        with self.uow() as uow:
            callback = uow.callbacks.get(callback_id)
            if callback is not None and callback.status in (CallbackStatus.PENDING, CallbackStatus.DIALING):
                callback.status = status
                callback.attempts = attempts
                uow.commit()

    # -- the desk's records (crm.calls.model), each its own unit of work ------------------------------------
    def call_finished(self, call: FinishedCall, caller_digits: str | None = None) -> None:
        """A call the ACD is done with (abandoned, or wrapped up: completes the row its contact's end wrote)."""
        with self.uow() as uow:
            uow.call_log.save_call(call, caller_digits)
            uow.commit()

    def agent_state_changed(self, change: AgentStateChange) -> None:
        with self.uow() as uow:
            uow.call_log.add_state_change(change)
            uow.commit()

    def today(self, now: dt.datetime) -> tuple[list[FinishedCall], list[AgentStateChange]]:
        """The calls that came in and the state changes since midnight in Seoul (the board's restart)."""
        midnight = dt.datetime.combine(to_seoul(now).date(), dt.time(0), tzinfo=SEOUL).astimezone(dt.UTC)
        with self.uow(readonly=True) as uow:
            return list(uow.call_log.calls_since(midnight)), list(uow.call_log.state_changes_since(midnight))

    @staticmethod
    def _task(uow: UnitOfWork, callback_id: int) -> CallbackTask:
        callback = uow.callbacks.get(callback_id)
        assert callback is not None
        case = uow.cases.get_by_id(callback.case_id)
        return CallbackTask(
            callback_id,
            callback.center_code,
            callback.due_at,
            case.number if case else None,
            _digits(uow, callback),
            callback.attempts,
            callback.window_end,
        )


def _digits(uow: UnitOfWork, callback: Callback) -> str | None:
    """The number to dial: the one an agent chose (the calling number, or one on file), else the citizen's
    latest number; None when the reference no longer leads to a number (nothing is dialled)."""
    phones = uow.citizens.phones(callback.citizen_id)
    if callback.phone_ref is None:
        return phones[-1].digits if phones else None
    ref = parse_phone_ref(callback.phone_ref)
    if ref is None:
        return None
    kind, ident = ref
    if kind == "calling":
        contact = uow.interactions.get(ident)
        return contact.caller_number if contact is not None else None
    return next((p.digits for p in phones if p.id == ident), None)


def _record(agent: Agent) -> AgentRecord:
    assert agent.id is not None
    return AgentRecord(agent.id, agent.login, agent.center_code, dict(agent.skills), str(agent.role), agent.sip_ha1)
