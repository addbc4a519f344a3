"""Forecast a day's calls, AHT and patience per 15-minute interval from the history's tallies.

``forecast_day(history, day, calendar, weeks=6) -> list[IntervalForecast]``: ``history`` is an iterable of
``(interval_start, CallTally)`` (aware datetimes of 15-minute interval starts; several rows of one interval,
e.g. one per queue, are summed), ``day`` a Seoul date. The answer has the day's 96 intervals in order, each an
``IntervalForecast(interval_start, calls, aht_s, patience_s)`` with ``interval_start`` aware in Seoul time.

The rule (docs/kpi.md says the same):
- *reference days*: for an ordinary day (a working day, or a Saturday or Sunday that is no public holiday), the
  same weekday in each of the ``weeks`` weeks before, leaving out the public and temporary holidays of
  ``calendar`` (a holiday's calls have another shape); for a public holiday, every holiday and Sunday of the
  ``weeks`` weeks before (the closest shape the history has). Days before the history's first day are not
  reference days; a reference day without a row for an interval counts 0 calls there (no row: no call).
- *calls*: the mean, over the reference days, of the interval's calls offered minus short abandons (misdials
  are no demand; ``erlang_a`` counts every caller of the model as a real one). No reference day: 0.
- *AHT*: ``tally_aht`` of the reference days' tallies of the interval summed; without any handled call there,
  the AHT of the whole history; ``None`` when the history has no handled call at all.
- *patience*: ``tally_patience`` of the same sum when it has at least ``MIN_ABANDONS`` abandons (short ones
  not counted), else of the whole history; ``None`` when nobody ever abandoned (no Erlang A then).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from crm.door.tally import INTERVAL_MINUTES, CallTally
from kernel.calendar import SEOUL, WorkCalendar
from telephony.acd.kpi import tally_aht, tally_patience

INTERVALS_PER_DAY = 24 * 60 // INTERVAL_MINUTES
#: Fewer abandons than this in an interval's reference tallies: the patience of the whole history is used.
MIN_ABANDONS = 10
SUNDAY = 6


@dataclass(frozen=True)
class IntervalForecast:
    interval_start: dt.datetime  # aware, Seoul time
    calls: float  # expected callers (offered minus short abandons)
    aht_s: float | None
    patience_s: float | None


def reference_days(day: dt.date, calendar: WorkCalendar, weeks: int, first_day: dt.date) -> list[dt.date]:
    """The days whose intervals are averaged for ``day`` (see the module's rule)."""
    if calendar.is_holiday(day):
        earlier = (day - dt.timedelta(days=i) for i in range(1, 7 * weeks + 1))
        return [d for d in earlier if d >= first_day and (calendar.is_holiday(d) or d.weekday() == SUNDAY)]
    same_weekday = (day - dt.timedelta(weeks=i) for i in range(1, weeks + 1))
    return [d for d in same_weekday if d >= first_day and not calendar.is_holiday(d)]


def forecast_day(
    history: Iterable[tuple[dt.datetime, CallTally]], day: dt.date, calendar: WorkCalendar, weeks: int = 6
) -> list[IntervalForecast]:
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    by_slot: dict[tuple[dt.date, int], CallTally] = {}
    total = CallTally()
    for start, tally in history:
        local = start.astimezone(SEOUL)
        slot = (local.date(), (local.hour * 60 + local.minute) // INTERVAL_MINUTES)
        by_slot[slot] = by_slot.get(slot, CallTally()) + tally
        total = total + tally
    first_day = min((d for d, _ in by_slot), default=day)
    days = reference_days(day, calendar, weeks, first_day) if by_slot else []
    overall_aht, overall_patience = tally_aht(total), tally_patience(total)
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=SEOUL)
    forecasts = []
    for index in range(INTERVALS_PER_DAY):
        summed = CallTally()
        for d in days:
            summed = summed + by_slot.get((d, index), CallTally())
        calls = (summed.offered - summed.abandoned_short) / len(days) if days else 0.0
        aht = tally_aht(summed)
        patience = tally_patience(summed)
        enough_abandons = summed.abandoned - summed.abandoned_short >= MIN_ABANDONS
        forecasts.append(
            IntervalForecast(
                interval_start=midnight + dt.timedelta(minutes=INTERVAL_MINUTES * index),
                calls=calls,
                aht_s=aht if aht is not None else overall_aht,
                patience_s=patience if enough_abandons and patience is not None else overall_patience,
            )
        )
    return forecasts
