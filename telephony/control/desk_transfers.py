"""The desk's transfers room: blind (to another center's queue or menu, or outside the platform by REFER
with the case in ``User-to-User``) and warm (the caller waits on hold while the agent consults the receiving
agent, a third leg in the same worker). The case and the sender's summary go with the caller (a hand-off,
written by one short unit of work); a call has at most one transfer in flight.
"""

from __future__ import annotations

import logging
from typing import Any

from twisted.internet import defer

from crm.door.calls import AgentRecord, CallKind, Disposition, HandedOff
from kernel.errors import Conflict, DomainError, ValidationFailed
from telephony.acd import AgentNotAvailable, AgentState, QueueKey, UnknownAgent
from telephony.control.desk_media import MediaRoom
from telephony.control.desk_model import (
    AgentLeg,
    Conversation,
    NoMediaCapacity,
    TransferInProgress,
    uui,
)
from telephony.cti.bus import CtiKind
from telephony.media import protocol as media

log = logging.getLogger("sori.desk")


class TransfersRoom(MediaRoom):
    # -- the agent's transfer buttons (HTTP API) ----------------------------------------------------
    def transfer(
        self,
        login: str,
        *,
        mode: str,
        summary: str,
        to_center: str | None = None,
        to_queue: str | None = None,
        to_external: str | None = None,
        to_agent: str | None = None,
    ) -> defer.Deferred[dict[str, Any]]:
        """Blind or warm transfer of the agent's caller; the Deferred fires once the case is handed off.

        ``to_agent`` (a login): to that agent only, in their center (warm: they are consulted; blind: the caller
        is offered to them alone). They must be ready now (else ``AgentNotAvailable``, the caller stays).
        """
        conv = self._talking(login)
        if conv.consult is not None or conv.transferring:
            raise TransferInProgress("a transfer of this call is already in progress")
        if not summary.strip():
            raise ValidationFailed("a transfer needs a summary for the receiving agent")
        if to_agent is not None:
            if to_center is not None or to_queue is not None or to_external is not None:
                raise ValidationFailed("a transfer to a named agent names only to_agent")
            to_center = self._available(login, to_agent).center
        if to_external is not None:
            if mode != "blind" or to_center is not None:
                raise ValidationFailed("a transfer outside the platform is blind and names only to_external")
            uri = self.settings.external_destinations.get(to_external)
            if uri is None:
                known = sorted(self.settings.external_destinations)
                raise ValidationFailed(f"no outside destination '{to_external[:40]}' is configured", known=known)
            return self._external(conv, uri, to_external)
        if to_center is None:
            raise ValidationFailed("name the receiving center (to_center) or a configured outside destination")
        if mode == "warm":
            if to_queue is None and to_agent is None:
                raise ValidationFailed("a warm transfer goes to a queue (to_queue) of the receiving center")
            if self.media is None or self.media.worker_free_slots(conv.caller.worker_id) < 1:
                raise NoMediaCapacity("no call slot left in this caller's media worker for a consultation")
            self.acd.queue_exists(QueueKey(to_center, to_queue or self.settings.default_skill))
        elif mode != "blind":
            raise ValidationFailed(f"mode '{mode}': use blind or warm")
        assert conv.agent is not None and conv.interaction_id is not None
        agent = self.agents[login]
        conv.transferring = True  # until the hand-off is written (a short unit of work on the database pool)
        d = self.db(
            self.store.hand_off, agent, self.clock(), interaction_id=conv.interaction_id, to_center=to_center,
            to_queue=to_queue, summary=summary, reason=f"{mode}-transfer",
            to_agent_id=self._agent_id(to_agent) if to_agent is not None else None,
        )  # fmt: skip

        def written(result: Any) -> Any:
            conv.transferring = False
            return result

        d.addBoth(written)
        d.addCallback(self._handed_off, conv, mode, to_center, to_queue, summary, to_agent)
        return d

    def _available(self, login: str, to_agent: str) -> AgentRecord:
        """The named agent, when they may receive this transfer now: known to telephony, not the sender, ready."""
        target = self.agents.get(to_agent)
        if target is None:
            raise UnknownAgent(f"no agent '{to_agent[:40]}' takes calls", agent_id=to_agent[:40])
        if to_agent == login:
            raise ValidationFailed("a transfer goes to another agent")
        try:
            ready = self.acd.agent(to_agent).state is AgentState.READY
        except DomainError:
            ready = False
        if not ready:
            raise AgentNotAvailable(
                "상담사가 지금 전화를 받을 수 있는 상태(대기)가 아닙니다. 다른 상담사나 대기열로 돌려 주세요. "
                "(the agent is not ready for a call)",
                agent_id=to_agent,
            )
        return target

    def complete_transfer(self, login: str) -> dict[str, Any]:
        conv = self._talking(login)
        consult = conv.consult
        if consult is None or not consult.answered or conv.consult_acd_id is None or conv.consult_queue is None:
            raise Conflict("no answered consultation to complete")
        assert conv.agent is not None
        old = conv.agent
        self._command(conv, media.Unbridge, call_ref_a=old.call_ref, call_ref_b=consult.call_ref)
        queue = conv.consult_queue
        self._note_transfer(conv.acd_id, f"{queue.center}/{queue.skill}")
        self._leave_agent(conv, Disposition.TRANSFERRED)
        self._unhold(conv)
        self._set_held(conv, False)
        conv.hold_seconds = 0.0  # the receiving agent's own hold time starts now
        conv.acd_id, conv.queue = conv.consult_acd_id, conv.consult_queue
        conv.consult = conv.consult_acd_id = conv.consult_queue = None
        consult.kind = "talk"
        conv.agent = consult
        conv.answered_at = self.clock()
        conv.interaction_id = None
        self._command(conv, media.Bridge, call_ref_a=conv.caller.call_ref, call_ref_b=consult.call_ref)
        self._start_recording(conv)
        self._start_contact(conv, consult.login)
        self._publish(CtiKind.CALL_TRANSFERRED, conv, mode="warm", completed=True)
        return self._call_view(conv)

    def cancel_transfer(self, login: str) -> dict[str, Any]:
        conv = self._talking(login)
        consult = conv.consult
        if consult is None:
            raise Conflict("no transfer in progress")
        self._drop_consult(conv)
        if conv.held:
            self._set_held(conv, False)
            self._unhold(conv)
            assert conv.agent is not None
            self._command(conv, media.Bridge, call_ref_a=conv.caller.call_ref, call_ref_b=conv.agent.call_ref)
        self._publish(CtiKind.CALL_TRANSFERRED, conv, mode="warm", cancelled=True)
        return self._call_view(conv)

    # -- transfers ----------------------------------------------------------------------------------
    def _handed_off(
        self,
        handed: HandedOff,
        conv: Conversation,
        mode: str,
        to_center: str,
        to_queue: str | None,
        summary: str,
        to_agent: str | None = None,
    ) -> dict[str, Any]:
        conv.caller.case_number = handed.case_number
        conv.caller.handoff_id = handed.handoff_id
        if to_agent is not None:
            # Checked again: the agent may have left ready while the hand-off was written. The caller stays.
            self._available(conv.agent.login if conv.agent else "", to_agent)
        if mode == "warm":
            self._consult(conv, QueueKey(to_center, to_queue or self.settings.default_skill), for_agent=to_agent)
            return self._call_view(conv)
        # blind: the agent leaves, the caller waits for the receiving center
        self._note_transfer(conv.acd_id, f"{to_center}/{to_queue}" if to_queue is not None else to_center)
        self._leave_agent(conv, Disposition.TRANSFERRED)
        self._set_held(conv, False)
        target = {"to_agent_id": self._agent_id(to_agent)} if to_agent is not None else {}
        self._publish(CtiKind.CALL_TRANSFERRED, conv, mode="blind", to_center=to_center, to_queue=to_queue,
                      case_number=handed.case_number, handoff_id=handed.handoff_id, **target)  # fmt: skip
        caller = conv.caller
        caller.center = to_center
        self.by_leg.pop(caller.call_ref, None)
        self.by_acd.pop(conv.acd_id, None)
        conv.ended = True  # this conversation is over; the caller starts a new one
        if to_agent is not None:
            self.enqueue(caller, self.settings.default_skill, priority=5, for_agent=to_agent)
        elif to_queue is not None:
            self.enqueue(caller, to_queue, priority=5)
        elif self._resume is not None:
            self._unhold(conv)
            self._resume(caller, to_center, handed.case_number)
        return {"case_number": handed.case_number, "handoff_id": handed.handoff_id, "mode": mode}

    def _consult(self, conv: Conversation, queue: QueueKey, for_agent: str | None = None) -> None:
        assert conv.agent is not None
        self._set_held(conv, True)
        self._command(conv, media.Unbridge, call_ref_a=conv.caller.call_ref, call_ref_b=conv.agent.call_ref)
        self._hold(conv)
        self._publish(CtiKind.CALL_HELD, conv, held=True, consult=True)
        consult_id = self._new_acd_id(conv.caller.call_ref)
        conv.consult_acd_id, conv.consult_queue = consult_id, queue
        self.by_acd[consult_id] = conv
        now = self.clock()
        events = self.acd.call_arrived(consult_id, queue, now, priority=10, case_number=conv.caller.case_number,
                                       for_agent=for_agent)  # fmt: skip
        self._note_arrival(consult_id, CallKind.CONSULT, conv, now)
        self._handle(events)

    def _consult_answered(self, conv: Conversation, leg: AgentLeg) -> None:
        assert conv.consult_acd_id is not None and conv.agent is not None
        now = self.clock()
        try:
            self._handle(self.acd.call_answered(conv.consult_acd_id, leg.login, now))
        except DomainError as error:
            log.warning("consultation answer refused: %s", error)
            self._release_leg(conv, leg)
            return
        self._note_answer(conv.consult_acd_id, leg.login, now)
        self._command(conv, media.Bridge, call_ref_a=conv.agent.call_ref, call_ref_b=leg.call_ref)
        self._publish(CtiKind.CALL_TRANSFERRED, conv, mode="warm", consult_agent_id=self._agent_id(leg.login))

    def _drop_consult(self, conv: Conversation) -> None:
        consult, acd_id = conv.consult, conv.consult_acd_id
        conv.consult = None
        conv.consult_acd_id = conv.consult_queue = None
        if acd_id is not None:
            self.by_acd.pop(acd_id, None)
        now = self.clock()
        if consult is not None:
            self._release_leg(conv, consult)
        if acd_id is None:
            return
        try:
            if consult is not None and consult.answered:
                self._handle(self.acd.call_ended(acd_id, now))
            else:
                self._handle(self.acd.call_abandoned(acd_id, now))
        except DomainError as error:
            log.info("consultation %s: %s", acd_id, error)

    def _leave_agent(self, conv: Conversation, disposition: Disposition) -> None:
        """The current agent leaves the call (transfer): their leg hangs up, their contact ends, wrap-up."""
        leg = conv.agent
        assert leg is not None
        login = leg.login
        self._release_leg(conv, leg)
        self._note(conv.acd_id, disposition=str(disposition))
        try:
            self._handle(self.acd.call_ended(conv.acd_id, self.clock(), hold_seconds=self._hold_total(conv)))
        except DomainError as error:
            log.info("end of %s ignored: %s", conv.acd_id, error)
        self._end_contact(conv, login, disposition, dropped=False)
        conv.agent = None

    def _external(self, conv: Conversation, to_uri: str, name: str) -> defer.Deferred[dict[str, Any]]:
        """A blind transfer by REFER to a configured destination (the configuration checked its form)."""
        number = conv.caller.case_number
        headers = {"User-to-User": uui(number or "")}
        assert conv.agent is not None
        self._command(conv, media.Unbridge, call_ref_a=conv.caller.call_ref, call_ref_b=conv.agent.call_ref)
        self._note_transfer(conv.acd_id, f"external:{name}")
        self._leave_agent(conv, Disposition.TRANSFERRED)
        conv.ended = True
        self.by_leg.pop(conv.caller.call_ref, None)
        self.by_acd.pop(conv.acd_id, None)
        self._command(conv, media.Transfer, call_ref=conv.caller.call_ref, target_uri=to_uri, headers=headers)
        self._publish(CtiKind.CALL_TRANSFERRED, conv, mode="blind", external=True, case_number=number)
        return defer.succeed({"case_number": number, "handoff_id": None, "mode": "blind"})
