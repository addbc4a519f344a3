"""The desk's callbacks room: a dropped call's callback (a row in the case store) or an IVR callback offer (in the
ACD only), placed when an agent is free as two outbound legs from one worker: the agent's phone first, then
the citizen's through the edge's PSTN gateway; unanswered attempts are rescheduled by the ACD's rules.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from typing import Any

from twisted.python.failure import Failure

from crm.door.calls import CallbackStatus, CallbackTask, CallKind, Channel
from kernel.errors import DomainError
from telephony.acd import PlaceCallback, QueueKey
from telephony.acd.events import CallbackFailed, CallbackRescheduled, Event
from telephony.control.desk_media import MediaRoom
from telephony.control.desk_model import (
    NORMAL_CAUSES,
    AgentLeg,
    Caller,
    Conversation,
    cancel_timer,
)
from telephony.ivr.actions import Phrase

log = logging.getLogger("sori.desk")


class CallbacksRoom(MediaRoom):
    def ivr_callback(self, center: str, skill: str, phone: str, case_number: str | None) -> None:
        """The caller accepted the IVR's callback offer (long wait, or closed): the ACD calls them back.

        Such a callback lives in the ACD only (no case, so no callback row): a restart forgets it.
        """
        key = f"ivr-{next(self._ids)}"
        now = self.clock()
        task = CallbackTask(0, center, now, case_number, phone)
        try:
            events = self.acd.schedule_callback(key, QueueKey(center, skill), now, now, case_number=case_number)
        except DomainError as error:
            log.warning("IVR callback not scheduled: %s", error)
            return
        self.callbacks[key] = task
        self._handle(events)

    def callback_added(self, task: CallbackTask) -> None:
        """A callback stored while the desk runs (an agent scheduled it): placed like those loaded at start."""
        self._schedule_callback(task, self.clock())

    # -- callbacks ---------------------------------------------------------------------------------------
    def _schedule_callback(self, task: CallbackTask, now: dt.datetime) -> None:
        key = str(task.callback_id)
        if key in self.callbacks or task.phone is None:
            return
        queue = QueueKey(task.center, self.settings.default_skill)
        if task.window_end is not None:  # an agent-scheduled window: never before its start, never after its end
            if now >= task.window_end:
                self._callback_db(key, CallbackStatus.EXPIRED, task.attempts)
                return
            start = max(task.due_at, now)
        else:
            # The case's due time is a deadline ("within 30 minutes"): the call goes out once the grace delay
            # is over (the citizen often rings back at once) and an agent is free, never later than needed.
            start = min(task.due_at, now + dt.timedelta(seconds=self.settings.callback_delay_s))
        try:
            events = self.acd.schedule_callback(key, queue, start, now, case_number=task.case_number)
        except DomainError as error:
            log.warning("callback %s not scheduled: %s", key, error)
            return
        self.callbacks[key] = task
        self._handle(events)

    def _place_callback(self, event: PlaceCallback) -> None:
        task = self.callbacks.get(event.callback_id)
        if task is not None and task.window_end is not None and self.clock() >= task.window_end:
            self._expire_callback(event.callback_id, event.attempt)
            return
        worker = self.media.worker_with_slots(2) if self.media is not None else None
        if task is None or task.phone is None or worker is None:
            log.warning("callback %s cannot be placed now (no number or no media slots)", event.callback_id)
            self.scheduler.callLater(0, self._callback_unanswered, event.callback_id)
            return
        ref = f"cb{next(self._ids)}"
        caller = Caller(worker, ref, "", task.center, task.phone, None, notice_heard=False,
                        case_number=task.case_number)  # fmt: skip
        conv = Conversation(caller, event.call_id, event.queue, self.clock(), channel=Channel.CALLBACK,
                            caller_answered=False, callback_id=event.callback_id)  # fmt: skip
        self.by_acd[event.call_id] = conv
        self._note_arrival(event.call_id, CallKind.CALLBACK, conv, conv.queued_at)
        leg = AgentLeg(f"{ref}.agent", event.agent_id, "callback-agent")
        conv.agent = leg
        self.by_leg[leg.call_ref] = conv
        leg.timer = self.scheduler.callLater(self.settings.ring_timeout_s, self._ring_timeout, conv, leg)
        d = self._dial(conv, leg.call_ref, f"sip:{event.agent_id}@{self._edge()}", self._agent_headers(conv))
        d.addErrback(self._dial_failed, conv, leg)
        self._callback_db(event.callback_id, CallbackStatus.DIALING, event.attempt)

    def _dial_citizen(self, conv: Conversation) -> None:
        task = self.callbacks.get(conv.callback_id or "")
        assert task is not None and task.phone is not None
        self.by_leg[conv.caller.call_ref] = conv
        if self.hold_music is not None and conv.agent is not None:
            self._play_music(conv.caller.worker_id, conv.agent.call_ref, f"ring-{conv.agent.call_ref}")
        timer = self.scheduler.callLater(self.settings.callback_ring_timeout_s, self._citizen_timeout, conv)
        conv.caller.handoff_id = None
        d = self._dial(conv, conv.caller.call_ref, f"sip:{task.phone}@{self._edge()}", self._case_headers(conv))
        d.addCallback(self._citizen_dialled, conv, timer)
        d.addErrback(self._citizen_dial_failed, conv)

    def _citizen_dial_failed(self, failure: Failure, conv: Conversation) -> None:
        log.warning("callback dial failed: %s", failure.getErrorMessage())
        self._citizen_leg(conv, "disconnected", 503, None)

    def _citizen_dialled(self, result: dict[str, Any], conv: Conversation, timer: Any) -> None:
        conv.caller.sip_call_id = str(result.get("call_id", ""))
        self._note(conv.acd_id, sip_call_id=conv.caller.sip_call_id or None)
        conv.caller_timer = timer

    def _citizen_timeout(self, conv: Conversation) -> None:
        if not conv.caller_answered and not conv.ended:
            self._hangup(conv.caller.worker_id, conv.caller.call_ref)

    def _citizen_leg(self, conv: Conversation, state: str, code: int, cause: int | None) -> None:
        if state == "confirmed" and not conv.caller_answered:
            conv.caller_answered = True
            cancel_timer(conv.caller_timer)
            assert conv.agent is not None
            self._stop_music(conv.caller.worker_id, conv.agent.call_ref, f"ring-{conv.agent.call_ref}")
            self.callbacks.pop(conv.callback_id or "", None)
            self._callback_db(conv.callback_id or "", CallbackStatus.DONE, 0)
            self._agent_answered(conv, conv.agent)  # ACD: callback completed; contact on the case
            # the citizen hears the recording notice before the agent is connected
            notice = Phrase("상담 내용은 서비스 품질 향상을 위해 녹음됩니다. 상담원을 연결해 드리겠습니다.")
            conv.caller.notice_heard = True
            self._play(conv, [notice], f"notice-{conv.caller.call_ref}")
        elif state == "disconnected":
            cancel_timer(conv.caller_timer)
            if not conv.caller_answered:
                self._callback_unanswered_conv(conv)
            else:
                self._finish(conv, dropped=cause is not None and cause not in NORMAL_CAUSES, worker_lost=False)

    def _callback_unanswered_conv(self, conv: Conversation) -> None:
        if conv.ended:
            return
        conv.ended = True
        self.by_leg.pop(conv.caller.call_ref, None)
        self.by_acd.pop(conv.acd_id, None)
        self.facts.pop(conv.acd_id, None)  # unanswered: the ACD keeps no record of the attempt
        if conv.agent is not None:
            self._release_leg(conv, conv.agent)
        self._callback_unanswered(conv.callback_id or "")

    def _callback_unanswered(self, callback_id: str) -> None:
        try:
            self._handle(self.acd.callback_unanswered(callback_id, self.clock()))
        except DomainError as error:
            log.info("callback %s: %s", callback_id, error)

    def _expire_callback(self, callback_id: str, attempts: int) -> None:
        """Its window ended before an agent was free: the agent the ACD picked goes back, the callback is
        dropped from the ACD (not retried) and stored as expired."""
        self.callbacks.pop(callback_id, None)
        now = self.clock()
        events: list[Event] = []
        try:
            events = self.acd.callback_unanswered(callback_id, now)  # frees the reserved agent
        except DomainError as error:
            log.info("callback %s: %s", callback_id, error)
        ours = (CallbackRescheduled, CallbackFailed)
        events = [e for e in events if not (isinstance(e, ours) and e.callback_id == callback_id)]
        with contextlib.suppress(DomainError):  # already gone (its retries were used up)
            events += self.acd.cancel_callback(callback_id, now)
        self._handle(events)
        self._callback_db(callback_id, CallbackStatus.EXPIRED, attempts)

    def _callback_db(self, callback_id: str, status: CallbackStatus, attempts: int) -> None:
        if not callback_id.isdigit():
            return
        d = self.db(self.store.callback_finished, int(callback_id), status, attempts)
        d.addErrback(lambda f: log.error("callback %s update failed: %s", callback_id, f.getErrorMessage()))
