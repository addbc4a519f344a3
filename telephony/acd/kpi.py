"""Contact-center KPIs over finished call records, and Erlang C staffing for the supervisors' dashboards.

All functions are pure. They take ``CallRecord``s (``records.py``) of one queue and one period, as the
ACD hands them over in ``CallFinished``; callbacks (``outbound``) are left out of the inbound measures
(service level, ASA, abandonment) but count in handle time and occupancy. A measure with nothing to
measure returns ``None`` rather than a made-up 0 or 100 %.

Short abandons: a caller who hangs up within ``short_abandon`` seconds (default 5) is taken as a
misdial or a caller who heard the closed message, not as a caller the center failed.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence

from crm.door.tally import SHORT_ABANDON_S, CallTally, StateTally
from telephony.acd.records import CallRecord

SHORT_ABANDON_SECONDS = 5.0
SERVICE_LEVEL_SECONDS = 20.0


def _inbound(records: Sequence[CallRecord]) -> list[CallRecord]:
    return [r for r in records if not r.outbound]


def _long_abandons(records: Sequence[CallRecord], short_abandon: float) -> list[CallRecord]:
    return [r for r in _inbound(records) if r.abandoned and r.wait_seconds >= short_abandon]


def service_level(
    records: Sequence[CallRecord],
    threshold: float = SERVICE_LEVEL_SECONDS,
    short_abandon: float = SHORT_ABANDON_SECONDS,
) -> float | None:
    """Share of calls answered within ``threshold`` seconds (a fraction, 0..1).

    SL = answered with wait ≤ T ÷ (answered + abandoned with wait ≥ 5 s)

    Abandons before 5 s are in neither term; abandons after 5 s count against the center whether they
    happened before or after T. T is the queue's target (``QueueConfig.service_level_seconds``, 20 s).
    """
    answered = [r for r in _inbound(records) if r.answered]
    denominator = len(answered) + len(_long_abandons(records, short_abandon))
    if denominator == 0:
        return None
    return sum(1 for r in answered if r.wait_seconds <= threshold) / denominator


def average_speed_of_answer(records: Sequence[CallRecord]) -> float | None:
    """ASA in seconds: total wait of answered inbound calls ÷ number of answered inbound calls.

    Abandoned calls are excluded (their wait is not a speed of answer).
    """
    waits = [r.wait_seconds for r in _inbound(records) if r.answered]
    return sum(waits) / len(waits) if waits else None


def average_handle_time(records: Sequence[CallRecord]) -> float | None:
    """AHT in seconds: Σ (talk + hold + wrap-up) ÷ number of handled calls.

    Handled = answered and wrapped up (callbacks included: the agent's work is the same).
    Talk is connected time minus hold, so talk + hold + wrap-up = wrap-up end − answer.
    """
    handled = [r for r in records if r.answered and r.wrapup_ended_at is not None]
    if not handled:
        return None
    return sum(r.handle_seconds for r in handled) / len(handled)


def abandonment_rate(records: Sequence[CallRecord], short_abandon: float = SHORT_ABANDON_SECONDS) -> float | None:
    """Share of callers who hung up before an answer (a fraction, 0..1), short abandons excluded.

    rate = abandoned with wait ≥ 5 s ÷ (answered + abandoned with wait ≥ 5 s)

    Denominator: inbound calls offered to the queue (entered it), minus short abandons — the same
    denominator as the service level, so the two read together. Calls refused as closed never entered.
    """
    long_abandons = len(_long_abandons(records, short_abandon))
    denominator = sum(1 for r in _inbound(records) if r.answered) + long_abandons
    return long_abandons / denominator if denominator else None


def occupancy(records: Sequence[CallRecord], staffed_seconds: float) -> float | None:
    """Share of staffed time spent handling calls: Σ handle time ÷ staffed agent-seconds (0..1).

    ``staffed_seconds`` is the agents' logged-in, not not-ready time over the period (from the
    agent-state events); the records must be those handled in the same period.
    """
    if staffed_seconds <= 0:
        return None
    handled = sum(r.handle_seconds for r in records if r.answered and r.wrapup_ended_at is not None)
    return handled / staffed_seconds


# --- over tallies (the history's rollups, the board's day) ----------------------------------------------


class SlVariant(enum.StrEnum):
    """The three usual service levels; T is the queue's threshold (20 s unless configured)."""

    ANSWERED_ONLY = "answered"  # answered within T ÷ answered
    ABANDONS_AGAINST = "abandons-against"  # answered within T ÷ (answered + abandoned)
    SHORT_ABANDONS_EXCLUDED = "short-excluded"  # answered within T ÷ (answered + abandoned − short abandons)


