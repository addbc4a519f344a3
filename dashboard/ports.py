"""What the dashboards need from the rest of Sori: who is looking (sessions) and the numbers to draw.

Their adapters: ``kernel.accounts.SignInSessions`` (over the case store's sign-in service, shared with the console) and
``dashboard.analyst_data`` (over the search index and the case store's continuity facts); the composition root
(``sori.dashboard_wiring``) hands them what they read. The dashboards import no database code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from analytics.documents import SearchResult
from analytics.trends.report import ReportData
from kernel.accounts import LoginRefused as LoginRefused
from kernel.accounts import Sessions as Sessions
from kernel.accounts import Viewer as Viewer

#: Roles that may open the analyst dashboard (agents may not: it spans every center).
ANALYST_ROLES = frozenset({"analyst", "supervisor", "admin"})


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
