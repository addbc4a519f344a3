"""``dashboard.ports.AnalystData`` over the search index and the case store's continuity facts: the numbers
``sori report`` renders, kept a while, and search over the masked index.

The composition root hands it what it reads: a way to open the configured index (and to know whether it
exists yet), the case store's ``ContinuitySource`` (``crm.door``) and the list of centers.

Reports are kept ``cache_seconds`` per query and index size (a one-year report on a million documents takes
seconds; a new document makes the next request build it again). Search tokenises the query with Kiwi, loaded
on the first search (1-2 s, ~500 MB, once per process).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable

from analytics.documents import Filters, Interval, SearchResult
from analytics.search.port import SearchIndex
from analytics.text import shared_tokenizer
from analytics.trends.continuity import read_continuity
from analytics.trends.report import ReportData, build_report
from crm.door.ports import ContinuitySource
from dashboard.ports import NoData, ReportQuery

NO_INDEX = "분석 색인이 아직 없습니다. 민원과 상담을 먼저 적재하세요 (sori analytics ingest)."


class IndexAnalystData:
    def __init__(
        self,
        open_index: Callable[[], SearchIndex],
        index_exists: Callable[[], bool],
        continuity: ContinuitySource,
        centers: Callable[[], list[tuple[str, str]]],
        cache_seconds: float,
    ) -> None:
        self.open_index = open_index
        self.index_exists = index_exists
        self.continuity = continuity
        self.list_centers = centers
        self.cache_seconds = cache_seconds
        self._local = threading.local()
        self._lock = threading.Lock()
        self._reports: dict[tuple[ReportQuery, int], tuple[float, ReportData]] = {}
        self._newest: tuple[float, dt.date | None] | None = None

    def _index(self) -> SearchIndex:
        index: SearchIndex | None = getattr(self._local, "index", None)
        if index is None:
            if not self.index_exists():
                raise NoData(NO_INDEX)
            index = self.open_index()
            self._local.index = index  # one per dashboard thread: readers never wait on each other
        return index

    def report(self, query: ReportQuery) -> ReportData:
        now = time.monotonic()
        index = self._index()
        key = (query, index.count(Filters()))  # per-day counters: cheap at any size
        with self._lock:
            cached = self._reports.get(key)
        if cached is not None and now - cached[0] < self.cache_seconds:
            return cached[1]
        end = query.end + dt.timedelta(days=1)
        continuity = None if query.channel == "text" else read_continuity(self.continuity, query.start, end,
                                                                           query.center)  # fmt: skip
        report = build_report(index, query.start, end, center=query.center, channel=query.channel,
                              continuity=continuity)  # fmt: skip
        with self._lock:
            self._reports = {q: r for q, r in self._reports.items() if now - r[0] < self.cache_seconds}
            self._reports[key] = (now, report)
        return report

    def search(self, text: str, query: ReportQuery, limit: int = 20) -> SearchResult:
        tokens = shared_tokenizer().tokens(text)
        if not tokens:
            return SearchResult(0, ())
        equals = {k: v for k, v in (("center", query.center), ("channel", query.channel)) if v}
        filters = Filters(start=query.start, end=query.end + dt.timedelta(days=1), equals=equals)
        return self._index().search(tokens, filters, limit=limit)

    def centers(self) -> list[tuple[str, str]]:
        return self.list_centers()

    def newest_day(self) -> dt.date | None:
        now = time.monotonic()
        if self._newest is not None and now - self._newest[0] < self.cache_seconds:
            return self._newest[1]
        try:
            days = self._index().histogram(Filters(), Interval.DAY)
        except NoData:
            days = []
        newest = max((d for d, n in days if n > 0), default=None)
        self._newest = (now, newest)
        return newest
