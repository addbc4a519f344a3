"""Opening hours of a center as the ACD needs them: open now? which holiday? when does it next open?"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kernel.calendar import SEOUL, UTC, WorkCalendar, to_seoul
from kernel.centers import WeeklyHours

#: how far ahead ``next_opening`` looks before it gives up (a center with no span left)
HORIZON_DAYS = 400


@dataclass(frozen=True)
class CenterHours:
    hours: WeeklyHours
    calendar: WorkCalendar

    def is_open(self, moment: dt.datetime) -> bool:
        return self.hours.is_open(moment, self.calendar)

    def holiday(self, moment: dt.datetime) -> str | None:
        """The holiday that closes the center at ``moment``, if that is why it is closed."""
        if self.hours.open_on_holidays:
            return None
        return self.calendar.holiday_name(to_seoul(moment).date())

    def next_opening(self, after: dt.datetime) -> dt.datetime | None:
        """The first moment at or after ``after`` when the center is open, in UTC; None past the horizon.

        Spans are walked day by day in Seoul time, skipping holidays unless the center opens on them.
        """
        if self.is_open(after):
            return after.astimezone(UTC)
        start = to_seoul(after)
        for offset in range(HORIZON_DAYS):
            day = start.date() + dt.timedelta(days=offset)
            if self.calendar.is_holiday(day) and not self.hours.open_on_holidays:
                continue
            opens = sorted(s.opens for s in self.hours.spans if s.weekday == day.weekday())
            for time in opens:
                candidate = dt.datetime.combine(day, time, tzinfo=SEOUL)
                if candidate >= start:
                    return candidate.astimezone(UTC)
        return None
