"""The desk's calls room: a caller enters a queue, the ACD's offer rings an agent's phone, the agent answers (the
legs are bridged and the agent's contact starts in the case store), and the conversation ends (the contact ends,
as dropped when the line failed, which schedules the case's callback).

An offer rings ``sip:<login>@<edge>``, a second leg dialled from the caller's own worker (pjsua2 bridges only legs
of one process), with the case in ``X-Sori-Case`` and ``User-to-User`` (RFC 7433); no answer within the ring
timeout, a busy phone or a failed dial gives the call back to the queue and the agent a break.
"""

from __future__ import annotations

import contextlib
import logging

from twisted.python.failure import Failure

from crm.door.calls import Answered, AnsweredCall, CallKind, Disposition, Ended
from kernel.errors import DomainError
from telephony.acd import CallOffered, CallQueued, Closed, QueueKey
from telephony.control.desk_media import MediaRoom
from telephony.control.desk_model import NORMAL_CAUSES, AgentLeg, Caller, Conversation, cancel_timer
from telephony.cti.bus import CtiKind
from telephony.ivr.actions import Phrase
from telephony.media import protocol as media

log = logging.getLogger("sori.desk")


class CallsRoom(MediaRoom):
    # -- callers from the switchboard -----------------------------------------------------------------
    def enqueue(self, caller: Caller, skill: str, priority: int = 0, for_agent: str | None = None) -> None:
        queue = QueueKey(caller.center, skill)
        acd_id = self._new_acd_id(caller.call_ref)
        conv = Conversation(caller, acd_id, queue, self.clock())
        self.by_acd[acd_id] = conv
        self.by_leg[caller.call_ref] = conv
        self._hold(conv)
        try:
            events = self.acd.call_arrived(acd_id, queue, conv.queued_at, priority=priority,
                                           case_number=caller.case_number, for_agent=for_agent)  # fmt: skip
        except DomainError as error:
            log.error("queue %s refused the call: %s", queue, error, extra={"sip_call_id": caller.sip_call_id})
            self._hangup(caller.worker_id, caller.call_ref)
            return
        self._note_arrival(acd_id, CallKind.INBOUND, conv, conv.queued_at)
        self._publish(CtiKind.CALL_QUEUED, conv, skill=skill, priority=priority)
        self._handle(events)

    def caller_gone(self, call_ref: str, cause: int | None, worker_lost: bool = False) -> bool:
        """The caller's leg ended; True when the desk owned the call (the switchboard records nothing)."""
        conv = self.by_leg.get(call_ref)
        if conv is None or conv.caller.call_ref != call_ref:
            return False
        dropped = worker_lost or (cause is not None and cause not in NORMAL_CAUSES)
        self._finish(conv, dropped=dropped, worker_lost=worker_lost)
        return conv.answered_at is not None

    def leg_state(self, call_ref: str, state: str, code: int, cause: int | None) -> bool:
        """A leg the desk dialled changed state; False if it is not one of ours."""
        conv = self.by_leg.get(call_ref)
        if conv is None:
            return False
        if conv.caller.call_ref == call_ref:  # a callback's citizen leg
            self._citizen_leg(conv, state, code, cause)
            return True
        leg = conv.agent if conv.agent is not None and conv.agent.call_ref == call_ref else conv.consult
        if leg is None or leg.call_ref != call_ref:
            return True
        if state == "confirmed" and not leg.answered:
            leg.answered = True
            cancel_timer(leg.timer)
            if leg.kind == "consult":
                self._consult_answered(conv, leg)
            elif leg.kind == "callback-agent":
                self._dial_citizen(conv)
            else:
                self._agent_answered(conv, leg)
        elif state == "disconnected":
            self.by_leg.pop(call_ref, None)
            cancel_timer(leg.timer)
            self._agent_leg_ended(conv, leg, code, cause)
        return True

    def playback_done(self, call_ref: str, playback_id: str) -> bool:
        conv = self.by_leg.get(call_ref)
        if conv is None:
            return False
        if playback_id == f"notice-{conv.caller.call_ref}" and conv.agent is not None and conv.agent.answered:
            self._connect(conv)
        elif playback_id == f"position-{conv.caller.call_ref}" and conv.answered_at is None and not conv.ended:
            self._hold(conv)  # back to the music until an agent answers
        return True

    def worker_lost(self, call_refs: tuple[str, ...]) -> None:
        for ref in call_refs:
            conv = self.by_leg.get(ref)
            if conv is not None and not conv.ended:
                self._finish(conv, dropped=True, worker_lost=True)

    # -- the agent's hang-up button (HTTP API) ---------------------------------------------------------
    def hangup(self, login: str) -> None:
        conv = self._talking(login)
        self._hangup(conv.caller.worker_id, conv.caller.call_ref)

    # -- offers ---------------------------------------------------------------------------------------
    def _offer(self, event: CallOffered) -> None:
        conv = self.by_acd.get(event.call_id)
        if conv is None:
            return
        consult = event.call_id == conv.consult_acd_id
        kind = "consult" if consult else "talk"
        ref = f"{conv.caller.call_ref}.{kind}{next(self._ids)}"
        leg = AgentLeg(ref, event.agent_id, kind)
        if consult:
            conv.consult = leg
        else:
            conv.agent = leg
        self.by_leg[ref] = conv
        headers = self._agent_headers(conv)
        leg.timer = self.scheduler.callLater(self.settings.ring_timeout_s, self._ring_timeout, conv, leg)
        d = self._dial(conv, ref, f"sip:{event.agent_id}@{self._edge()}", headers)
        d.addErrback(self._dial_failed, conv, leg)
        self._publish(CtiKind.CALL_OFFERED, conv, to_agent_id=self._agent_id(event.agent_id), consult=consult)

    def _ring_timeout(self, conv: Conversation, leg: AgentLeg) -> None:
        if leg.answered or conv.ended:
            return
        log.info("agent %s did not answer", leg.login, extra={"sip_call_id": conv.caller.sip_call_id})
        self._release_leg(conv, leg)
        self._declined(conv, leg, "no-answer")

    def _dial_failed(self, failure: Failure, conv: Conversation, leg: AgentLeg) -> None:
        log.warning("dialling %s failed: %s", leg.login, failure.getErrorMessage())
        self.by_leg.pop(leg.call_ref, None)
        cancel_timer(leg.timer)
        if not leg.released:
            leg.released = True
            self._declined(conv, leg, "dial-failed")

    def _declined(self, conv: Conversation, leg: AgentLeg, reason: str) -> None:
        acd_id = conv.consult_acd_id if leg.kind == "consult" else conv.acd_id
        if leg is conv.agent:
            conv.agent = None
        if leg is conv.consult:
            conv.consult = None
        if acd_id is None:
            return
        if conv.callback_id is not None:
            self.facts.pop(acd_id, None)  # the ACD drops a declined callback attempt without a record
        try:
            self._handle(self.acd.call_declined(acd_id, leg.login, self.clock(), reason))
        except DomainError as error:
            log.info("decline of %s ignored: %s", acd_id, error)

    # -- answers ------------------------------------------------------------------------------------------
    def _agent_answered(self, conv: Conversation, leg: AgentLeg) -> None:
        if conv.ended:
            self._release_leg(conv, leg)
            return
        now = self.clock()
        try:
            self._handle(self.acd.call_answered(conv.acd_id, leg.login, now))
        except DomainError as error:
            log.warning("answer of %s refused: %s", conv.acd_id, error)
            self._release_leg(conv, leg)
            return
        self._note_answer(conv.acd_id, leg.login, now)
        conv.answered_at = now
        if conv.caller_answered:
            self._connect(conv)
        self._start_contact(conv, leg.login)

    def _connect(self, conv: Conversation) -> None:
        """Caller and agent talk: hold music off, legs bridged, recording on (after the notice)."""
        assert conv.agent is not None
        self._unhold(conv)
        self._stop_music(conv.caller.worker_id, conv.caller.call_ref, f"position-{conv.caller.call_ref}")
        self._command(conv, media.Bridge, call_ref_a=conv.caller.call_ref, call_ref_b=conv.agent.call_ref)
        self._start_recording(conv)
        self._publish(CtiKind.CALL_ANSWERED, conv, by="agent")

    def _start_contact(self, conv: Conversation, login: str) -> None:
        agent = self.agents.get(login)
        if agent is None:
            return
        caller = conv.caller
        d = self.db(
            self.store.answered, agent, self.clock(),
            AnsweredCall(conv.channel, agent.center, caller.phone, caller.citizen_id, caller.sip_call_id,
                         conv.queued_at, caller.case_number, caller.handoff_id, caller.pin_verified_citizen),
        )  # fmt: skip
        d.addCallback(self._contact_started, conv, login)
        d.addErrback(self._failed, conv, "agent contact start")

    def _contact_started(self, answered: Answered, conv: Conversation, login: str) -> None:
        conv.interaction_id = answered.interaction_id
        self._note(conv.acd_id, interaction_id=answered.interaction_id)
        conv.caller.case_number = answered.case_number
        conv.caller.handoff_id = None
        if answered.citizen_id is not None:
            conv.caller.citizen_id = answered.citizen_id
        conv.summary = answered.handoff_summary
        agent = self.agents.get(login)
        if self.events is not None:
            self.events.publish(
                CtiKind.CALL_ANSWERED, agent.center if agent else conv.queue.center, conv.caller.sip_call_id,
                agent.agent_id if agent else None, by="agent", interaction_id=answered.interaction_id,
                case_number=answered.case_number, handoff=answered.handoff_summary is not None,
            )  # fmt: skip
        if conv.ended:  # the caller hung up while the contact was being written
            self._end_contact(conv, login, Disposition.ANSWERED, dropped=False)

    # -- the end of a conversation --------------------------------------------------------------------
    def _finish(self, conv: Conversation, *, dropped: bool, worker_lost: bool) -> None:
        if conv.ended:
            return
        conv.ended = True
        now = self.clock()
        self.by_leg.pop(conv.caller.call_ref, None)
        if conv.consult is not None:
            self._drop_consult(conv)
        leg = conv.agent
        if conv.answered_at is None:  # still waiting or ringing: an abandon (or an unanswered callback)
            if leg is not None:
                self._release_leg(conv, leg)
            self.by_acd.pop(conv.acd_id, None)
            try:
                if conv.callback_id is not None:
                    self.facts.pop(conv.acd_id, None)
                    self._handle(self.acd.callback_unanswered(conv.callback_id, now))
                else:
                    self._handle(self.acd.call_abandoned(conv.acd_id, now))
            except DomainError as error:
                log.info("abandon of %s ignored: %s", conv.acd_id, error)
            return
        assert leg is not None
        self._release_leg(conv, leg)
        self.by_acd.pop(conv.acd_id, None)
        disposition = (
            Disposition.WORKER_LOST if worker_lost else Disposition.DROPPED if dropped else Disposition.ANSWERED
        )
        self._note(conv.acd_id, disposition=str(disposition))
        try:
            self._handle(self.acd.call_ended(conv.acd_id, now, hold_seconds=self._hold_total(conv)))
        except DomainError as error:
            log.info("end of %s ignored: %s", conv.acd_id, error)
        self._publish(CtiKind.CALL_ENDED, conv, disposition=str(disposition))
        if conv.interaction_id is not None:
            self._end_contact(conv, leg.login, disposition, dropped=dropped)

    def _end_contact(self, conv: Conversation, login: str, disposition: Disposition, dropped: bool) -> None:
        """The agent's contact ends, with the call's record when the desk keeps records (one unit of work)."""
        agent = self.agents.get(login)
        if agent is None or conv.interaction_id is None:
            return
        call = self._contact_record(conv)
        d = self._write(
            conv.acd_id, self.store.ended, agent, self.clock(), interaction_id=conv.interaction_id,
            disposition=disposition, dropped=dropped, recording_ref=self._recording_ref(conv),
            **({"call": call} if call is not None else {}),
        )  # fmt: skip
        conv.interaction_id = None
        d.addCallback(self._contact_ended)
        d.addErrback(self._failed, conv, "agent contact end")

    def _contact_ended(self, ended: Ended) -> None:
        if ended.callback is not None:
            self._schedule_callback(ended.callback, self.clock())

    def _agent_leg_ended(self, conv: Conversation, leg: AgentLeg, code: int, cause: int | None) -> None:
        if leg.released or conv.ended:
            return
        if not leg.answered:  # busy, not registered, rejected: back to the queue
            self._declined(conv, leg, f"sip-{code}")
            return
        if leg.kind == "consult":  # the consulted agent hung up: back to the caller
            conv.consult = None
            with contextlib.suppress(DomainError):
                self._handle(self.acd.call_ended(conv.consult_acd_id or "", self.clock()))
            self.by_acd.pop(conv.consult_acd_id or "", None)
            conv.consult_acd_id = conv.consult_queue = None
            return
        # The agent hung up: the conversation is over for the caller too.
        dropped = cause is not None and cause not in NORMAL_CAUSES
        self._hangup(conv.caller.worker_id, conv.caller.call_ref)
        self._finish(conv, dropped=dropped, worker_lost=False)

    # -- announcements -------------------------------------------------------------------------------
    def _announce(self, event: CallQueued) -> None:
        conv = self.by_acd.get(event.call_id)
        if conv is None or event.call_id == conv.consult_acd_id:
            return
        self._publish(CtiKind.QUEUE_CHANGED, conv, position=event.position, ewt_s=event.ewt_seconds)

    def _closed(self, event: Closed) -> None:
        self.facts.pop(event.call_id, None)  # refused: the ACD keeps no record of it
        conv = self.by_acd.pop(event.call_id, None)
        if conv is None:
            return
        if event.call_id == conv.consult_acd_id:
            conv.consult_acd_id = conv.consult_queue = None
            self._publish(CtiKind.CALL_TRANSFERRED, conv, mode="warm", cancelled=True, cause="closed")
            return
        conv.ended = True
        self.by_leg.pop(conv.caller.call_ref, None)
        text = "지금은 상담 시간이 아닙니다. 상담 시간에 다시 전화해 주십시오."
        self._play(conv, [Phrase(text)], f"closed-{conv.caller.call_ref}")
        self.scheduler.callLater(8.0, self._hangup, conv.caller.worker_id, conv.caller.call_ref)
