"""Scheduled callbacks: due times kept inside opening hours, and the attempt limit.

A callback due while its center is closed moves to the next opening (this costs no attempt). Each
placement is an attempt; an unanswered one is retried after ``callback_retry`` (again moved into
opening hours) until ``callback_attempts`` placements went unanswered, and then the callback fails.
"""

from __future__ import annotations

import datetime as dt

from telephony.acd.errors import UnknownCallback
from telephony.acd.events import (
    CallbackFailed,
    CallbackRescheduled,
    Event,
)
from telephony.acd.model import Callback, CallbackState
from telephony.acd.state import AcdState


def callback(state: AcdState, callback_id: str) -> Callback:
    try:
        return state.callbacks[callback_id]
    except KeyError:
        raise UnknownCallback(f"no callback {callback_id}", callback_id=callback_id) from None


def move_into_hours(state: AcdState, cb: Callback, due: dt.datetime, reason: str) -> list[Event]:
    """Set the callback due at ``due`` or the next opening after it; fail it if there is none."""
    opening = state.hours[cb.queue.center].next_opening(due)
    if opening is None:
        del state.callbacks[cb.callback_id]
        return [CallbackFailed(cb.callback_id, "no-opening", cb.attempts)]
    cb.due_at = opening
    cb.state = CallbackState.PENDING
    cb.call_id = None
    return [CallbackRescheduled(cb.callback_id, opening, reason, cb.attempts)]


def defer_closed(state: AcdState, now: dt.datetime) -> list[Event]:
    """Move every pending callback that is due while its center is closed."""
    events: list[Event] = []
    for cb in sorted(state.callbacks.values(), key=lambda c: c.seq):
        if cb.state is CallbackState.PENDING and cb.due_at <= now and not state.is_open(cb.queue.center, now):
            events.extend(move_into_hours(state, cb, now, "closed"))
    return events


def unanswered(state: AcdState, cb: Callback, now: dt.datetime) -> list[Event]:
    """The citizen did not answer: retry later, or fail when the attempts are used up."""
    if cb.attempts >= state.settings.callback_attempts:
        del state.callbacks[cb.callback_id]
        return [CallbackFailed(cb.callback_id, "attempts-exhausted", cb.attempts)]
    return move_into_hours(state, cb, now + state.settings.callback_retry, "no-answer")
