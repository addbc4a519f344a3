"""The wallboard joined to the rest of Sori: the push stream on the reactor (the board's snapshots of a scope, with
the desk's agents' logins and skills and its due callbacks), the page's data (centers and institutions, today's
abandoned calls from the history store, the supervisors' actions through the JSON API as the viewer), and the
``/dashboard`` resource that serves ``wallboard-stream`` itself and hands every other path to the WSGI app.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any, cast

from flask import request
from twisted.web import resource, server
from twisted.web.resource import IResource

from crm.store import call_history
from dashboard.server import COOKIE
from dashboard.supervisor_ports import AbandonedCall
from dashboard.wallboard_scope import Grant, grant
from dashboard.wallboard_stream import WallboardHub, WallboardStream
from kernel.calendar import SEOUL
from sori.wallboard_settings import wallboard_settings
from sori.wiring import System
from telephony.board.wallboard import DueCallback, WallboardSettings, snapshot

STREAM = b"wallboard-stream"
CENTERS_TTL_S = 60.0
EVERY_AGENT_UP_TO = 12  # centers: a larger scope lists only the agents in alert (2,000 rows help nobody)


class Centers:
    """Every active center's institution, read at most once a minute (any thread)."""

    def __init__(self, system: System) -> None:
        self.system = system
        self._cached: tuple[float, dict[str, str]] | None = None

    def __call__(self) -> Mapping[str, str]:
        cached = self._cached
        if cached is not None and time.monotonic() - cached[0] < CENTERS_TTL_S:
            return cached[1]
        with self.system.uow(readonly=True) as uow:
            found = {c.code: c.institution for c in uow.centers.list(active_only=True)}
        self._cached = (time.monotonic(), found)
        return found


def build_snapshot(system: System, found: Grant, settings: WallboardSettings | None = None) -> dict[str, Any]:
    """The scope's wallboard now (reactor thread: the board, the desk's agents and callbacks are in memory)."""
    now = system.clock()
    board, desk = system.desk.board, system.desk.desk
    if board is None:
        return snapshot(found.scope, [], now, settings=settings)
    states = ([board.center(c) for c in sorted(found.centers)] if found.centers is not None
              else board.centers())  # fmt: skip
    logins: dict[int, str] = {}
    skills: dict[int, set[str]] = {}
    due: list[DueCallback] = []
    default_skill = "general"
    if desk is not None:
        for record in list(desk.agents.values()):
            logins[record.agent_id] = record.login
            skills[record.agent_id] = set(record.skills)
        due = [DueCallback(t.center, None, t.due_at) for t in list(desk.callbacks.values())
               if found.allows(t.center)]  # fmt: skip
        default_skill = desk.settings.default_skill
    return snapshot(found.scope, states, now, settings=settings, logins=logins, skills=skills, callbacks=due,
                    default_skill=default_skill, every_agent=len(states) <= EVERY_AGENT_UP_TO)  # fmt: skip


class SystemWallboardData:
    """The page's ``WallboardData`` over the case store and the JSON API of this same server."""

    def __init__(self, system: System, centers: Centers) -> None:
        self.system = system
        self.centers = centers

    def institutions(self) -> Mapping[str, str]:
        return self.centers()

    def abandoned_today(self, centers: frozenset[str] | None, limit: int = 200) -> list[AbandonedCall]:
        midnight = dt.datetime.combine(self.system.clock().astimezone(SEOUL).date(), dt.time(), SEOUL)
        with self.system.uow(readonly=True) as uow:
            assert uow.session is not None
            rows = call_history.abandoned_calls(uow.session, midnight, midnight + dt.timedelta(days=1), centers,
                                                limit=limit)  # fmt: skip
        return [AbandonedCall(r.call_record_id, r.enqueued_at, r.center, r.skill, r.caller_masked, r.wait_s,
                              r.callback_requested) for r in rows]  # fmt: skip

    def act(self, token: str, method: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        # The API of this very server, reached the way the browser reached the page: every rule and the audit of
        # the API hold, none is copied here. A short wait on this pool's thread (not an event wait).
        url = request.host_url.rstrip("/") + path
        call = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            method=method,
            headers={
                "authorization": f"Bearer {token}",
                "content-type": "application/json",
                "accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(call, timeout=30) as reply:  # our own server's URL
                status, text = reply.status, reply.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        try:
            answer = json.loads(text) if text else {}
        except ValueError:
            answer = {}
        return status, answer if isinstance(answer, dict) else {}


def wallboard_stream(system: System, reactor: Any, centers: Centers, **hub_options: Any) -> WallboardStream:
    sessions = system.sessions()
    from kernel.accounts import SignInSessions

    viewers = SignInSessions(sessions)

    def authorize(token: str | None, scope: str) -> Grant:
        viewer = viewers.viewer(token) if token else None
        return grant(viewer, scope, centers())

    settings = wallboard_settings(system.settings.dashboard, system.settings.telephony.service_level_s)
    hub = WallboardHub(system.cti, lambda found: build_snapshot(system, found, settings), reactor, **hub_options)
    return WallboardStream(hub, authorize, COOKIE)


class DashboardRoot(resource.Resource):
    """``/dashboard``: the stream (a reactor resource) by name, every other path to the WSGI app unchanged."""

    def __init__(self, wsgi: Any, stream: WallboardStream) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.wsgi, self.stream = wsgi, stream

    def getChildWithDefault(self, path: bytes, request: server.Request) -> IResource:
        if path == STREAM:
            return cast(IResource, self.stream)
        assert request.prepath is not None and request.postpath is not None
        request.postpath.insert(0, request.prepath.pop())  # the WSGI app routes on the whole path itself
        return cast(IResource, self.wsgi)

    def render(self, request: server.Request) -> Any:
        return self.wsgi.render(request)
