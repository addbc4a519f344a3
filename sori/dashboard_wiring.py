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
from dashboard.history import PATH as HISTORY_PATH
from dashboard.history import build_history_app
from dashboard.ports import ANALYST_ROLES
from dashboard.server import build_server
from dashboard.staffing import PATH as STAFFING_PATH
from dashboard.staffing import build_staffing_app
from dashboard.supervisor_ports import SUPERVISOR_ROLES
from dashboard.wallboard import PATH as WALLBOARD_PATH
from dashboard.wallboard import build_wallboard_app
from kernel.accounts import SignInSessions
from kernel.calendar import SEOUL
from sori.staffing_wiring import SqlStaffingData
from sori.supervisor_wiring import SqlHistoryData
from sori.wallboard_wiring import Centers, DashboardRoot, SystemWallboardData, wallboard_stream
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
    """The dashboards' Flask app: login pages and gate, the analyst dashboard at ``/analytics/``, the
    supervisors' history at ``/history/`` and staffing planner at ``/staffing/``."""
    config = system.settings.dashboard
    sessions = SignInSessions(system.sessions())
    pages = {PATH: ANALYST_ROLES, HISTORY_PATH: SUPERVISOR_ROLES, STAFFING_PATH: SUPERVISOR_ROLES}
    pages[WALLBOARD_PATH] = SUPERVISOR_ROLES  # the live wallboard (sori.wallboard_wiring)
    server = build_server(sessions, pages, home=PATH, secure_cookie=config.secure_cookie)

    def today() -> dt.date:
        return system.clock().astimezone(SEOUL).date()

    build_analyst_app(server, analyst_data(system), mount=MOUNT, today=today,
                      render_html=lambda report: render(report, system.clock().astimezone(SEOUL)))  # fmt: skip
    history = SqlHistoryData(system)
    threshold_s = system.settings.telephony.service_level_s  # the ACD's and the wallboard's, a wait edge
    build_history_app(server, history, mount=MOUNT, today=today, threshold_s=threshold_s)
    build_staffing_app(server, history, SqlStaffingData(system.engine, system.clock), mount=MOUNT, today=today,
                       calendar=system.calendar, threshold_s=threshold_s)  # fmt: skip
    build_wallboard_app(server, SystemWallboardData(system, Centers(system)), mount=MOUNT)
    return server


def dashboard_resource(system: System, reactor: Any, pool: Any) -> Any:
    """The dashboards as a twisted.web resource (mounted at ``/dashboard`` by ``sori up``)."""
    wsgi = WSGIResource(reactor, pool, build_dashboard_app(system))
    return DashboardRoot(wsgi, wallboard_stream(system, reactor, Centers(system)))  # its push on the reactor
