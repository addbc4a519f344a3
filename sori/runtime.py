"""``sori up``: the control process as a tree of Twisted services, stopped cleanly on SIGTERM/SIGINT.

Later parts (the SIP edge, media workers, dashboards) join the same service tree,
so one signal drains and stops everything ``sori up`` started.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from typing import Any, cast

from twisted.application import internet, service
from twisted.internet import reactor as default_reactor
from twisted.internet.defer import Deferred, succeed
from twisted.python.threadpool import ThreadPool
from twisted.web import resource, server
from twisted.web.resource import IResource

from crm.api.app import build_site
from crm.api.verify_page import page_for
from crm.store import migrate
from sori.case_work_wiring import attach_suggestions
from sori.children import SupervisedProcess
from sori.config import Settings
from sori.console_wiring import MOUNT as CONSOLE
from sori.console_wiring import console_resource
from sori.doctor import CANNOT_START, refuse_to_start
from sori.logs import configure_logging
from sori.purge import ScheduledPurge
from sori.seed.demo import seed_demo
from sori.seed.petitions import demo_complaint_files
from sori.simulate import simulation_config
from sori.sms_wiring import attach_sms
from sori.telephony_wiring import build_telephony
from sori.tools_wiring import TOOL_THREADS, attach_tools
from sori.wiring import System, build_system
from telephony.sim.service import SimulationService

log = logging.getLogger("sori")


class ThreadPoolService(service.Service):
    """The database thread pool: started with the process, drained at shutdown."""

    def __init__(self, pool: ThreadPool) -> None:
        self.pool = pool

    def startService(self) -> None:
        super().startService()  # type: ignore[no-untyped-call]
        self.pool.start()

    def stopService(self) -> Deferred[None]:
        super().stopService()  # type: ignore[no-untyped-call]
        self.pool.stop()
        return succeed(None)


def build_services(
    system: System, reactor: Any = default_reactor, simulate: bool = False, demo: bool = False
) -> service.MultiService:
    settings = system.settings
    root = service.MultiService()
    pool = ThreadPool(minthreads=1, maxthreads=settings.database.threads, name="sori-db")
    ThreadPoolService(pool).setServiceParent(root)  # type: ignore[no-untyped-call]
    attach_sms(system, root, reactor)  # before the site: its handlers get the gateway
    tool_pool = ThreadPool(minthreads=0, maxthreads=TOOL_THREADS, name="sori-tools")
    ThreadPoolService(tool_pool).setServiceParent(root)  # type: ignore[no-untyped-call]
    attach_tools(system, root, reactor, pool, tool_pool)  # the agent tools' adapters and reference service
    attach_suggestions(system)  # the category model loads on its own thread: startup does not wait
    deps = system.api_deps()
    site = build_site(deps, system.uow, pool, reactor, system.clock, settings.http.max_body_bytes, system.api_routes())
    api = site.resource  # the JSON API (the console's pages reach it as their agent, in this process)
    # the public forgery check (위변조 확인): no login; one rate limit per address with its API route
    mount(site, "/verify", page_for(system.tools, deps.verify_limiter))
    if settings.open311.enabled:  # Open311 GeoReport v2 for outside apps (API keys; rate and size limits)
        from sori.open311_wiring import MOUNT as OPEN311
        from sori.open311_wiring import Open311Classifier, open311_resource

        mount(site, OPEN311, open311_resource(system, pool, reactor))
        Open311Classifier(system, pool, reactor).setServiceParent(root)  # type: ignore[no-untyped-call]
    console, sweep = console_resource(system, reactor, api)  # the agents' web console (sessions, push stream)
    mount(site, CONSOLE, console)
    sweep.setServiceParent(root)
    if settings.dashboard.enabled:
        from sori.dashboard_wiring import MOUNT, dashboard_resource  # deferred: heavy (dash, plotly), when enabled

        dash_pool = ThreadPool(minthreads=1, maxthreads=settings.dashboard.threads, name="sori-dashboard")
        ThreadPoolService(dash_pool).setServiceParent(root)  # type: ignore[no-untyped-call]
        mount(site, MOUNT, dashboard_resource(system, reactor, dash_pool))
    http = internet.TCPServer(settings.http.port, site, interface=settings.http.host)
    http.setName("http")
    http.setServiceParent(root)
    if settings.analytics.index_calls:
        indexer_service(settings, reactor, demo).setServiceParent(root)  # type: ignore[no-untyped-call]
    if settings.retention.purge_on_schedule:
        ScheduledPurge(system, reactor).setServiceParent(root)  # type: ignore[no-untyped-call]
    if settings.telephony.enabled:
        build_telephony(system, pool, reactor).setServiceParent(root)  # type: ignore[no-untyped-call]
        if settings.analytics.transcribe_calls:
            transcriber_service(settings, reactor).setServiceParent(root)  # type: ignore[no-untyped-call]
        if simulate:
            sim = SimulationService(simulation_config(settings), settings.state_dir / "simulation", reactor)
            # after the prompts are warm and the workers said hello: callers should hear a ready system
            reactor.callWhenRunning(reactor.callLater, 20.0, sim.setServiceParent, root)
    return root


class Mounted(resource.Resource):
    """The site's root: named children (the dashboards' WSGI app), everything else to the API resource."""

    def __init__(self, fallback: resource.Resource) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.fallback = fallback

    def getChild(self, path: bytes, request: server.Request) -> resource.Resource:
        return self.fallback  # a leaf that routes on the whole request path itself (even "/": postpath [b""])


def mount(site: server.Site, path: str, child: resource.Resource) -> None:
    """Serve ``child`` under ``path`` (e.g. ``/dashboard``) on the API's site."""
    root = site.resource if isinstance(site.resource, Mounted) else Mounted(site.resource)
    root.putChild(path.strip("/").encode(), cast(IResource, child))
    site.resource = root


