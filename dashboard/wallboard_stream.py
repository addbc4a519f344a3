"""``GET /dashboard/wallboard-stream?scope=…``: the wallboard's push, Server-Sent Events on the reactor (never on the
dashboards' WSGI pool: no Dash or Flask thread waits for events).

Who: the dashboards' session cookie (``sori_dashboard``), resolved on a thread of the reactor's own pool, then
``authorize`` (a supervisor: their own center; an admin: any center, an institution, or all), refused 401/403
with a Korean reason. What: frames are the scope's whole wallboard snapshot (JSON), so a reconnect needs no
replay: it gets the snapshot now. Coalesced: CTI events mark the scopes they touch dirty; at most ``max_rate_hz``
ticks a second build each dirty scope's snapshot once and send the same bytes to all its viewers. A ``ping``
every ``heartbeat_s`` (which also refreshes every scope: times in state grow without events). Event ids are
``{epoch}.{seq}``: this process's epoch and the last CTI event the snapshot has seen.

Flow control: a viewer whose connection is full keeps only the newest frame (an older snapshot is worthless);
a closed connection leaves its scope at once.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

from twisted.internet import defer, task, threads
from twisted.python import threadable
from twisted.python.failure import Failure
from twisted.web import resource, server

from dashboard.wallboard_scope import Grant, Refused
from telephony.cti.bus import CtiBus, CtiEvent, CtiKind

log = logging.getLogger("sori.dashboard.wallboard")
EPOCH = secrets.token_hex(4)
BOARD_KINDS = frozenset({CtiKind.QUEUE_CHANGED, CtiKind.AGENT_STATE_CHANGED, CtiKind.CALL_FINISHED})
RETRY = b"retry: 2000\n\n"


def frame(kind: str, data: Any, event_id: str | None = None) -> bytes:
    head = f"id: {event_id}\n" if event_id else ""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"{head}event: {kind}\ndata: {body}\n\n".encode()


class WallboardHub:
    """The open streams grouped by scope, and the ticks that build each dirty scope's snapshot once."""

    def __init__(self, bus: CtiBus, build: Callable[[Grant], dict[str, Any]], reactor: Any, *,
                 max_rate_hz: float = 4.0, heartbeat_s: float = 5.0, epoch: str | None = None) -> None:  # fmt: skip
        self.bus, self.build, self.reactor = bus, build, reactor
        self.min_gap_s = 1.0 / max_rate_hz
        self.heartbeat_s = heartbeat_s
        self.epoch = epoch or EPOCH
        self.scopes: dict[str, set[_Viewer]] = {}
        self.grants: dict[str, Grant] = {}
        self.dirty: set[str] = set()
        self.position = 0
        self.builds = 0  # snapshots built (a gauge for the tests and the benchmark)
        self._last_tick = float("-inf")
        self._pending: Any = None
        self._unsubscribe: Callable[[], None] | None = None
        self._heartbeat: task.LoopingCall | None = None

    # -- viewers -------------------------------------------------------------------------------------------
    def join(self, viewer: _Viewer) -> None:
        grant = viewer.grant
        if self._unsubscribe is None:
            self._unsubscribe = self.bus.subscribe(self._deliver)
            self._heartbeat = task.LoopingCall(self._beat)
            self._heartbeat.clock = self.reactor
            self._heartbeat.start(self.heartbeat_s, now=False)
        self.scopes.setdefault(grant.scope, set()).add(viewer)
        self.grants[grant.scope] = grant
        viewer.write(frame("snapshot", self._snapshot(grant), self._id()))

    def leave(self, viewer: _Viewer) -> None:
        viewers = self.scopes.get(viewer.grant.scope)
        if viewers is not None:
            viewers.discard(viewer)
            if not viewers:
                del self.scopes[viewer.grant.scope]
                self.grants.pop(viewer.grant.scope, None)
                self.dirty.discard(viewer.grant.scope)
        if not self.scopes and self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
            if self._heartbeat is not None and self._heartbeat.running:
                self._heartbeat.stop()

    @property
    def viewers(self) -> int:
        return sum(len(v) for v in self.scopes.values())

    # -- events --------------------------------------------------------------------------------------------
    def _deliver(self, event: CtiEvent) -> None:
        if threadable.isInIOThread():
            self._receive(event)
        else:
            self.reactor.callFromThread(self._receive, event)

    def _receive(self, event: CtiEvent) -> None:
        self.position = max(self.position, event.seq)
        if event.kind not in BOARD_KINDS or event.center is None:
            return
        touched = {event.center, event.data.get("agent_center")}
        for scope, grant in self.grants.items():
            if grant.centers is None or touched & grant.centers:
                self.dirty.add(scope)
        self._schedule()

    def _schedule(self) -> None:
        if self._pending is not None or not self.dirty:
            return
        wait = max(0.0, self._last_tick + self.min_gap_s - self.reactor.seconds())
        self._pending = self.reactor.callLater(wait, self._tick)

    def _tick(self) -> None:
        self._pending = None
        self._last_tick = self.reactor.seconds()
        dirty, self.dirty = self.dirty, set()
        for scope in sorted(dirty):
            viewers, grant = self.scopes.get(scope), self.grants.get(scope)
            if not viewers or grant is None:
                continue
            try:
                data = frame("snapshot", self._snapshot(grant), self._id())
            except Exception:  # a wallboard's failure never reaches the publisher (the desk)
                log.exception("wallboard %s: snapshot failed", scope)
                continue
            for viewer in list(viewers):
                viewer.write(data)

    def _beat(self) -> None:
        ping = frame("ping", {"now": self.bus.clock().isoformat()}, self._id())
        for viewers in list(self.scopes.values()):
            for viewer in list(viewers):
                viewer.write(ping)
        self.dirty |= set(self.scopes)  # times in state and alerts move without events
        self._schedule()

    def _snapshot(self, grant: Grant) -> dict[str, Any]:
        self.builds += 1
        return self.build(grant)

    def _id(self) -> str:
        return f"{self.epoch}.{self.position}"


