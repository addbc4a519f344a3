"""The dashboards joined to the rest of Sori: their sessions over the case store's sign-in service, the analyst
numbers over the search index and the case store's continuity facts (the adapters live beside their ports in
``dashboard/``), and the Flask app mounted at ``/dashboard`` on the HTTP port of ``sori up`` (twisted.web's
WSGI container, on its own thread pool).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from twisted.web.wsgi import WSGIResource

from analytics.report.html import render
from dashboard.analyst import PATH, build_analyst_app
from dashboard.analyst_data import IndexAnalystData
from dashboard.ports import ANALYST_ROLES
from dashboard.server import build_server
from kernel.accounts import SignInSessions
from kernel.calendar import SEOUL
from sori.wiring import System, index_path

MOUNT = "/dashboard"


def analyst_data(system: System) -> IndexAnalystData:
    """The analyst dashboard's numbers: the configured index, the case store's continuity facts and centers."""
    settings = system.settings

    def index_exists() -> bool:  # Elasticsearch answers for itself; the embedded index is a file
        return settings.analytics.search != "embedded" or index_path(settings).exists()

    def centers() -> list[tuple[str, str]]:
        with system.uow(readonly=True) as uow:
            return [(c.code, f"{c.public_number} {c.name}") for c in uow.centers.list(active_only=True)]

    return IndexAnalystData(system.search_index, index_exists, system.contacts, centers,
                            settings.dashboard.report_cache_s)  # fmt: skip


def build_dashboard_app(system: System) -> Flask:
    """The dashboards' Flask app: login pages and gate, the analyst dashboard at ``/analytics/``."""
    config = system.settings.dashboard
    sessions = SignInSessions(system.sessions())
    server = build_server(sessions, {PATH: ANALYST_ROLES}, home=PATH, secure_cookie=config.secure_cookie)

    def today() -> dt.date:
        return system.clock().astimezone(SEOUL).date()

    build_analyst_app(server, analyst_data(system), mount=MOUNT, today=today,
                      render_html=lambda report: render(report, system.clock().astimezone(SEOUL)))  # fmt: skip
    return server


def dashboard_resource(system: System, reactor: Any, pool: Any) -> Any:
    """The dashboards as a twisted.web resource (mounted at ``/dashboard`` by ``sori up``)."""
    return WSGIResource(reactor, pool, build_dashboard_app(system))
