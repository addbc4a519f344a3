"""Overflow between centers: the point of putting 156 centers on one platform.

A call that has waited ``overflow_after`` in its own queue becomes eligible, in addition, in the queue
of the same skill at each of its center's overflow partners (``Center.overflow_partners``) that has
such a queue and is open at that moment. It stays in its own queue: whichever agent frees first,
at home or at a partner, gets it. A partner closed at the threshold is tried again on later ticks.
"""

from __future__ import annotations

import datetime as dt

from telephony.acd.events import CallOverflowed, Event
from telephony.acd.model import Call, QueueKey
from telephony.acd.state import AcdState


def overflow_targets(state: AcdState, call: Call) -> list[QueueKey]:
    """The skill-compatible partner queues of the call's center, in the configured order."""
    keys = (QueueKey(partner, call.queue.skill) for partner in state.partners.get(call.queue.center, ()))
    return [key for key in keys if key in state.queues]


def overflow(state: AcdState, now: dt.datetime) -> list[Event]:
    events: list[Event] = []
    for call in sorted(state.calls.values(), key=lambda c: c.seq):
        if not call.waiting or call.outbound:
            continue
        after = state.queue(call.queue).overflow_after
        waited = now - call.enqueued_at
        if after is None or waited < after:
            continue
        for key in overflow_targets(state, call):
            if key not in call.eligible and state.is_open(key.center, now):
                call.eligible[key] = now
                events.append(CallOverflowed(call.call_id, call.queue, key, waited.total_seconds()))
    return events


def next_overflow(state: AcdState, call: Call) -> dt.datetime | None:
    """When the call reaches its overflow threshold, if some partner queue is still to be added."""
    after = state.queue(call.queue).overflow_after
    if after is None or not call.waiting or call.outbound:
        return None
    if all(key in call.eligible for key in overflow_targets(state, call)):
        return None
    return call.enqueued_at + after
