"""The dashboards joined to the rest of Sori: sessions over the case store's logins and tokens, the analyst
numbers over the search index and the case store, and the Flask app mounted at ``/dashboard`` on the HTTP
port of ``sori up`` (twisted.web's WSGI container, on its own thread pool).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import TYPE_CHECKING, Any

from analytics.documents import Filters, Interval, SearchResult
from analytics.search.port import SearchIndex
from analytics.trends.report import ReportData, build_report
from crm.api import auth
from dashboard.ports import LoginRefused, NoData, ReportQuery, Viewer
from kernel.calendar import SEOUL
from sori.report_cli import index_path, open_index
from sori.wiring import System

if TYPE_CHECKING:
    from flask import Flask

MOUNT = "/dashboard"


class StoreSessions:
    """``dashboard.ports.Sessions`` on the API's logins, rate limit and tokens (one rule for both)."""

    def __init__(self, system: System) -> None:
        self.system = system

    def log_in(self, login: str, password: str, remote: str) -> tuple[str, dt.datetime]:
        http = self.system.settings.http
        with self.system.uow() as uow:
            try:
                granted = auth.log_in(uow, self.system.login_limiter(), login, password, remote, self.system.clock(),
                                      http.token_hours)  # fmt: skip
            except auth.LoginRateLimited as limited:
                wait = int(limited.details["retry_after"])
                message = f"로그인 실패가 많습니다. {wait}초 뒤에 다시 시도하세요."
                raise LoginRefused(limited.code, message, wait) from None
            except auth.WrongCredentials as wrong:
                raise LoginRefused(wrong.code, "아이디 또는 비밀번호가 틀렸습니다.") from None
            uow.commit()
        return granted.token, granted.expires_at

    def viewer(self, token: str) -> Viewer | None:
        with self.system.uow(readonly=True) as uow:
            assert uow.session is not None
            agent = auth.resolve_token(uow.session, token, self.system.clock())
            if agent is None or agent.id is None:
                return None
            return Viewer(agent.id, agent.login, agent.display_name, str(agent.role), agent.center_code)

    def log_out(self, token: str) -> None:
        with self.system.uow() as uow:
            assert uow.session is not None
            auth.revoke_token(uow.session, token, self.system.clock())
            uow.commit()


class IndexAnalystData:
    """``dashboard.ports.AnalystData``: ``build_report`` on the configured index, continuity from the case store.

    Reports are kept ``cache_seconds`` per query and index size (a one-year report on a million documents takes
    seconds; a new document makes the next request build it again).
    Search tokenises the query with Kiwi, loaded on the first search (1-2 s, ~500 MB, once per process).
    """

    def __init__(self, system: System, cache_seconds: float) -> None:
        self.system = system
        self.cache_seconds = cache_seconds
        self._local = threading.local()
        self._lock = threading.Lock()
        self._reports: dict[tuple[ReportQuery, int], tuple[float, ReportData]] = {}
        self._newest: tuple[float, dt.date | None] | None = None

    def _index(self) -> SearchIndex:
        index: SearchIndex | None = getattr(self._local, "index", None)
        if index is None:
            settings = self.system.settings
            if settings.analytics.search == "embedded" and not index_path(settings).exists():
                raise NoData("분석 색인이 아직 없습니다. 민원과 상담을 먼저 적재하세요 (sori analytics ingest).")
            index = open_index(settings)
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
        from analytics.ingest.case_store import read_continuity

        end = query.end + dt.timedelta(days=1)
        continuity = None if query.channel == "text" else read_continuity(self.system.engine, query.start, end,
                                                                           query.center)  # fmt: skip
        report = build_report(index, query.start, end, center=query.center, channel=query.channel,
                              continuity=continuity)  # fmt: skip
        with self._lock:
            self._reports = {q: r for q, r in self._reports.items() if now - r[0] < self.cache_seconds}
            self._reports[key] = (now, report)
        return report

    def search(self, text: str, query: ReportQuery, limit: int = 20) -> SearchResult:
        from analytics.text import shared_tokenizer

        tokens = shared_tokenizer().tokens(text)
        if not tokens:
            return SearchResult(0, ())
        equals = {k: v for k, v in (("center", query.center), ("channel", query.channel)) if v}
        filters = Filters(start=query.start, end=query.end + dt.timedelta(days=1), equals=equals)
        return self._index().search(tokens, filters, limit=limit)

    def centers(self) -> list[tuple[str, str]]:
        with self.system.uow(readonly=True) as uow:
            return [(c.code, f"{c.public_number} {c.name}") for c in uow.centers.list(active_only=True)]

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


def build_dashboard_app(system: System) -> Flask:
    """The dashboards' Flask app: login pages and gate, the analyst dashboard at ``/analytics/``."""
    from analytics.report.html import render
    from dashboard.analyst import PATH, build_analyst_app
    from dashboard.ports import ANALYST_ROLES
    from dashboard.server import build_server

    config = system.settings.dashboard
    server = build_server(StoreSessions(system), {PATH: ANALYST_ROLES}, home=PATH, secure_cookie=config.secure_cookie)
    data = IndexAnalystData(system, config.report_cache_s)

    def today() -> dt.date:
        return system.clock().astimezone(SEOUL).date()

    build_analyst_app(server, data, mount=MOUNT, today=today,
                      render_html=lambda report: render(report, system.clock().astimezone(SEOUL)))  # fmt: skip
    return server


def dashboard_resource(system: System, reactor: Any, pool: Any) -> Any:
    """The dashboards as a twisted.web resource (mounted at ``/dashboard`` by ``sori up``)."""
    from twisted.web.wsgi import WSGIResource

    return WSGIResource(reactor, pool, build_dashboard_app(system))
