"""Working days in Asia/Seoul: Korean public and substitute holidays, temporary holidays, 처리기한 arithmetic."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kernel.calendar import SEOUL, UTC, WorkCalendar, to_seoul, utc

KST = ZoneInfo("Asia/Seoul")


def kst(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=KST)


def due(year: int, month: int, day: int) -> dt.datetime:
    """18:00 Seoul time on that day, in UTC (09:00Z: Korea has no daylight saving time)."""
    return dt.datetime(year, month, day, 9, 0, tzinfo=dt.UTC)


# --- time zones ---------------------------------------------------------------------------------------------


def test_to_seoul_converts_aware_moments() -> None:
    moment = dt.datetime(2025, 1, 1, 15, 30, tzinfo=dt.UTC)
    local = to_seoul(moment)
    assert local == moment
    assert (local.date(), local.hour, local.minute) == (dt.date(2025, 1, 2), 0, 30)
    assert local.utcoffset() == dt.timedelta(hours=9)


def test_to_seoul_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_seoul(dt.datetime(2025, 1, 1, 12, 0))


def test_utc_tags_naive_values_and_converts_aware_ones() -> None:
    assert utc(dt.datetime(2025, 1, 1, 12, 0)) == dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.UTC)
    assert utc(dt.datetime(2025, 1, 1, 12, 0)).tzinfo is UTC
    converted = utc(kst(2025, 1, 1, 9))
    assert (converted.hour, converted.tzinfo) == (0, UTC)
    assert SEOUL.key == "Asia/Seoul"


# --- holidays -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2024, 2, 12),  # 설날 대체공휴일 (설날 fell on Saturday-Sunday)
        dt.date(2024, 5, 6),  # 어린이날 대체공휴일
        dt.date(2025, 3, 3),  # 삼일절 대체공휴일 (3.1 was a Saturday)
        dt.date(2025, 5, 6),  # 어린이날/부처님오신날 대체공휴일
        dt.date(2025, 10, 8),  # 추석 대체공휴일
        dt.date(2026, 3, 2),  # 삼일절 대체공휴일 (3.1 is a Sunday)
        dt.date(2026, 5, 25),  # 부처님오신날 대체공휴일
        dt.date(2026, 8, 17),  # 광복절 대체공휴일 (8.15 is a Saturday)
        dt.date(2026, 10, 5),  # 개천절 대체공휴일 (10.3 is a Saturday)
    ],
)
def test_substitute_holidays(day: dt.date) -> None:
    calendar = WorkCalendar()
    assert calendar.is_holiday(day)
    assert not calendar.is_working_day(day)
    assert day.weekday() < 5
    assert "대체" in (calendar.holiday_name(day) or "")


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2024, 1, 1),
        dt.date(2024, 2, 9),
        dt.date(2024, 3, 1),
        dt.date(2024, 4, 10),  # 총선
        dt.date(2024, 10, 1),  # 국군의 날 임시공휴일
        dt.date(2024, 12, 25),
        dt.date(2025, 1, 27),  # 설 연휴 임시공휴일
        dt.date(2025, 6, 3),  # 대통령 선거일
        dt.date(2025, 10, 6),
        dt.date(2025, 10, 9),
        dt.date(2026, 2, 17),
        dt.date(2026, 9, 25),
    ],
)
def test_public_holidays_on_weekdays(day: dt.date) -> None:
    assert WorkCalendar().is_holiday(day)
    assert not WorkCalendar().is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [dt.date(2024, 2, 13), dt.date(2025, 3, 4), dt.date(2025, 10, 10), dt.date(2026, 2, 19), dt.date(2026, 3, 3)],
)
def test_ordinary_weekdays_are_working_days(day: dt.date) -> None:
    assert WorkCalendar().holiday_name(day) is None
    assert WorkCalendar().is_working_day(day)


def test_weekends_are_not_working_days_but_not_holidays_either() -> None:
    calendar = WorkCalendar()
    for day in (dt.date(2025, 6, 7), dt.date(2025, 6, 8)):  # an ordinary Saturday and Sunday
        assert not calendar.is_holiday(day)
        assert not calendar.is_working_day(day)


def test_temporary_holidays_from_configuration() -> None:
    declared = dt.date(2025, 6, 11)  # an ordinary Wednesday
    calendar = WorkCalendar([declared])
    assert calendar.holiday_name(declared) == "임시공휴일"
    assert not calendar.is_working_day(declared)
    assert WorkCalendar().is_working_day(declared)  # not a holiday without the configuration


def test_holiday_names_are_korean() -> None:
    assert WorkCalendar().holiday_name(dt.date(2025, 8, 15)) == "광복절"


# --- add_working_days ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # the day of receipt is not counted
        (kst(2024, 6, 3), 1, due(2024, 6, 4)),  # Mon -> Tue
        (kst(2024, 6, 3), 2, due(2024, 6, 5)),  # Mon -> Wed (Thu 6.6 is 현충일)
        (kst(2024, 6, 3), 3, due(2024, 6, 7)),
        # weekends skipped
        (kst(2025, 6, 13), 1, due(2025, 6, 16)),  # Fri -> Mon
        (kst(2025, 6, 14), 1, due(2025, 6, 16)),  # received Sat -> Mon
        (kst(2025, 6, 15), 1, due(2025, 6, 16)),  # received Sun -> Mon
        (kst(2025, 6, 9), 5, due(2025, 6, 16)),  # a whole week
        # holidays skipped, substitute holidays included
        (kst(2024, 5, 3), 1, due(2024, 5, 7)),  # Fri; Mon 5.6 is 어린이날 대체공휴일
        (kst(2024, 2, 8), 1, due(2024, 2, 13)),  # 설 연휴 then 2.12 대체공휴일
        (kst(2025, 2, 28), 1, due(2025, 3, 4)),  # Mon 3.3 is 삼일절 대체공휴일
        (kst(2026, 2, 27), 1, due(2026, 3, 3)),  # Mon 3.2 is 삼일절 대체공휴일
        (kst(2026, 8, 14), 1, due(2026, 8, 18)),  # Mon 8.17 is 광복절 대체공휴일
        (kst(2026, 10, 2), 1, due(2026, 10, 6)),  # Mon 10.5 is 개천절 대체공휴일
        # 7 working days across 개천절 and the 2025 추석 연휴 (10.3, 10.6-10.9)
        (kst(2025, 9, 30), 7, due(2025, 10, 16)),
        # across the new year
        (kst(2025, 12, 31), 1, due(2026, 1, 2)),
        # days=0: the first working day from the day of receipt
        (kst(2024, 6, 3), 0, due(2024, 6, 3)),
        (kst(2025, 6, 14), 0, due(2025, 6, 16)),  # Sat -> Mon
        (kst(2024, 2, 9), 0, due(2024, 2, 13)),  # 설날 전날 -> after the 대체공휴일
    ],
)
def test_add_working_days(start: dt.datetime, days: int, expected: dt.datetime) -> None:
    result = WorkCalendar().add_working_days(start, days)
    assert result == expected
    assert result.tzinfo is UTC
    local = to_seoul(result)
    assert (local.hour, local.minute) == (18, 0)


def test_the_day_of_receipt_is_the_seoul_date_not_the_utc_date() -> None:
    calendar = WorkCalendar()
    # Sunday 16:00Z is Monday 01:00 in Seoul: received on Monday, due Tuesday.
    assert calendar.add_working_days(dt.datetime(2024, 6, 2, 16, 0, tzinfo=dt.UTC), 1) == due(2024, 6, 4)
    # Monday 14:59Z is still Monday in Seoul; 15:00Z is already Tuesday.
    assert calendar.add_working_days(dt.datetime(2024, 6, 3, 14, 59, tzinfo=dt.UTC), 1) == due(2024, 6, 4)
    assert calendar.add_working_days(dt.datetime(2024, 6, 3, 15, 0, tzinfo=dt.UTC), 1) == due(2024, 6, 5)


def test_any_aware_time_zone_is_accepted() -> None:
    start = kst(2024, 6, 3, 10)
    elsewhere = start.astimezone(ZoneInfo("America/New_York"))
    assert WorkCalendar().add_working_days(elsewhere, 1) == WorkCalendar().add_working_days(start, 1)


def test_temporary_holiday_pushes_the_deadline() -> None:
    start = kst(2024, 6, 3)
    assert WorkCalendar([dt.date(2024, 6, 4)]).add_working_days(start, 1) == due(2024, 6, 5)
    assert WorkCalendar([dt.date(2024, 6, 3)]).add_working_days(start, 0) == due(2024, 6, 4)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        WorkCalendar().add_working_days(kst(2024, 6, 3), -1)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        WorkCalendar().add_working_days(dt.datetime(2024, 6, 3, 10, 0), 1)


def _oracle_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in holidays.country_holidays("KR", years=day.year)


@settings(max_examples=150, deadline=None)
@given(
    st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 11, 30), timezones=st.just(dt.UTC)),
    st.integers(min_value=0, max_value=25),
)
def test_deadline_is_exactly_n_working_days_later_at_18_seoul(start: dt.datetime, days: int) -> None:
    result = WorkCalendar().add_working_days(start, days)
    local = to_seoul(result)
    received = to_seoul(start).date()
    assert result.tzinfo is UTC
    assert (local.hour, local.minute, local.second) == (18, 0, 0)
    assert _oracle_working_day(local.date())
    between = [received + dt.timedelta(days=i) for i in range(1, (local.date() - received).days + 1)]
    counted = sum(_oracle_working_day(d) for d in between)
    if days > 0:
        assert counted == days
    else:
        assert local.date() >= received
        assert counted == (0 if local.date() == received else 1)


def test_zero_days_after_closing_time_is_due_the_next_working_day() -> None:
    calendar = WorkCalendar()
    # Tuesday 2026-03-10 19:00 in Seoul: received after 18:00, so due Wednesday 18:00.
    start = dt.datetime(2026, 3, 10, 19, 0, tzinfo=SEOUL)
    assert to_seoul(calendar.add_working_days(start, 0)) == dt.datetime(2026, 3, 11, 18, 0, tzinfo=SEOUL)
    before_close = dt.datetime(2026, 3, 10, 17, 59, tzinfo=SEOUL)
    assert to_seoul(calendar.add_working_days(before_close, 0)) == dt.datetime(2026, 3, 10, 18, 0, tzinfo=SEOUL)
