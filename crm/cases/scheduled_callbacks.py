"""Callbacks an agent schedules during a contact: a time window and which number to call.

The number is never typed: it is the number the citizen is calling from, or one on file for them, and the
callback row keeps a reference to it (``calling:<interaction id>`` or ``phone:<citizen phone id>``), never the
digits; the desk looks the digits up when it dials. ``due_at`` is the window's start, ``window_end`` its end:
the desk places the call inside the window and marks it expired once the window is over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kernel.errors import ValidationFailed

MIN_WINDOW = dt.timedelta(minutes=15)
MAX_AHEAD = dt.timedelta(days=14)
CALLING = "calling"


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime


def check_window(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> Window:
    """A callback window: aware times, starting in the future, at least 15 minutes long, ending within 14 days."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationFailed("window times need an offset (e.g. +09:00)", parameter="window_start")
    start, end = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    if start <= now:
        raise ValidationFailed("the window must start in the future", parameter="window_start")
    if end - start < MIN_WINDOW:
        raise ValidationFailed("the window must be at least 15 minutes long", parameter="window_end")
    if end > now + MAX_AHEAD:
        raise ValidationFailed("the window must end within 14 days", parameter="window_end")
    return Window(start, end)


def calling_ref(interaction_id: int) -> str:
    return f"calling:{interaction_id}"


def phone_ref(phone_id: int) -> str:
    return f"phone:{phone_id}"


def parse_phone_ref(ref: str | None) -> tuple[str, int] | None:
    """("calling", interaction id) or ("phone", citizen phone id); None for no or a malformed reference."""
    if ref is None or ":" not in ref:
        return None
    kind, _, number = ref.partition(":")
    if kind not in ("calling", "phone") or not number.isdigit():
        return None
    return kind, int(number)


def in_window(due_at: dt.datetime, window_end: dt.datetime | None, now: dt.datetime) -> str:
    """Where ``now`` falls for a callback: "early" (before its window), "open", or "expired" (after it)."""
    if now < due_at and window_end is not None:
        return "early"
    if window_end is not None and now >= window_end:
        return "expired"
    return "open"
