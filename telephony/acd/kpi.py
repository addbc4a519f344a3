"""The KPI module: every contact-center measure, defined once, over tallies (``crm.door.tally``) and records.

The history, the wallboard, the planner and every export compute their figures with these functions only;
``docs/kpi.md`` states each formula. The measures are defined over a ``CallTally`` (additive counters of
finished calls: the history keeps them per 15-minute interval and sums them for any period) and a
``StateTally`` (agents' seconds per state and pause reason). The record-based measures (``service_level``,
``average_speed_of_answer``, ...) over ``CallRecord``s, as the ACD hands them over in ``CallFinished``, first
tally the records (``tally_records``) and then apply the same tally measure, so the two can never disagree.

Callbacks (``outbound``) are left out of the inbound measures (service level, ASA, abandonment) but count in
handle time. A measure with nothing to measure returns ``None`` rather than a made-up 0 or 100 %.

Short abandons: a caller who hangs up within ``SHORT_ABANDON_S`` seconds (5) is taken as a misdial or a caller
who heard the closed message, not as a caller the center failed. Staffing (Erlang C and A, forecasts) lives in
``telephony.staffing``; the Erlang C names are re-exported here for older callers.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

from crm.door.calls import CallKind, FinishedCall
from crm.door.tally import SHORT_ABANDON_S, CallTally, StateTally, tally_call
from telephony.acd.records import CallRecord
from telephony.staffing.erlang_c import agents_needed as agents_needed
from telephony.staffing.erlang_c import erlang_asa as erlang_asa
from telephony.staffing.erlang_c import erlang_c as erlang_c
from telephony.staffing.erlang_c import erlang_service_level as erlang_service_level
from telephony.staffing.erlang_c import traffic_erlangs as traffic_erlangs

SHORT_ABANDON_SECONDS = float(SHORT_ABANDON_S)
SERVICE_LEVEL_SECONDS = 20


class SlVariant(enum.StrEnum):
    """The three usual service levels; T is the queue's threshold (20 s unless configured)."""

    ANSWERED_ONLY = "answered"  # answered within T ÷ answered
    ABANDONS_AGAINST = "abandons-against"  # answered within T ÷ (answered + abandoned)
    SHORT_ABANDONS_EXCLUDED = "short-excluded"  # answered within T ÷ (answered + abandoned − short abandons)


# --- over tallies (the history's rollups, the board's day) ----------------------------------------------


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


def tally_average_talk(t: CallTally) -> float | None:
    """Average talk time in seconds (connected time minus hold) per handled call."""
    return t.talk_s / t.handled if t.handled else None


def tally_average_hold(t: CallTally) -> float | None:
    """Average hold time in seconds per handled call (calls never put on hold count with 0)."""
    return t.hold_s / t.handled if t.handled else None


def tally_average_after_call(t: CallTally) -> float | None:
    """Average after-call work (wrap-up) in seconds per handled call."""
    return t.wrapup_s / t.handled if t.handled else None


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


def tally_pause_by_reason(states: StateTally) -> dict[str, float]:
    """Seconds of not-ready per reason code (``"none"`` for a pause without a reason), largest first."""
    return dict(sorted(states.pause_seconds, key=lambda item: (-item[1], item[0])))


def tally_patience(t: CallTally) -> float | None:
    """Mean patience in seconds, the exponential model's maximum-likelihood estimate (Erlang A's 1/θ).

    patience = (wait of answered + wait of abandoned inbound calls) ÷ (abandoned − short abandons)

    Every inbound caller is watched while waiting: an answered caller's wait is time they did not hang up
    (censored), an abandon ends a patience. Short abandons are not counted as abandons (a misdial is no measure
    of patience); their few seconds stay in the waiting time. ``None`` when no caller abandoned.
    """
    long_abandons = t.abandoned - t.abandoned_short
    if long_abandons <= 0:
        return None
    return (t.answered_wait_s + t.abandoned_wait_s) / long_abandons


# --- over finished call records (the ACD's CallFinished) -----------------------------------------------------


def tally_record(r: CallRecord) -> CallTally:
    """One record's contribution, counted by ``crm.calls.tally.tally_call`` as a stored call (the one counting
    rule; records carry no transfer or overflow, so those count 0)."""
    return tally_call(FinishedCall(
        r.call_id, CallKind.CALLBACK if r.outbound else CallKind.INBOUND, r.queue.center, r.queue.skill,
        r.enqueued_at, answered_at=r.answered_at, ended_at=r.ended_at, wrapup_ended_at=r.wrapup_ended_at,
        abandoned_at=r.abandoned_at, hold_seconds=r.hold_seconds,
    ))  # fmt: skip


def tally_records(records: Iterable[CallRecord]) -> CallTally:
    """The sum of the records' tallies."""
    total = CallTally()
    for record in records:
        total = total + tally_record(record)
    return total


def service_level(
    records: Sequence[CallRecord],
    threshold: int = SERVICE_LEVEL_SECONDS,
    variant: SlVariant = SlVariant.SHORT_ABANDONS_EXCLUDED,
) -> float | None:
    """Service level of records (a fraction, 0..1): ``tally_service_level`` of their tally.

    Default variant: answered with wait ≤ T ÷ (answered + abandoned with wait ≥ 5 s). T is one of
    ``WAIT_EDGES_S`` (the queue's target, ``QueueConfig.service_level_seconds``, 20 s by default).
    """
    return tally_service_level(tally_records(records), threshold, variant)


def average_speed_of_answer(records: Sequence[CallRecord]) -> float | None:
    """ASA in seconds of records: ``tally_asa`` (abandoned calls' waits are no speed of answer)."""
    return tally_asa(tally_records(records))


def average_handle_time(records: Sequence[CallRecord]) -> float | None:
    """AHT in seconds of records: ``tally_aht`` (handled = answered and wrapped up, callbacks included)."""
    return tally_aht(tally_records(records))


def abandonment_rate(records: Sequence[CallRecord]) -> float | None:
    """Abandonment rate of records: ``tally_abandonment_rate`` (short abandons in neither term)."""
    return tally_abandonment_rate(tally_records(records))


def handle_occupancy(t: CallTally, staffed_seconds: float) -> float | None:
    """Occupancy from handle time: (talk + hold + after-call work) ÷ staffed agent-seconds (0..1).

    For when only the calls and the staffed time are known; the history uses ``tally_occupancy`` (state time),
    which also counts ringing. ``staffed_seconds``: the agents' logged-in, not paused time over the period.
    """
    return t.handle_s / staffed_seconds if staffed_seconds > 0 else None


def occupancy(records: Sequence[CallRecord], staffed_seconds: float) -> float | None:
    """``handle_occupancy`` of the records handled in the period."""
    return handle_occupancy(tally_records(records), staffed_seconds)
