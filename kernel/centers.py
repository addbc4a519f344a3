"""The Center aggregate: a call center (tenant) with its public number, hours and targets."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kernel.calendar import WorkCalendar, to_seoul
from kernel.errors import ValidationFailed

CENTER_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,19}$")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


@dataclass(frozen=True)
class OpeningSpan:
    weekday: int  # 0 = Monday
    opens: dt.time
    closes: dt.time  # 24:00 is stored as time.max


@dataclass(frozen=True)
class WeeklyHours:
    """Opening hours per weekday in Seoul time; ``open_on_holidays`` for 24/7 lines.

    Text form, as in the centers data file: ``"mon-fri 09:00-18:00; sat 09:00-13:00"``,
    ``"24/7"``.
    """

    spans: tuple[OpeningSpan, ...]
    open_on_holidays: bool = False

    @classmethod
    def parse(cls, text: str) -> WeeklyHours:
        text = text.strip().lower()
        if text in ("24/7", "24x7", "always"):
            return cls(tuple(OpeningSpan(d, dt.time(0, 0), dt.time.max) for d in range(7)), open_on_holidays=True)
        spans: list[OpeningSpan] = []
        holidays_too = False
        for part in filter(None, (p.strip() for p in text.split(";"))):
            if part == "holidays":
                holidays_too = True
                continue
            try:
                days_text, span_text = part.split()
            except ValueError:
                raise ValidationFailed(f"hours '{part}': expected 'mon-fri 09:00-18:00'") from None
            days = _parse_days(days_text)
            match = _SPAN.match(span_text)
            if not match:
                raise ValidationFailed(f"hours '{part}': expected HH:MM-HH:MM")
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2 != 0):
                raise ValidationFailed(f"hours '{part}': impossible time")
            opens = dt.time(h1, m1)
            closes = dt.time.max if h2 == 24 else dt.time(h2, m2)
            if closes <= opens:
                raise ValidationFailed(f"hours '{part}': closes before it opens")
            spans.extend(OpeningSpan(d, opens, closes) for d in days)
        if not spans:
            raise ValidationFailed("hours: no opening span given")
        return cls(tuple(spans), open_on_holidays=holidays_too)

    def render(self) -> str:
        if (
            self.open_on_holidays
            and len(self.spans) == 7
            and all(s.opens == dt.time(0, 0) and s.closes == dt.time.max for s in self.spans)
        ):
            return "24/7"
        parts = []
        for span in self.spans:
            closes = "24:00" if span.closes == dt.time.max else span.closes.strftime("%H:%M")
            parts.append(f"{_DAYS[span.weekday]} {span.opens.strftime('%H:%M')}-{closes}")
        if self.open_on_holidays:
            parts.append("holidays")
        return "; ".join(parts)

    def is_open(self, moment: dt.datetime, calendar: WorkCalendar) -> bool:
        local = to_seoul(moment)
        if calendar.is_holiday(local.date()) and not self.open_on_holidays:
            return False
        now = local.time().replace(tzinfo=None)
        return any(s.weekday == local.weekday() and s.opens <= now <= s.closes for s in self.spans)


def _parse_days(text: str) -> list[int]:
    days: list[int] = []
    for chunk in text.split(","):
        if "-" in chunk:
            first, last = chunk.split("-", 1)
            if first not in _DAYS or last not in _DAYS:
                raise ValidationFailed(f"hours: unknown day in '{chunk}'")
            a, b = _DAYS.index(first), _DAYS.index(last)
            if b < a:
                raise ValidationFailed(f"hours: day range '{chunk}' runs backwards")
            days.extend(range(a, b + 1))
        else:
            if chunk not in _DAYS:
                raise ValidationFailed(f"hours: unknown day '{chunk}'")
            days.append(_DAYS.index(chunk))
    return days


@dataclass(frozen=True)
class ServiceLevelTarget:
    """Share of calls (percent) to answer within ``seconds`` (e.g. 80/20)."""

    percent: int = 80
    seconds: int = 20

    @classmethod
    def parse(cls, text: str) -> ServiceLevelTarget:
        try:
            percent_text, seconds_text = text.split("/")
            target = cls(int(percent_text), int(seconds_text))
        except ValueError:
            raise ValidationFailed(f"service level '{text}': expected PERCENT/SECONDS like 80/20") from None
        if not (0 < target.percent <= 100 and 0 < target.seconds <= 3600):
            raise ValidationFailed(f"service level '{text}': out of range")
        return target

    def render(self) -> str:
        return f"{self.percent}/{self.seconds}"


@dataclass
class Center:
    """A call center: one tenant of Sori. Deactivated, never deleted."""

    code: str
    name: str
    institution: str
    public_number: str
    hours: str = "mon-fri 09:00-18:00"
    service_level: str = "80/20"
    region: str | None = None
    area_codes: list[str] = field(default_factory=list)
    overflow_partners: list[str] = field(default_factory=list)
    active: bool = True
    demo: bool = False

    def __post_init__(self) -> None:
        if not CENTER_CODE.match(self.code):
            raise ValidationFailed(f"center code '{self.code}': use 2-20 capitals/digits, starting with a letter")
        if not self.name.strip():
            raise ValidationFailed(f"center {self.code}: name is empty")
        if not re.fullmatch(r"\d{3,4}(-\d{4})?|\d{2,3}-\d{3,4}-\d{4}", self.public_number):
            raise ValidationFailed(f"center {self.code}: public number '{self.public_number}' is not a number")
        WeeklyHours.parse(self.hours)
        ServiceLevelTarget.parse(self.service_level)
        if self.code in self.overflow_partners:
            raise ValidationFailed(f"center {self.code}: cannot overflow to itself")

    @property
    def weekly_hours(self) -> WeeklyHours:
        return WeeklyHours.parse(self.hours)

    @property
    def service_level_target(self) -> ServiceLevelTarget:
        return ServiceLevelTarget.parse(self.service_level)


def centers_for_number(centers: list[Center], dialled: str, caller_area_code: str | None) -> list[Center]:
    """The active centers answering ``dialled``; a shared number (120) is narrowed by area code.

    Returns several centers when the caller's area code does not decide (mobile
    callers): the IVR then asks with a region menu.
    """
    matching = [c for c in centers if c.active and c.public_number == dialled]
    if len(matching) <= 1 or caller_area_code is None:
        return matching
    by_area = [c for c in matching if caller_area_code in c.area_codes]
    return by_area or matching
