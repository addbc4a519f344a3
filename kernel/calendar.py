"""Working-time arithmetic in Asia/Seoul: Korean public holidays, temporary holidays, working days.

Times are stored in UTC everywhere; this module is the one place that turns them
into Seoul wall-clock time to count working days (처리기한) and opening hours.
Holidays come from the ``holidays`` package (substitute holidays, 대체공휴일,
included) plus temporary holidays declared in configuration (임시공휴일).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

SEOUL = ZoneInfo("Asia/Seoul")
UTC = dt.UTC


def to_seoul(moment: dt.datetime) -> dt.datetime:
    """Seoul wall-clock time of an aware UTC (or any aware) moment."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: Sori stores aware UTC datetimes only")
    return moment.astimezone(SEOUL)


def utc(moment: dt.datetime) -> dt.datetime:
    """The same instant in UTC; naive input is taken to be UTC already (database round trips)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@lru_cache(maxsize=64)
def _korean_holidays(year: int) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("KR", years=year, language="ko"))


class WorkCalendar:
    """Korean working days: Monday to Friday, minus public and temporary holidays."""

    def __init__(self, temporary_holidays: Iterable[dt.date] = ()) -> None:
        self._temporary = frozenset(temporary_holidays)

    def holiday_name(self, day: dt.date) -> str | None:
        if day in self._temporary:
            return "임시공휴일"
        return _korean_holidays(day.year).get(day)

    def is_holiday(self, day: dt.date) -> bool:
        return self.holiday_name(day) is not None

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def add_working_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """The deadline ``days`` working days after ``start``, at 18:00 Seoul time, in UTC.

        The day of receipt is not counted (민원 처리기간 산정: 초일 불산입), so a case
        handed over on Friday with 1 working day is due on Monday 18:00 unless Monday
        is a holiday.
        """
        if days < 0:
            raise ValueError("days must be >= 0")
        day = to_seoul(start).date()
        remaining = days
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        if days == 0:
            # Due the same working day, or the next one when received on a day off or after closing.
            if to_seoul(start).time() >= dt.time(18, 0):
                day += dt.timedelta(days=1)
            while not self.is_working_day(day):
                day += dt.timedelta(days=1)
        close = dt.datetime.combine(day, dt.time(18, 0), tzinfo=SEOUL)
        return close.astimezone(UTC)
