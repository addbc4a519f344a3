"""The numbers of a trend report, from one search index: what ``sori report`` renders as HTML and the
analyst dashboard shows (one code path for both).

For a period [start, end) and optional center and channel: volumes by day, week and month; counts by
channel, category, center, agency, region, age band and sex; 급증 키워드 of the period's last day
against the 28 days before, each with the documents behind it; topics of the period; and the seasonal
comparison (민원예보): the same weeks of earlier years, by category, when the index holds them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from analytics.documents import Document, Filters, Interval
from analytics.search.port import SearchIndex
from analytics.trends.continuity import ContinuityMetrics
from analytics.trends.surge import Surge, surging
from analytics.trends.topics import Topic, topics

BREAKDOWNS = ("channel", "category", "center", "agency", "region", "age_band", "sex")
#: Topics are fitted on at most this many documents of the period, evenly spread over it in time.
MAX_TOPIC_DOCS = 20_000


@runtime_checkable
class SamplingIndex(Protocol):
    """An index that draws the topic sample itself (reading only the sampled documents)."""

    def sample(self, filters: Filters, size: int) -> list[Document]: ...


@dataclass(frozen=True)
class SurgeKeyword:
    surge: Surge
    examples: tuple[tuple[str, str], ...]  # (doc id, masked title) of documents behind the keyword


@dataclass(frozen=True)
class SeasonalRow:
    category: str
    now: int
    earlier: dict[int, int]  # year → documents in the same weeks that year
    change: float | None  # now vs the mean of earlier years (None without earlier data)


@dataclass(frozen=True)
class ReportData:
    start: dt.date
    end: dt.date
    equals: dict[str, str]
    total: int
    by_day: list[tuple[dt.date, int]]
    by_week: list[tuple[dt.date, int]]
    by_month: list[tuple[dt.date, int]]
    breakdowns: dict[str, list[tuple[str, int]]]
    surge_day: dt.date
    surges: list[SurgeKeyword]
    topics: list[Topic]
    seasonal: list[SeasonalRow] = field(default_factory=list)
    continuity: ContinuityMetrics | None = None  # phone contacts from the case store, when it was read


def build_report(
    index: SearchIndex,
    start: dt.date,
    end: dt.date,
    *,
    center: str | None = None,
    channel: str | None = None,
    baseline_days: int = 28,
    n_topics: int = 8,
    continuity: ContinuityMetrics | None = None,
) -> ReportData:
    equals = {k: v for k, v in (("center", center), ("channel", channel)) if v is not None}
    period = Filters(start=start, end=end, equals=equals)
    breakdowns = {name: index.terms(name, period, size=30) for name in BREAKDOWNS}
    last = end - dt.timedelta(days=1)
    day = index.token_doc_freq(Filters(start=last, end=end, equals=equals))
    baseline = [
        index.token_doc_freq(Filters(start=d, end=d + dt.timedelta(days=1), equals=equals))
        for d in (last - dt.timedelta(days=n) for n in range(1, baseline_days + 1))
    ]
    surges = []
    for surge in surging(day, baseline):
        found = index.search([surge.token], Filters(start=last, end=end, equals=equals), limit=3)
        surges.append(SurgeKeyword(surge, tuple((h.doc_id, h.title) for h in found.hits)))
    docs = topic_sample(index, period)
    return ReportData(
        start=start,
        end=end,
        equals=equals,
        total=index.count(period),
        by_day=index.histogram(period, Interval.DAY),
        by_week=index.histogram(period, Interval.WEEK),
        by_month=index.histogram(period, Interval.MONTH),
        breakdowns=breakdowns,
        surge_day=last,
        surges=surges,
        topics=topics(docs, k=n_topics),
        seasonal=seasonal(index, start, end, equals),
        continuity=continuity,
    )


def topic_sample(index: SearchIndex, period: Filters, size: int = MAX_TOPIC_DOCS) -> list[Document]:
    """The period's documents at positions ⌊i·n/size⌋ of the oldest-first order (all when n ≤ size)."""
    if isinstance(index, SamplingIndex):
        return index.sample(period, size)
    total = index.count(period)
    if total <= size:
        return list(index.documents(period))
    step = total / size
    wanted = {int(i * step) for i in range(size)}
    return [doc for n, doc in enumerate(index.documents(period)) if n in wanted]


def seasonal(
    index: SearchIndex, start: dt.date, end: dt.date, equals: dict[str, str], years: int = 3
) -> list[SeasonalRow]:
    """Documents by category in [start, end) and in the same dates of up to ``years`` earlier years."""
    now = dict(index.terms("category", Filters(start=start, end=end, equals=equals), size=100))
    earlier: dict[int, dict[str, int]] = {}
    for back in range(1, years + 1):
        try:
            window = Filters(start=start.replace(year=start.year - back), end=end.replace(year=end.year - back),
                             equals=equals)  # fmt: skip
        except ValueError:  # 29 February
            continue
        counts = dict(index.terms("category", window, size=100))
        if counts:
            earlier[start.year - back] = counts
    rows = []
    for category in sorted(set(now) | {c for counts in earlier.values() for c in counts}):
        past = {year: counts.get(category, 0) for year, counts in earlier.items()}
        mean = sum(past.values()) / len(past) if past else None
        change = (now.get(category, 0) - mean) / mean if mean else None
        rows.append(SeasonalRow(category, now.get(category, 0), past, change))
    rows.sort(key=lambda r: (-r.now, r.category))
    return rows
