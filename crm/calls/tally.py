"""Additive counters of finished calls, the unit every contact-center measure is computed from.

A ``CallTally`` is a sum: the tally of a set of calls is the sum of the tallies of its calls, so the history keeps
tallies per 15-minute interval (rollup rows maintained as calls finish) and a report of any period, queue, center
or agent is the sum of the rows it covers. The measures themselves (service level, ASA, AHT, abandonment,
occupancy, transfer rate) are defined once, over a tally, in ``telephony.acd.kpi``; nothing else computes them.

Waits are counted in cumulative buckets (``WAIT_EDGES_S``: answered within 10 s, within 15 s, ...), so the
service level of any threshold among the edges can be read from the history after the fact, and a queue's
threshold changing does not rewrite the past. A call counts in the interval it entered the queue (its
``enqueued_at``). Callbacks (outbound) are left out of the inbound counts (offered, answered, abandoned, waits)
but count as handled work. A call's first write (the contact's end) and its second (after wrap-up) are both
counted as the difference of the two tallies (``tally_call(new) - tally_call(old)``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from crm.calls.model import CallKind, FinishedCall

#: Wait bucket edges in seconds; a queue's service-level threshold must be one of them.
WAIT_EDGES_S: tuple[int, ...] = (10, 15, 20, 30, 45, 60, 90, 120)
#: An abandon within this many seconds is a short abandon (a misdial, a caller who heard the closed message).
SHORT_ABANDON_S = 5
INTERVAL_MINUTES = 15


@dataclass(frozen=True)
class CallTally:
    """Sums over a set of finished calls. Every field adds up; ``answered_within[i]`` counts answered inbound
    calls that waited at most ``WAIT_EDGES_S[i]`` seconds."""

    offered: int = 0  # inbound calls that entered the queue (consultations and callbacks are not offered)
    answered: int = 0  # of those, answered by an agent
    answered_within: tuple[int, ...] = (0,) * len(WAIT_EDGES_S)
    abandoned: int = 0  # of those, the caller hung up before an answer
    abandoned_short: int = 0  # of the abandoned, within SHORT_ABANDON_S
    answered_wait_s: float = 0.0  # total wait of the answered inbound calls
    abandoned_wait_s: float = 0.0
    handled: int = 0  # answered and wrapped up (callbacks and consultations included: the agent's work)
    talk_s: float = 0.0  # of the handled calls
    hold_s: float = 0.0
    wrapup_s: float = 0.0
    transferred: int = 0  # answered calls handed on to another queue, center or agent
    callbacks: int = 0  # callbacks that reached the citizen
    overflowed: int = 0  # answered by an agent of another center than the queue's

    def __add__(self, other: CallTally) -> CallTally:
        return _combine(self, other, 1)

    def __sub__(self, other: CallTally) -> CallTally:
        return _combine(self, other, -1)

    @property
    def handle_s(self) -> float:
        """Talk + hold + after-call work of the handled calls."""
        return self.talk_s + self.hold_s + self.wrapup_s

    def answered_within_s(self, threshold_s: int) -> int:
        """Answered inbound calls that waited at most ``threshold_s`` (one of ``WAIT_EDGES_S``)."""
        try:
            return self.answered_within[WAIT_EDGES_S.index(threshold_s)]
        except ValueError:
            raise ValueError(f"the threshold must be one of {WAIT_EDGES_S} seconds, not {threshold_s}") from None


def _combine(a: CallTally, b: CallTally, sign: int) -> CallTally:
    values: dict[str, object] = {}
    for f in dataclasses.fields(CallTally):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "answered_within":
            values[f.name] = tuple(p + sign * q for p, q in zip(x, y, strict=True))
        else:
            values[f.name] = x + sign * y
    return CallTally(**values)  # type: ignore[arg-type]


def tally_call(call: FinishedCall) -> CallTally:
    """One call's contribution (zero everywhere for what it does not count in)."""
    inbound = call.kind is CallKind.INBOUND
    wait = call.wait_seconds
    handled = call.answered and call.wrapup_ended_at is not None
    wrapup = 0.0
    if handled and call.ended_at is not None and call.wrapup_ended_at is not None:
        wrapup = (call.wrapup_ended_at - call.ended_at).total_seconds()
    return CallTally(
        offered=int(inbound),
        answered=int(inbound and call.answered),
        answered_within=tuple(int(inbound and call.answered and wait <= edge) for edge in WAIT_EDGES_S),
        abandoned=int(inbound and call.abandoned),
        abandoned_short=int(inbound and call.abandoned and wait < SHORT_ABANDON_S),
        answered_wait_s=wait if inbound and call.answered else 0.0,
        abandoned_wait_s=wait if inbound and call.abandoned else 0.0,
        handled=int(handled),
        talk_s=call.talk_seconds if handled else 0.0,
        hold_s=call.hold_seconds if handled else 0.0,
        wrapup_s=max(0.0, wrapup),
        transferred=int(call.answered and call.transferred_to is not None),
        callbacks=int(call.kind is CallKind.CALLBACK and call.answered),
        overflowed=int(call.answered and call.overflow),
    )


def interval_start(moment: dt.datetime, minutes: int = INTERVAL_MINUTES) -> dt.datetime:
    """The start of the ``minutes``-long interval holding ``moment`` (UTC; Seoul's offset is whole hours, so the
    boundaries are Seoul's too)."""
    utc = moment.astimezone(dt.UTC)
    return utc.replace(minute=utc.minute - utc.minute % minutes, second=0, microsecond=0)


#: Agent states that count as staffed (logged in and not on a pause): the denominator of occupancy.
STAFFED_STATES = frozenset({"ready", "ringing", "on-call", "wrap-up"})
#: Agent states that count as busy with calls (the numerator of occupancy from state time).
BUSY_STATES = frozenset({"ringing", "on-call", "wrap-up"})


@dataclass(frozen=True)
class StateTally:
    """Seconds agents spent in each state (the ACD's: ready, not-ready, ringing, on-call, wrap-up; logged-out is
    not counted) and, of not-ready, per reason code (``None`` reason counted as ``"none"``). Adds up like
    ``CallTally``: the history keeps it per agent and 15-minute interval, a state's time split at the interval
    boundaries."""

    seconds: tuple[tuple[str, float], ...] = ()  # (state, seconds), sorted by state
    pause_seconds: tuple[tuple[str, float], ...] = ()  # (reason code, seconds) of not-ready, sorted by reason

    @staticmethod
    def of(seconds: dict[str, float], pause_seconds: dict[str, float] | None = None) -> StateTally:
        return StateTally(tuple(sorted(seconds.items())), tuple(sorted((pause_seconds or {}).items())))

    def __add__(self, other: StateTally) -> StateTally:
        return StateTally.of(_add(self.seconds, other.seconds), _add(self.pause_seconds, other.pause_seconds))

    def in_state(self, state: str) -> float:
        return dict(self.seconds).get(state, 0.0)

    @property
    def staffed_s(self) -> float:
        return sum(s for state, s in self.seconds if state in STAFFED_STATES)

    @property
    def busy_s(self) -> float:
        return sum(s for state, s in self.seconds if state in BUSY_STATES)


def _add(a: tuple[tuple[str, float], ...], b: tuple[tuple[str, float], ...]) -> dict[str, float]:
    out = dict(a)
    for key, value in b:
        out[key] = out.get(key, 0.0) + value
    return out