class _Viewer:
    """One open connection (reactor thread)."""

    def __init__(self, hub: WallboardHub, request: server.Request, grant: Grant, token: str | None = None) -> None:
        self.hub, self.request, self.grant, self.token = hub, request, grant, token
        self.paused = False
        self.held: bytes | None = None  # the newest frame while the transport is full
        self.closed = False

    def start(self) -> None:
        req = self.request
        req.setHeader(b"content-type", b"text/event-stream; charset=utf-8")
        req.setHeader(b"cache-control", b"no-store")
        req.setHeader(b"x-accel-buffering", b"no")
        transport = getattr(req, "transport", None)
        if transport is not None and hasattr(transport, "setTcpNoDelay"):
            with contextlib.suppress(OSError):
                transport.setTcpNoDelay(True)
        req.notifyFinish().addBoth(lambda _: self.stopProducing())
        req.registerProducer(self, True)
        self.write(RETRY)
        self.hub.join(self)

    def write(self, data: bytes) -> None:
        if self.closed:
            return
        if self.paused:
            self.held = data if data != RETRY else self.held
            return
        self.request.write(data)

    def pauseProducing(self) -> None:
        self.paused = True

    def resumeProducing(self) -> None:
        self.paused = False
        held, self.held = self.held, None
        if held is not None:
            self.write(held)

    def stopProducing(self) -> None:
        if not self.closed:
            self.closed = True
            self.hub.leave(self)

    def end(self) -> None:
        """The viewer may no longer watch: finish the response (the browser's EventSource reconnects and is
        refused with the reason)."""
        if self.closed:
            return
        self.stopProducing()
        with contextlib.suppress(RuntimeError):  # the connection went first
            self.request.unregisterProducer()
            self.request.finish()


Runner = Callable[..., "defer.Deferred[Any]"]


class WallboardStream(resource.Resource):
    """The SSE resource. ``authorize(token, scope)`` runs on a thread of the reactor's pool (``run``: how; it may
    read the sessions' store) and returns the ``Grant`` or raises ``Refused``. Every ``recheck_s`` each open
    stream is authorized again: a session logged out or expired, or a role taken away, ends its stream."""

    isLeaf = True

    def __init__(self, hub: WallboardHub, authorize: Callable[[str | None, str], Grant], cookie: str, *,
                 recheck_s: float = 60.0, run: Runner | None = None) -> None:  # fmt: skip
        super().__init__()  # type: ignore[no-untyped-call]
        self.hub, self.authorize, self.cookie = hub, authorize, cookie.encode()
        self.recheck_s = recheck_s
        self.run: Runner = run or (lambda f, *a: threads.deferToThreadPool(hub.reactor, hub.reactor.getThreadPool(),
                                                                           f, *a))  # fmt: skip
        self._recheck: task.LoopingCall | None = None

    def render_GET(self, request: server.Request) -> Any:
        raw_token = request.getCookie(self.cookie)
        token = raw_token.decode("ascii", "replace") if raw_token else None
        values = (request.args or {}).get(b"scope") or [b""]
        scope = values[0].decode("utf-8", "replace")
        d = self.run(self.authorize, token, scope)
        d.addCallbacks(lambda grant: self._open(request, grant, token),
                       lambda failure: self._refuse(request, failure))  # fmt: skip
        return server.NOT_DONE_YET

    def _open(self, request: server.Request, grant: Grant, token: str | None) -> None:
        if request.finished or getattr(request, "_disconnected", False):
            return
        _Viewer(self.hub, request, grant, token).start()
        if self._recheck is None or not self._recheck.running:
            self._recheck = task.LoopingCall(self.recheck)
            self._recheck.clock = self.hub.reactor
            self._recheck.start(self.recheck_s, now=False)

    def recheck(self) -> None:
        """Authorize every open stream again; end those refused now."""
        viewers = [v for group in self.hub.scopes.values() for v in group]
        if not viewers and self._recheck is not None and self._recheck.running:
            self._recheck.stop()
        for viewer in viewers:
            self.run(self.authorize, viewer.token, viewer.grant.scope).addErrback(_refused, viewer)

    def _refuse(self, request: server.Request, failure: Any) -> None:
        error = failure.value
        if not isinstance(error, Refused):
            log.error("wallboard stream: %s", failure.getTraceback())
            error = Refused(500, "internal", "알 수 없는 오류가 발생했습니다.")
        if request.finished or getattr(request, "_disconnected", False):
            return
        request.setResponseCode(error.status)
        request.setHeader(b"content-type", b"application/json; charset=utf-8")
        request.setHeader(b"cache-control", b"no-store")
        body = {"error": error.code, "message": error.message, "details": {}}
        request.write(json.dumps(body, ensure_ascii=False).encode())
        request.finish()


def _refused(failure: Failure, viewer: _Viewer) -> None:
    if failure.check(Refused):
        viewer.end()
    else:
        log.error("wallboard recheck: %s", failure.getTraceback())
