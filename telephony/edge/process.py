"""The edge as a Twisted service: writes its files, runs Kamailio, restarts it, stops it cleanly.

``EdgeService`` joins the ``sori up`` service tree. Kamailio runs in the
foreground (``-DD -E``) in its own session (``setsid``) so that stopping it can
reach every process it forked: SIGTERM to the main process, then SIGKILL to the
whole group after ``stop_timeout``; nothing is left holding the SIP port. Its
stderr is logged line by line under the ``sori.edge.kamailio`` logger.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from twisted.application import service
from twisted.internet import protocol, threads
from twisted.internet.defer import Deferred, succeed
from twisted.python.failure import Failure

from telephony.edge.control import EdgeControl, EdgeRpcError
from telephony.edge.kamcfg import EdgePaths
from telephony.edge.layout import command, prepare
from telephony.edge.numbers import NumberPlan
from telephony.edge.settings import EdgeConfig
from telephony.edge.tables import Subscriber, WorkerAddress, write_subscribers

log = logging.getLogger("sori.edge")
kamailio_log = logging.getLogger("sori.edge.kamailio")


class EdgeNotReady(Exception):
    """Kamailio did not answer its control socket within the start timeout."""


class _KamailioProtocol(protocol.ProcessProtocol):
    def __init__(self, owner: EdgeService) -> None:
        self.owner = owner
        self.ended: Deferred[None] = Deferred()
        self._partial = b""

    def childDataReceived(self, childFD: int, data: bytes) -> None:
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            if line.strip():
                kamailio_log.info(line.decode("utf-8", "replace").rstrip())

    def processExited(self, reason: Failure) -> None:
        # The main process is gone; children it forked still hold our pipes open (so processEnded
        # waits) and maybe the SIP port. Kill the whole session now.
        # (Twisted has already cleared transport.pid; the session id is the main process's pid.)
        if self.owner._pid is not None:
            _signal_group(self.owner._pid, signal.SIGKILL)

    def processEnded(self, reason: Failure) -> None:
        self.owner._ended(self, reason)
        self.ended.callback(None)


class EdgeService(service.Service):
    """Supervises one Kamailio. ``when_ready()`` fires once it answers on its control socket."""

    name = "sip-edge"

    def __init__(
        self,
        config: EdgeConfig,
        plan: NumberPlan,
        workers: Iterable[WorkerAddress],
        subscribers: Iterable[Subscriber],
        state_dir: Path,
        reactor: Any,
        start_timeout: float = 10.0,
        stop_timeout: float = 5.0,
        max_backoff: float = 30.0,
        standby: Iterable[WorkerAddress] = (),
    ) -> None:
        self.config = config
        self.standby = list(standby)  # ports the media pool may grow into: inactive until a worker says hello
        self.plan = plan
        self.workers = list(workers)
        self.subscribers = list(subscribers)
        self.state_dir = state_dir
        self.reactor = reactor
        self.start_timeout = start_timeout
        self.stop_timeout = stop_timeout
        self.max_backoff = max_backoff
        self.paths = EdgePaths(state_dir)
        self.control = EdgeControl.at(self.paths.rpc_socket, timeout=0.5)
        self.restarts = 0
        self._proto: _KamailioProtocol | None = None
        self._pid: int | None = None
        self._stopping = False
        self._backoff = 1.0
        self._ready: Deferred[None] | None = None
        self._ready_waiters: list[Deferred[None]] = []
        self._restart_call: Any = None

    # -- lifecycle -------------------------------------------------------------------------------------------
    def startService(self) -> None:
        super().startService()  # type: ignore[no-untyped-call]
        self._stopping = False
        prepare(self.config, self.plan, self.workers, self.subscribers, self.state_dir, self.standby)
        self._spawn()

    def stopService(self) -> Deferred[None]:
        super().stopService()  # type: ignore[no-untyped-call]
        self._stopping = True
        if self._restart_call is not None and self._restart_call.active():
            self._restart_call.cancel()
        proto, pid = self._proto, self._pid
        if proto is None or pid is None:
            return succeed(None)
        _signal(pid, signal.SIGTERM)
        killer = self.reactor.callLater(self.stop_timeout, _signal_group, pid, signal.SIGKILL)

        def reaped(_: None) -> None:
            if killer.active():
                killer.cancel()
            _signal_group(pid, signal.SIGKILL)  # any child the main process left behind

        proto.ended.addCallback(reaped)
        return proto.ended

    def when_ready(self) -> Deferred[None]:
        """Fires when the current Kamailio answers (at once if it already does); errbacks on timeout."""
        waiter: Deferred[None] = Deferred()
        if self._ready is None:
            waiter.callback(None)
        else:
            self._ready_waiters.append(waiter)
        return waiter

    @property
    def pid(self) -> int | None:
        return self._pid

    # -- steering --------------------------------------------------------------------------------------------
    def update_subscribers(self, subscribers: Iterable[Subscriber]) -> bool:
        """Agents' phones changed (added, deactivated, new password): rewrite the table Kamailio reads.

        Returns True when something changed. db_text runs without a cache, so no restart is needed."""
        fresh = sorted(subscribers, key=lambda s: s.login)
        if [(s.login, s.ha1(self.config.realm)) for s in fresh] == [
            (s.login, s.ha1(self.config.realm)) for s in sorted(self.subscribers, key=lambda s: s.login)
        ]:
            return False
        self.subscribers = fresh
        write_subscribers(self.paths.db, fresh, self.config.realm)
        return True

    def worker_dead(self, worker: WorkerAddress) -> Deferred[int]:
        """Stop routing to ``worker`` and end its calls (BYE to every caller); fires with the count ended."""
        return threads.deferToThreadPool(self.reactor, self.reactor.getThreadPool(), self.control.worker_dead, worker)

    def worker_alive(self, worker: WorkerAddress) -> Deferred[None]:
        return threads.deferToThreadPool(self.reactor, self.reactor.getThreadPool(), self.control.worker_alive, worker)

    # -- internals -------------------------------------------------------------------------------------------
    def _spawn(self) -> None:
        argv = ["/usr/bin/setsid", *command(self.config, self.paths)]
        self._proto = _KamailioProtocol(self)
        self._ready = Deferred()
        transport = self.reactor.spawnProcess(
            self._proto,
            argv[0],
            argv,
            env=dict(os.environ),
            path=str(self.state_dir),
            childFDs={0: "w", 1: "r", 2: "r"},
        )
        self._pid = transport.pid
        self._spawned_at = time.monotonic()
        log.info("kamailio started", extra={"pid": self._pid, "port": self.config.port})
        self._wait_ready(time.monotonic() + self.start_timeout)

    def _wait_ready(self, deadline: float) -> None:
        def ok(_: object) -> None:
            self._backoff = 1.0
            self._fire_ready(None)

        def retry(failure: Failure) -> None:
            failure.trap(EdgeRpcError)
            if self._proto is None or self._stopping:
                return
            if time.monotonic() > deadline:
                self._fire_ready(Failure(EdgeNotReady(f"kamailio on port {self.config.port} did not answer")))
                return
            self.reactor.callLater(0.05, self._wait_ready, deadline)

        d = threads.deferToThreadPool(self.reactor, self.reactor.getThreadPool(), self.control.ping)
        d.addCallbacks(ok, retry)

    def _fire_ready(self, result: Failure | None) -> None:
        self._ready = None
        waiters, self._ready_waiters = self._ready_waiters, []
        for waiter in waiters:
            if isinstance(result, Failure):
                waiter.errback(result)
            else:
                waiter.callback(None)

    def _ended(self, proto: _KamailioProtocol, reason: Failure) -> None:
        if proto is not self._proto:
            return
        pid = self._pid
        self._proto = None
        self._pid = None
        if pid is not None:
            _signal_group(pid, signal.SIGKILL)  # children of a crashed main process must free the port
        if self._stopping:
            log.info("kamailio stopped", extra={"pid": pid})
            return
        if self._ready is not None:
            self._fire_ready(Failure(EdgeNotReady(f"kamailio exited before answering: {reason.value}")))
        delay = self._backoff
        self._backoff = min(self._backoff * 2, self.max_backoff)
        self.restarts += 1
        log.warning("kamailio exited; restarting", extra={"pid": pid, "in_seconds": delay, "reason": str(reason.value)})
        self._restart_call = self.reactor.callLater(delay, self._restart)

    def _restart(self) -> None:
        if not self._stopping:
            prepare(self.config, self.plan, self.workers, self.subscribers, self.state_dir, self.standby)
            self._spawn()


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)