def tally_service_level(t: CallTally, threshold_s: int, variant: SlVariant) -> float | None:
    """Service level of a tally (a fraction, 0..1); ``threshold_s`` one of ``crm.calls.tally.WAIT_EDGES_S``."""
    within = t.answered_within_s(threshold_s)
    if variant is SlVariant.ANSWERED_ONLY:
        denominator = t.answered
    elif variant is SlVariant.ABANDONS_AGAINST:
        denominator = t.answered + t.abandoned
    else:
        denominator = t.answered + t.abandoned - t.abandoned_short
    return within / denominator if denominator > 0 else None


def tally_asa(t: CallTally) -> float | None:
    """ASA in seconds: total wait of answered inbound calls ÷ answered inbound calls."""
    return t.answered_wait_s / t.answered if t.answered else None


def tally_aht(t: CallTally) -> float | None:
    """AHT in seconds: (talk + hold + after-call work) ÷ handled calls."""
    return t.handle_s / t.handled if t.handled else None


def tally_abandonment_rate(t: CallTally) -> float | None:
    """Abandoned (short abandons excluded) ÷ (answered + abandoned − short abandons); callbacks never count."""
    long_abandons = t.abandoned - t.abandoned_short
    denominator = t.answered + long_abandons
    return long_abandons / denominator if denominator > 0 else None


def tally_transfer_rate(t: CallTally) -> float | None:
    """Answered calls handed on ÷ answered calls (callbacks included in neither)."""
    answered = t.answered + t.callbacks
    return t.transferred / answered if answered else None


def tally_occupancy(states: StateTally) -> float | None:
    """Time busy with calls (ringing, on a call, after-call work) ÷ staffed time (those + ready)."""
    return states.busy_s / states.staffed_s if states.staffed_s > 0 else None


assert SHORT_ABANDON_S == SHORT_ABANDON_SECONDS  # one short-abandon rule for records and tallies


# --- Erlang C ---------------------------------------------------------------------------------------------


def traffic_erlangs(calls: float, period_seconds: float, aht_seconds: float) -> float:
    """Offered traffic A = calls × AHT ÷ period length (in erlangs)."""
    return calls * aht_seconds / period_seconds


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that a caller must wait, with ``agents`` agents and ``traffic`` erlangs (M/M/N).

    Computed from Erlang B by the stable recursion B(0) = 1, B(k) = A·B(k−1) ÷ (k + A·B(k−1)),
    then C = N·B ÷ (N − A·(1 − B)). With N ≤ A the queue grows without bound: C = 1.
    """
    if agents <= traffic:
        return 1.0
    b = 1.0
    for k in range(1, agents + 1):
        b = traffic * b / (k + traffic * b)
    return agents * b / (agents - traffic * (1 - b))


def erlang_service_level(traffic: float, agents: int, aht_seconds: float, threshold: float) -> float:
    """Predicted service level: 1 − C(A, N) · e^(−(N − A) · T ÷ AHT)."""
    if agents <= traffic:
        return 0.0
    return 1 - erlang_c(traffic, agents) * math.exp(-(agents - traffic) * threshold / aht_seconds)


def erlang_asa(traffic: float, agents: int, aht_seconds: float) -> float:
    """Predicted ASA in seconds: C(A, N) · AHT ÷ (N − A); infinite when N ≤ A."""
    if agents <= traffic:
        return math.inf
    return erlang_c(traffic, agents) * aht_seconds / (agents - traffic)


def agents_needed(
    calls: float,
    period_seconds: float,
    aht_seconds: float,
    target: float = 0.8,
    threshold: float = SERVICE_LEVEL_SECONDS,
    max_agents: int = 10_000,
) -> int:
    """Fewest agents on the phones for ``target`` service level (fraction) within ``threshold`` seconds.

    Raw agents: no shrinkage (breaks, training, absence) is added; divide by (1 − shrinkage) to roster.
    """
    if calls <= 0:
        return 0
    traffic = traffic_erlangs(calls, period_seconds, aht_seconds)
    agents = max(1, math.floor(traffic) + 1)
    while erlang_service_level(traffic, agents, aht_seconds, threshold) < target:
        agents += 1
        if agents > max_agents:
            raise ValueError(f"more than {max_agents} agents needed")
    return agents
