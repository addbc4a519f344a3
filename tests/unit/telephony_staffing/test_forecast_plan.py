"""The forecast's rule (same weekday and interval over six weeks, holidays left out; a holiday from the
history's holidays and Sundays) and the plan built from it, on hand-made histories."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.door.tally import CallTally
from kernel.calendar import SEOUL, WorkCalendar
from telephony.staffing import erlang_c as c
from telephony.staffing.erlang_a import erlang_a
from telephony.staffing.forecast import INTERVALS_PER_DAY, IntervalForecast, forecast_day, reference_days
from telephony.staffing.planner import plan

CAL = WorkCalendar()
TUESDAY = dt.date(2026, 3, 10)


def seoul(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SEOUL)


def calls(offered: int, short: int = 0, handled: int = 0, handle_s: float = 0.0, **more: float) -> CallTally:
    return CallTally(
        offered=offered, abandoned=short + int(more.pop("abandoned", 0)), abandoned_short=short,
        answered=handled, handled=handled, talk_s=handle_s, **more,  # type: ignore[arg-type]
    )  # fmt: skip


def test_reference_days_are_the_same_weekday_without_holidays() -> None:
    # six Tuesdays before 10 March 2026; 17 February is 설날 and is left out
    assert reference_days(TUESDAY, CAL, 6, first_day=dt.date(2026, 1, 1)) == [
        dt.date(2026, 3, 3), dt.date(2026, 2, 24), dt.date(2026, 2, 10), dt.date(2026, 2, 3), dt.date(2026, 1, 27),
    ]  # fmt: skip
    # days before the history starts are no reference days
    assert reference_days(TUESDAY, CAL, 6, first_day=dt.date(2026, 2, 20)) == [
        dt.date(2026, 3, 3),
        dt.date(2026, 2, 24),
    ]


def test_a_holiday_uses_the_holidays_and_sundays_of_the_six_weeks_before() -> None:
    # 2 March 2026 is the substitute holiday of 삼일절; the 42 days before run from 19 January to 1 March
    assert reference_days(dt.date(2026, 3, 2), CAL, 6, first_day=dt.date(2026, 1, 1)) == [
        dt.date(2026, 3, 1), dt.date(2026, 2, 22), dt.date(2026, 2, 18), dt.date(2026, 2, 17), dt.date(2026, 2, 16),
        dt.date(2026, 2, 15), dt.date(2026, 2, 8), dt.date(2026, 2, 1), dt.date(2026, 1, 25),
    ]  # fmt: skip


def test_calls_are_the_mean_of_the_reference_intervals_short_abandons_left_out() -> None:
    history = [
        (seoul(dt.date(2026, 3, 3), 9), calls(12, short=2, handled=10, handle_s=2000)),  # 10 real callers
        (seoul(dt.date(2026, 2, 24), 9), calls(20, handled=20, handle_s=4000)),
        (seoul(dt.date(2026, 2, 17), 9), calls(500, handled=500, handle_s=50_000)),  # 설날: left out
        (seoul(dt.date(2026, 2, 10), 9), calls(30, handled=30, handle_s=6000)),
        (seoul(dt.date(2026, 2, 3), 9), calls(40, handled=40, handle_s=8000)),
        (seoul(dt.date(2026, 1, 27), 9), calls(25, handled=25, handle_s=5000)),
        (seoul(dt.date(2026, 1, 27), 9), calls(25, handled=25, handle_s=5000)),  # a second queue: summed
        (seoul(dt.date(2026, 1, 20), 9), calls(999)),  # seven weeks before: outside the window
        (seoul(dt.date(2026, 3, 3), 14, 15), calls(5, handled=5, handle_s=1500)),
    ]
    day = forecast_day(history, TUESDAY, CAL)
    assert len(day) == INTERVALS_PER_DAY == 96
    assert day[0].interval_start == seoul(TUESDAY, 0) and day[-1].interval_start == seoul(TUESDAY, 23, 45)
    nine = day[9 * 4]
    # (10 + 20 + 30 + 40 + 50) / 5 = 30; AHT of the reference intervals: 25,000 s / 125 handled = 200 s
    assert nine.calls == pytest.approx(30.0)
    assert nine.aht_s == pytest.approx(200.0)
    # 14:15 had calls on one of five reference days: 5 / 5 = 1 call, AHT 300 s
    assert day[14 * 4 + 1].calls == pytest.approx(1.0) and day[14 * 4 + 1].aht_s == pytest.approx(300.0)
    # an interval without any call: 0 calls, the AHT of the whole history, the holiday's and the old week's too:
    # (2,000 + 4,000 + 50,000 + 6,000 + 8,000 + 10,000 + 1,500) / (10 + 20 + 500 + 30 + 40 + 50 + 5) = 81,500 / 655
    assert day[3].calls == 0.0 and day[3].aht_s == pytest.approx(81_500 / 655)
    assert nine.patience_s is None  # nobody abandoned (short abandons do not count)


def test_patience_from_the_interval_when_it_has_abandons_enough_else_from_the_whole_history() -> None:
    busy = CallTally(offered=100, answered=80, abandoned=20, answered_wait_s=800, abandoned_wait_s=1200, handled=80,
                     talk_s=16_000)  # fmt: skip
    quiet = CallTally(offered=10, answered=9, abandoned=1, answered_wait_s=90, abandoned_wait_s=310, handled=9,
                      talk_s=1800)  # fmt: skip
    history = [(seoul(dt.date(2026, 3, 3), 10), busy), (seoul(dt.date(2026, 3, 3), 11), quiet)]
    day = forecast_day(history, TUESDAY, CAL)
    assert day[40].patience_s == pytest.approx(2000 / 20)  # 20 abandons ≥ 10: the interval's own
    assert day[44].patience_s == pytest.approx(2400 / 21)  # 1 abandon: the whole history's (800+1200+90+310)/21


def test_a_holiday_forecast_follows_the_holiday_shape() -> None:
    # 90 calls at 10:00 on 설날 (17 February), nothing on the other 8 holidays and Sundays: 90 / 9 = 10
    history = [
        (seoul(dt.date(2026, 1, 5), 10), calls(1, handled=1, handle_s=100)),  # the history starts early
        (seoul(dt.date(2026, 2, 17), 10), calls(90, handled=90, handle_s=9000)),
        (seoul(dt.date(2026, 2, 24), 10), calls(400, handled=400, handle_s=40_000)),  # a Tuesday: not used
    ]
    day = forecast_day(history, dt.date(2026, 3, 2), CAL)
    assert day[40].calls == pytest.approx(10.0)


def test_no_history_forecasts_no_calls() -> None:
    day = forecast_day([], TUESDAY, CAL)
    assert all(f.calls == 0 and f.aht_s is None and f.patience_s is None for f in day)


def test_the_plan_shows_both_models_beside_the_staff() -> None:
    start = seoul(TUESDAY, 9)
    forecast = [
        IntervalForecast(start, 25.0, 180.0, 120.0),  # 25 calls per 15 min × 180 s / 900 s = 5 erlangs
        IntervalForecast(start + dt.timedelta(minutes=15), 25.0, 180.0, None),  # nobody ever abandoned
        IntervalForecast(start + dt.timedelta(minutes=30), 0.0, 180.0, 120.0),
        IntervalForecast(start + dt.timedelta(minutes=45), 4.0, None, None),
    ]
    staffed = {start.astimezone(dt.UTC): 6, start + dt.timedelta(minutes=15): 0}  # UTC or Seoul keys both match
    rows = plan(forecast, 0.8, 20, staffed)
    first, second, third, fourth = rows
    # Erlang C: 7 agents give 1 − C(5, 7)·e^(−2·20/180) = 0.740, 8 give 0.880
    assert first.erlang_c_agents == c.agents_needed(25, 900, 180, 0.8, 20) == 8
    assert first.erlang_a_agents is not None and first.erlang_a_agents <= 8
    assert first.staffed == 6
    assert first.sl_erlang_c == pytest.approx(c.erlang_service_level(5, 6, 180, 20))
    model = erlang_a(25, 900, 180, 120, 6, 20)
    assert (first.sl_erlang_a, first.abandon_erlang_a) == (model.service_level, model.abandon_rate)
    assert first.sl_erlang_a is not None and first.sl_erlang_c is not None and first.sl_erlang_a > first.sl_erlang_c
    # no patience: no Erlang A; nobody staffed: service level 0
    assert (second.erlang_a_agents, second.sl_erlang_a, second.staffed, second.sl_erlang_c) == (None, None, 0, 0.0)
    # no calls: nobody needed, nothing to measure; no AHT: nothing can be said
    assert (third.erlang_c_agents, third.erlang_a_agents, third.sl_erlang_c, third.staffed) == (0, 0, None, None)
    assert (fourth.erlang_c_agents, fourth.erlang_a_agents) == (None, None)


def test_a_plan_refuses_a_target_of_one_hundred_percent() -> None:
    with pytest.raises(ValueError):
        plan([], 1.0, 20, {})
