"""The unit of analytics: one citizen's text complaint or one phone consultation, PII-masked and tokenised.

A ``Document`` is what the search index stores and what trends, topics and reports count. Its text is
already masked (``analytics.pii``) and its tokens come from the masked text (``analytics.text``), so no
personal data reaches the index. ``Filters`` select documents the same way in every adapter.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from kernel.calendar import to_seoul
from kernel.errors import ValidationFailed


class DocChannel(enum.StrEnum):
    TEXT = "text"  # 국민신문고 and other written complaints
    PHONE = "phone"  # call transcripts and agents' notes


#: Fields with exact values that filters, facets (``terms``) and reports group by.
FACETS = ("channel", "category", "suggested_category", "agency", "center", "region", "age_band", "sex", "source")
#: The facets a document may leave empty.
OPTIONAL_FACETS = ("category", "suggested_category", "agency", "center", "region", "age_band", "sex")


@dataclass(frozen=True)
class Document:
    doc_id: str  # stable across re-ingests: "<source>:<id>" (e.g. "petition:2020:581234", "call:12345")
    channel: DocChannel
    received_at: dt.datetime  # aware
    title: str  # masked
    body: str  # masked
    tokens: tuple[str, ...]  # morphemes of title + body (masked text)
    source: str
    category: str | None = None  # the label the source gave (신문고 category, the agent's category)
    suggested_category: str | None = None  # the classifier's
    agency: str | None = None  # responsible agency or center code (given or suggested)
    center: str | None = None  # the call center that took a phone contact
    region: str | None = None  # 시도
    age_band: str | None = None  # "20대", "30대", …
    sex: str | None = None  # "male" | "female"

    def __post_init__(self) -> None:
        if not self.doc_id or len(self.doc_id) > 200:
            raise ValidationFailed("a document id is 1-200 characters")
        if self.received_at.tzinfo is None:
            raise ValidationFailed(f"{self.doc_id}: received_at must carry a time zone")

    @property
    def day(self) -> dt.date:
        """The day in Seoul: complaints are counted by Korean calendar days."""

        return to_seoul(self.received_at).date()

    def facet(self, name: str) -> str | None:
        if name not in FACETS:
            raise ValidationFailed(f"no facet {name}; facets: {', '.join(FACETS)}")
        value = getattr(self, name)
        return str(value) if value is not None else None


@dataclass(frozen=True)
class Filters:
    """Documents received in [start, end) Seoul days, with every given facet value (None: any)."""

    start: dt.date | None = None
    end: dt.date | None = None
    equals: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in self.equals:
            if name not in FACETS:
                raise ValidationFailed(f"no facet {name}; facets: {', '.join(FACETS)}")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValidationFailed("the period ends before it starts")

    def matches(self, doc: Document) -> bool:
        day = doc.day
        if self.start is not None and day < self.start:
            return False
        if self.end is not None and day >= self.end:
            return False
        return all(doc.facet(name) == value for name, value in self.equals.items())


@dataclass(frozen=True)
class Hit:
    doc_id: str
    score: float
    title: str
    snippet: str
    received_at: dt.datetime
    channel: DocChannel


@dataclass(frozen=True)
class SearchResult:
    total: int
    hits: tuple[Hit, ...]


class Interval(enum.StrEnum):
    DAY = "day"
    WEEK = "week"  # weeks start on Monday
    MONTH = "month"


def bucket(day: dt.date, interval: Interval) -> dt.date:
    """The first day of the bucket ``day`` falls in."""
    if interval is Interval.DAY:
        return day
    if interval is Interval.WEEK:
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def snippet(body: str, tokens: Sequence[str], width: int = 120) -> str:
    """About ``width`` characters of the (masked) body around the first query word found in it."""
    at = min((i for i in (body.find(t) for t in tokens) if i >= 0), default=0)
    start = max(0, at - width // 3)
    text = body[start : start + width].replace("\n", " ")
    return ("…" if start > 0 else "") + text + ("…" if start + width < len(body) else "")
