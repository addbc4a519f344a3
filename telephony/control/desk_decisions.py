"""The desk's clock and the ACD's decisions: every second the ACD lets time pass (wrap-ups, overflow, callbacks
due), waiting callers hear their position now and then, and each event the ACD returns is carried out (ring an
agent, stop ringing, play the closed message, place a callback) or published (queues, agents, finished calls).
"""

from __future__ import annotations

import datetime as dt

from crm.door.calls import CallbackStatus
from kernel.errors import DomainError
from telephony.acd import (
    AgentStateChanged,
    CallbackFailed,
    CallbackRescheduled,
    CallFinished,
    CallOffered,
    CallOverflowed,
    CallQueued,
    Closed,
    Event,
    OfferCancelled,
    PlaceCallback,
    QueueChanged,
)
from telephony.control.desk_callbacks import CallbacksRoom
from telephony.control.desk_calls import CallsRoom
from telephony.cti.bus import CtiKind
from telephony.ivr import phrases
from telephony.ivr.actions import Phrase
from telephony.ivr.phrases import QueueWait


class DecisionsRoom(CallsRoom, CallbacksRoom):
    def tick(self) -> None:
        now = self.clock()
        self._handle(self.acd.tick(now))
        self._announce_positions(now)
        self._schedule_tick()

    def _schedule_tick(self) -> None:
        if self._tick is not None and self._tick.active():
            self._tick.cancel()
        self._tick = self.scheduler.callLater(self.settings.tick_s, self.tick)

    def _announce_positions(self, now: dt.datetime) -> None:
        """Every ``announce_every_s``, a waiting caller hears how many are ahead and the expected wait."""
        every = dt.timedelta(seconds=self.settings.announce_every_s)
        for conv in list(self.by_acd.values()):
            waiting = conv.agent is None and conv.answered_at is None and conv.caller_answered and not conv.ended
            if not waiting or now - (conv.announced_at or conv.queued_at) < every:
                continue
            conv.announced_at = now
            try:
                positions = {p.call_id: p for p in self.acd.positions(conv.queue)}
            except DomainError:
                continue
            mine = positions.get(conv.acd_id)
            if mine is None or mine.ewt_seconds is None:
                continue
            text = phrases.queue_wait(QueueWait(mine.position - 1, mine.ewt_seconds))
            self._unhold(conv)
            self._play(conv, [Phrase(text)], f"position-{conv.caller.call_ref}")

    def _decide(self, event: Event) -> None:
        if isinstance(event, CallOffered):
            self._offer(event)
        elif isinstance(event, OfferCancelled):
            conv = self.by_acd.get(event.call_id)
            leg = conv.agent if conv else None
            if conv is not None and leg is not None and leg.login == event.agent_id:
                self._release_leg(conv, leg)
        elif isinstance(event, CallQueued):
            self._announce(event)
        elif isinstance(event, Closed):
            self._closed(event)
        elif isinstance(event, CallOverflowed):
            self._note(event.call_id, overflowed=True)
            conv = self.by_acd.get(event.call_id)
            if conv is not None:
                self._publish(CtiKind.CALL_TRANSFERRED, conv, overflow=True, to_center=event.to_queue.center,
                              to_queue=event.to_queue.skill, waited_s=round(event.waited_seconds))  # fmt: skip
        elif isinstance(event, PlaceCallback):
            self._place_callback(event)
        elif isinstance(event, CallbackRescheduled):
            self._callback_db(event.callback_id, CallbackStatus.PENDING, event.attempts)
        elif isinstance(event, CallbackFailed):
            self.callbacks.pop(event.callback_id, None)
            self._callback_db(event.callback_id, CallbackStatus.FAILED, event.attempts)
        elif isinstance(event, AgentStateChanged):
            self._agent_changed(event)
        elif isinstance(event, QueueChanged):
            self._queue_changed(event)
        elif isinstance(event, CallFinished):
            self.stats.add(event.record)
            self._call_finished(event.record)

    def _queue_changed(self, event: QueueChanged) -> None:
        """How many wait in a queue now, and since when the longest of them waits (for the board)."""
        if self.events is None:
            return
        now = self.clock()
        oldest = None
        for position in event.positions:
            try:
                enqueued = self.acd.call(position.call_id).enqueued_at
            except DomainError:
                continue
            oldest = enqueued if oldest is None else min(oldest, enqueued)
        longest = round((now - oldest).total_seconds(), 3) if oldest is not None else 0
        self.events.publish(CtiKind.QUEUE_CHANGED, event.queue.center, None, None, skill=event.queue.skill,
                            waiting=len(event.positions), longest_wait_s=longest)  # fmt: skip