def indexer_service(settings: Settings, reactor: Any, demo: bool) -> SupervisedProcess:
    """``sori analytics ingest --case-store --follow``: new phone contacts reach the search index (and so the
    dashboards) within ``analytics.index_interval_s``; with ``--demo`` it first indexes the demo complaints
    once (``sori.seed.petitions``: ``analytics.demo_files``, else the shared petitions, else the bundled sample;
    checkpointed: a restart adds nothing twice)."""
    argv = [sys.executable, "-m", "sori.cli", "analytics", "ingest", "--case-store", "--follow", "--state-dir",
            str(settings.state_dir)]  # fmt: skip
    if settings.config_file is not None:
        argv += ["--config", str(settings.config_file)]
    if demo:  # the configured files, else ../shared/data's petitions, else the bundled sample
        complaints = demo_complaint_files(settings.analytics.demo_files)
        for path in complaints.missing:
            log.warning("demo complaints file missing", extra={"path": str(path)})
        log.info("demo complaints", extra={"origin": complaints.origin, "files": [str(p) for p in complaints.files]})
        argv += [str(path) for path in complaints.files]
    child = SupervisedProcess("indexer", argv, settings.state_dir / "logs" / "indexer.log", reactor,
                              env=child_env(settings))  # fmt: skip
    child.setName("indexer")  # type: ignore[no-untyped-call]
    return child


def transcriber_service(settings: Settings, reactor: Any) -> SupervisedProcess:
    """``sori analytics transcriber`` as a supervised helper process, on the same configuration."""
    argv = [sys.executable, "-m", "sori.cli", "analytics", "transcriber", "--state-dir", str(settings.state_dir)]
    if settings.config_file is not None:
        argv += ["--config", str(settings.config_file)]
    child = SupervisedProcess("transcriber", argv, settings.state_dir / "logs" / "transcriber.log", reactor,
                              env=child_env(settings))  # fmt: skip
    child.setName("transcriber")  # type: ignore[no-untyped-call]
    return child


def child_env(settings: Settings) -> dict[str, str]:
    """A helper's environment: ours, plus the database URL (it may hold a password, and argv is public in
    ``ps`` and ``/proc/<pid>/cmdline``; the environment is readable only by the same user)."""
    return {**os.environ, "SORI_DATABASE__URL": settings.database_url}


def settle_heap() -> int:
    """Collect once, then freeze what start-up built (``gc.freeze``): the catalogs, models, routes and modules
    live as long as the process, and every full collection would walk them again. With ~270,000 of them a
    full collection took ~180 ms in the middle of whatever request triggered it (a 1,000-request Open311
    page's p99 went from ~40 to ~175 ms; ``bench.open311``); frozen, they are never scanned. Cycles that
    start-up made and dropped after this are kept for good: start-up makes few. Returns the count frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def run_up(settings: Settings, demo: bool = False, simulate: bool = False) -> int:
    settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # owner-only (the CLI's umask is 077 too)
    configure_logging(settings.log.level, settings.log.file)
    if refuse_to_start(settings, simulate, log):  # a missing program fails here, loudly, not later in silence
        return CANNOT_START
    if settings.state_dir.stat().st_mode & 0o077:  # made before, by hand: say so rather than chmod a user's dir
        log.warning("state directory readable by others; chmod 700 it", extra={"state_dir": str(settings.state_dir)})
    system = build_system(settings)
    migrate.upgrade(system.engine)
    if demo:
        report = seed_demo(system)
        log.info(
            "demo seed",
            extra={
                "centers_created": len(report.centers.created),
                "agents_created": report.agents_created,
                "citizens_created": report.citizens_created,
            },
        )
    root = build_services(system, simulate=simulate, demo=demo)
    reactor: Any = default_reactor

    def started() -> None:
        root.startService()
        frozen = settle_heap()
        http = root.getServiceNamed("http")
        address = http._port.getHost()
        log.info(
            "sori up",
            extra={
                "sip": f"{settings.edge.host}:{settings.edge.port}" if settings.telephony.enabled else None,
                "http": f"http://{address.host}:{address.port}",
                "database": system.engine.url.render_as_string(hide_password=True),
                "state_dir": str(settings.state_dir),
                "frozen_objects": frozen,
            },
        )

    reactor.callWhenRunning(started)
    reactor.addSystemEventTrigger("before", "shutdown", root.stopService)
    reactor.run()  # SIGTERM and SIGINT stop the reactor, which stops every service above
    system.engine.dispose()
    log.info("sori stopped")
    return 0
