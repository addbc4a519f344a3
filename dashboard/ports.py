"""What the dashboards need from the rest of Sori: who is looking (sessions) and the numbers to draw.

Their adapters live beside them: ``dashboard.sessions`` (over the case store's sign-in service) and
``dashboard.analyst_data`` (over the search index and the case store's continuity facts); the composition root
(``sori.dashboard_wiring``) hands them what they read. The dashboards import no database code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from analytics.documents import SearchResult
from analytics.trends.report import ReportData

#: Roles that may open the analyst dashboard (agents may not: it spans every center).
ANALYST_ROLES = frozenset({"analyst", "supervisor", "admin"})


@dataclass(frozen=True)
class Viewer:
    agent_id: int
    login: str
    name: str
    role: str
    center: str


class LoginRefused(Exception):
    """A login the sessions refused; ``message`` is Korean and shown on the login page."""

    def __init__(self, code: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


class Sessions(Protocol):
    def log_in(self, login: str, password: str, remote: str) -> tuple[str, dt.datetime]:
        """A session token and its expiry; raises ``LoginRefused``."""
        ...

    def viewer(self, token: str) -> Viewer | None:
        """The active agent behind a session token, None when it is unknown, expired or revoked."""
        ...

    def log_out(self, token: str) -> None: ...


@dataclass(frozen=True)
class ReportQuery:
    """A period of Seoul days [start, end] inclusive, optionally one center and one channel."""

    start: dt.date
    end: dt.date
    center: str | None = None
    channel: str | None = None  # "text" | "phone"


class NoData(Exception):
    """The index cannot answer yet (none built, or its server is down); the message is Korean."""


class AnalystData(Protocol):
    def report(self, query: ReportQuery) -> ReportData:
        """The trend report's numbers, the same ``sori report`` renders; raises ``NoData``."""
        ...

    def search(self, text: str, query: ReportQuery, limit: int = 20) -> SearchResult:
        """Documents matching ``text`` (tokenised like the index) in the query's period and scope."""
        ...

    def centers(self) -> list[tuple[str, str]]:
        """(code, Korean label) of every center, for the center filter."""
        ...

    def newest_day(self) -> dt.date | None:
        """The last Seoul day with an indexed document (the default period ends there), None when empty."""
        ...
