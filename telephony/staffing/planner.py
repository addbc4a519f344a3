"""The staffing plan of a day: per interval, agents needed by Erlang C and by Erlang A beside the agents staffed.

``plan(forecast, target_sl, threshold_s, staffed: Mapping[dt.datetime, int]) -> list[PlanRow]``: ``forecast``
from ``telephony.staffing.forecast.forecast_day`` (``IntervalForecast``s), ``target_sl`` a fraction (0.8),
``threshold_s`` the service level's T in seconds, ``staffed`` the agents scheduled (or logged in) per interval
start (aware datetimes compare by instant, so UTC or Seoul keys both match). One
``PlanRow(interval_start, calls, aht_s, erlang_c_agents, erlang_a_agents, staffed, sl_erlang_c, sl_erlang_a,
abandon_erlang_a)`` per forecast interval, in order.

``None`` means "cannot be said": agents needed when calls are expected but no AHT is known (or, for Erlang A,
no patience: nobody ever abandoned); the staff's service level when the interval has no staff figure or
expects no call. Agents are raw (no shrinkage). Erlang A's service level is the centers' variant (short
abandons excluded, abandons counted against; ``erlang_a`` explains why that is P(answered within T)).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crm.door.tally import INTERVAL_MINUTES
from telephony.acd.kpi import SlVariant
from telephony.staffing.erlang_a import agents_needed_a, erlang_a
from telephony.staffing.erlang_c import agents_needed, erlang_service_level, traffic_erlangs
from telephony.staffing.forecast import IntervalForecast

INTERVAL_SECONDS = INTERVAL_MINUTES * 60


@dataclass(frozen=True)
class PlanRow:
    interval_start: dt.datetime
    calls: float
    aht_s: float | None
    erlang_c_agents: int | None
    erlang_a_agents: int | None
    staffed: int | None
    sl_erlang_c: float | None  # the service level the staffed agents would give, by Erlang C
    sl_erlang_a: float | None  # ... by Erlang A
    abandon_erlang_a: float | None  # the abandonment rate they would see, by Erlang A


def plan(
    forecast: Sequence[IntervalForecast],
    target_sl: float,
    threshold_s: float,
    staffed: Mapping[dt.datetime, int],
    variant: SlVariant = SlVariant.SHORT_ABANDONS_EXCLUDED,
) -> list[PlanRow]:
    if not 0 < target_sl < 1:
        raise ValueError("the target service level must be between 0 and 1 (exclusive)")
    if threshold_s < 0:
        raise ValueError("the threshold must be 0 seconds or more")
    return [_row(f, target_sl, threshold_s, staffed.get(f.interval_start), variant) for f in forecast]


def _row(f: IntervalForecast, target: float, threshold: float, staff: int | None, variant: SlVariant) -> PlanRow:
    if f.calls <= 0:
        return PlanRow(f.interval_start, 0.0, f.aht_s, 0, 0, staff, None, None, None)
    if f.aht_s is None:
        return PlanRow(f.interval_start, f.calls, None, None, None, staff, None, None, None)
    c_agents = agents_needed(f.calls, INTERVAL_SECONDS, f.aht_s, target, threshold)
    sl_c = None
    if staff is not None:
        traffic = traffic_erlangs(f.calls, INTERVAL_SECONDS, f.aht_s)
        sl_c = erlang_service_level(traffic, staff, f.aht_s, threshold) if staff > 0 else 0.0
    a_agents = sl_a = abandon_a = None
    if f.patience_s is not None:
        a_agents = agents_needed_a(f.calls, INTERVAL_SECONDS, f.aht_s, f.patience_s, target, threshold, variant)
        if staff is not None and staff > 0:
            result = erlang_a(f.calls, INTERVAL_SECONDS, f.aht_s, f.patience_s, staff, threshold, variant)
            sl_a, abandon_a = result.service_level, result.abandon_rate
        elif staff == 0:
            sl_a, abandon_a = 0.0, 1.0
    return PlanRow(f.interval_start, f.calls, f.aht_s, c_agents, a_agents, staff, sl_c, sl_a, abandon_a)
