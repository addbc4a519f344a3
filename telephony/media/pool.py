"""The pool of media workers, as a Twisted service of the control process.

It listens on the AMP Unix socket, spawns worker processes, learns their SIP address from Hello,
health-checks them, restarts the ones that die or stop answering (reporting their calls as lost),
grows when free call slots run low and drains idle extras, and stops every worker on stopService
(SIGTERM, then SIGKILL after a timeout). The orchestrator drives calls with ``command``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any

from twisted.application import service
from twisted.internet import defer, error, protocol, task
from twisted.internet import process as twisted_process
from twisted.internet import reactor as default_reactor
from twisted.protocols import amp
from twisted.python import failure

from telephony.media import protocol as p

log = logging.getLogger("sori.media.pool")


@dataclass(frozen=True)
class WorkerEvent:
    """An event a worker reported: ``name`` is the AMP command (IncomingCall, CallState, ...)."""

    worker_id: str
    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class WorkerLost:
    """A worker died or stopped answering; these calls are gone with it."""

    worker_id: str
    call_refs: tuple[str, ...]


EventHandler = Callable[[WorkerEvent], None]
LostHandler = Callable[[WorkerLost], None]


@dataclass
class PoolConfig:
    min_workers: int = 1
    max_workers: int = 4
    capacity: int = 4
    caller_cap: int | None = None  # callers the edge admits per worker (None: capacity); the pool scales on these
    scale_up_free_slots: int = 2  # spawn another worker when fewer free (caller) slots than this remain
    retire_grace: float = 3.0  # a drained worker stops this long after its last call (recordings close)
    health_interval: float = 2.0
    health_timeout: float = 3.0
    hello_timeout: float = 15.0
    stop_timeout: float = 5.0
    host: str = "127.0.0.1"
    python: str = sys.executable


@dataclass
class Worker:
    worker_id: str
    sip_port: int
    process: Any = None
    connection: ControlProtocol | None = None
    sip_uri: str | None = None
    pid: int | None = None
    capacity: int = 0
    calls: set[str] = field(default_factory=set)
    callers: set[str] = field(default_factory=set)  # the calls that came in (not legs the worker dialled)
    load: dict[str, Any] = field(default_factory=dict)
    draining: bool = False
    stopping: bool = False
    ended: defer.Deferred[None] = field(default_factory=defer.Deferred)

    @property
    def ready(self) -> bool:
        return self.connection is not None and not self.draining and not self.stopping

    @property
    def free_slots(self) -> int:
        return max(0, self.capacity - len(self.calls)) if self.ready else 0


class ControlProtocol(amp.AMP):
    """The control end of one worker's AMP connection."""

    def __init__(self, pool: MediaPool) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.pool = pool
        self.worker_id: str | None = None

    def connectionLost(self, reason: failure.Failure) -> None:  # type: ignore[override]
        super().connectionLost(reason)  # type: ignore[no-untyped-call]
        if self.worker_id is not None:
            self.pool._connection_lost(self.worker_id, self)

    @p.Hello.responder
    def hello(self, worker_id: str, sip_uri: str, capacity: int, pid: int) -> dict[str, Any]:
        self.worker_id = worker_id
        self.pool._hello(self, worker_id, sip_uri, capacity, pid)
        return {}

    def _event(self, name: str, **args: Any) -> dict[str, Any]:
        if self.worker_id is not None:
            self.pool._event(self.worker_id, name, args)
        return {}

    @p.IncomingCall.responder
    def incoming_call(self, **args: Any) -> dict[str, Any]:
        args["headers"] = p.header_dict(args["headers"])
        return self._event("IncomingCall", **args)

    @p.CallState.responder
    def call_state(self, **args: Any) -> dict[str, Any]:
        return self._event("CallState", **args)

    @p.DtmfReceived.responder
    def dtmf(self, **args: Any) -> dict[str, Any]:
        return self._event("DtmfReceived", **args)

    @p.PlaybackDone.responder
    def playback_done(self, **args: Any) -> dict[str, Any]:
        return self._event("PlaybackDone", **args)

    @p.RecordingDone.responder
    def recording_done(self, **args: Any) -> dict[str, Any]:
        return self._event("RecordingDone", **args)


class WorkerProcess(protocol.ProcessProtocol):
    """Watches one worker process and keeps its output in the state directory."""

    def __init__(self, pool: MediaPool, worker_id: str, log_path: Path) -> None:
        self.pool = pool
        self.worker_id = worker_id
        self.log = log_path.open("ab")

    def outReceived(self, data: bytes) -> None:
        self.log.write(data)
        self.log.flush()

    errReceived = outReceived

    def processEnded(self, reason: failure.Failure) -> None:
        self.log.close()
        self.pool._process_ended(self.worker_id, reason)


class ControlFactory(protocol.ServerFactory):
    def __init__(self, pool: MediaPool) -> None:
        self.pool = pool

    def buildProtocol(self, addr: Any) -> ControlProtocol:
        return ControlProtocol(self.pool)


class WorkerUnavailable(Exception):
    code = "worker-unavailable"


class MediaPool(service.Service):
    """Supervises the media worker processes; ``on_event`` and ``on_lost`` run on the reactor thread."""

    name = "media-pool"

    def __init__(
        self,
        state_dir: Path,
        on_event: EventHandler,
        on_lost: LostHandler,
        config: PoolConfig | None = None,
        sip_ports: Callable[[], int] = lambda: 0,
        reactor: Any = default_reactor,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.on_event = on_event
        self.on_lost = on_lost
        self.config = config or PoolConfig()
        self.sip_ports = sip_ports
        self.reactor = reactor
        self.workers: dict[str, Worker] = {}
        self._numbers = count(1)
        self._listening: Any = None
        self._health: task.LoopingCall | None = None
        self._socket_dir: str | None = None
        self._hello_waiters: list[tuple[Callable[[Worker], bool], defer.Deferred[Worker]]] = []

    # -- service ----------------------------------------------------------------------------

    @property
    def socket_path(self) -> Path:
        path = self.state_dir / "media-control.sock"
        if len(str(path)) < 100:
            return path
        if self._socket_dir is None:  # AF_UNIX paths are limited to 108 bytes
            self._socket_dir = tempfile.mkdtemp(prefix="sori-media-")
        return Path(self._socket_dir) / "control.sock"

    def startService(self) -> None:
        super().startService()  # type: ignore[no-untyped-call]
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.socket_path.unlink(missing_ok=True)
        self._listening = self.reactor.listenUNIX(str(self.socket_path), ControlFactory(self), mode=0o600)
        for _ in range(self.config.min_workers):
            self.spawn()
        self._health = task.LoopingCall(self._check)
        self._health.clock = self.reactor
        self._health.start(self.config.health_interval, now=False)

    def stopService(self) -> defer.Deferred[None]:
        super().stopService()  # type: ignore[no-untyped-call]
        if self._health is not None and self._health.running:
            self._health.stop()
        ended = [self._stop_worker(worker) for worker in list(self.workers.values())]
        done: defer.Deferred[Any] = defer.gatherResults(ended, consumeErrors=True)

        def close(_: object) -> defer.Deferred[None] | None:
            if self._listening is not None:
                return defer.maybeDeferred(self._listening.stopListening)
            return None

        done.addBoth(close)
        return done

    # -- public API -------------------------------------------------------------------------

    def spawn(self) -> Worker:
        """Start one more worker process; it joins the pool when it says Hello."""
        worker_id = f"media-{next(self._numbers)}"
        worker = Worker(worker_id=worker_id, sip_port=self.sip_ports(), capacity=self.config.capacity)
        self.workers[worker_id] = worker
        args = [
            self.config.python, "-m", "telephony.media.worker",
            "--control-socket", str(self.socket_path),
            "--sip-port", str(worker.sip_port),
            "--state-dir", str(self.state_dir / worker_id),
            "--worker-id", worker_id,
            "--host", self.config.host,
            "--capacity", str(self.config.capacity),
            "--rtp-port", str(rtp_range(worker.sip_port, self.config.capacity)),
        ]  # fmt: skip
        watcher = WorkerProcess(self, worker_id, self.state_dir / f"{worker_id}.log")
        worker.process = self.reactor.spawnProcess(watcher, self.config.python, args, env=dict(os.environ))
        worker.pid = worker.process.pid
        self.reactor.callLater(self.config.hello_timeout, self._hello_deadline, worker)
        return worker

    def command(self, worker_id: str, command: type[amp.Command], **arguments: Any) -> defer.Deferred[dict[str, Any]]:
        """Send a control command to one worker; fails with the worker's AMP error (see protocol.ERRORS)."""
        worker = self.workers.get(worker_id)
        if worker is None or worker.connection is None:
            return defer.fail(WorkerUnavailable(worker_id))
        if "headers" in arguments and isinstance(arguments["headers"], dict):
            arguments["headers"] = p.header_list(arguments["headers"])
        d: defer.Deferred[dict[str, Any]] = worker.connection.callRemote(command, **arguments)  # type: ignore[no-untyped-call]
        if command is p.Dial:
            call_ref = arguments["call_ref"]
            worker.calls.add(call_ref)
            d.addErrback(self._forget_call, worker, call_ref)
        return d

    def pick_worker(self) -> Worker | None:
        """The ready worker with the most free call slots (None when the pool is full)."""
        ready = [w for w in self.workers.values() if w.free_slots > 0]
        return max(ready, key=lambda w: w.free_slots, default=None)

    def worker_free_slots(self, worker_id: str) -> int:
        worker = self.workers.get(worker_id)
        return worker.free_slots if worker is not None else 0

    def worker_with_slots(self, slots: int) -> str | None:
        """A ready worker with at least ``slots`` free call slots (the freest one), for outbound calls."""
        worker = self.pick_worker()
        return worker.worker_id if worker is not None and worker.free_slots >= slots else None

    def ready_workers(self) -> list[Worker]:
        return [w for w in self.workers.values() if w.ready]

    def when_ready(self, predicate: Callable[[Worker], bool] = lambda w: True) -> defer.Deferred[Worker]:
        """Fires with the first worker (already ready or saying Hello later) that satisfies ``predicate``."""
        for worker in self.ready_workers():
            if predicate(worker):
                return defer.succeed(worker)
        d: defer.Deferred[Worker] = defer.Deferred()
        self._hello_waiters.append((predicate, d))
        return d

    def free_slots(self) -> int:
        return sum(w.free_slots for w in self.workers.values())

    def free_caller_slots(self) -> int:
        """Callers the ready workers can still take (each worker: ``caller_cap`` callers at most)."""
        cap = self.config.caller_cap or self.config.capacity
        return sum(max(0, min(cap - len(w.callers), w.free_slots)) for w in self.workers.values() if w.ready)

    # -- events from workers and processes ------------------------------------------------

    def _hello(self, connection: ControlProtocol, worker_id: str, sip_uri: str, capacity: int, pid: int) -> None:
        worker = self.workers.get(worker_id)
        if worker is None or worker.stopping:
            _drop(connection)
            return
        worker.connection, worker.sip_uri, worker.capacity, worker.pid = connection, sip_uri, capacity, pid
        log.info("media worker %s ready on %s", worker_id, sip_uri)
        self._event(worker_id, "Hello", {"worker_id": worker_id, "sip_uri": sip_uri, "capacity": capacity, "pid": pid})
        for waiter in list(self._hello_waiters):
            predicate, d = waiter
            if predicate(worker):
                self._hello_waiters.remove(waiter)
                d.callback(worker)

    def _event(self, worker_id: str, name: str, args: dict[str, Any]) -> None:
        worker = self.workers.get(worker_id)
        if worker is not None:
            if name == "IncomingCall":
                worker.calls.add(args["call_ref"])
                worker.callers.add(args["call_ref"])
            elif name == "CallState" and args["state"] == "disconnected":
                worker.calls.discard(args["call_ref"])
                worker.callers.discard(args["call_ref"])
        try:
            self.on_event(WorkerEvent(worker_id, name, args))
        except Exception:
            log.exception("media event handler failed on %s %s", worker_id, name)
        self._scale()

    def _forget_call(self, reason: failure.Failure, worker: Worker, call_ref: str) -> failure.Failure:
        worker.calls.discard(call_ref)
        return reason

    def _connection_lost(self, worker_id: str, connection: ControlProtocol) -> None:
        worker = self.workers.get(worker_id)
        if worker is not None and worker.connection is connection:
            worker.connection = None
            self._kill(worker)  # a worker without its control connection is of no use

    def _process_ended(self, worker_id: str, reason: failure.Failure) -> None:
        worker = self.workers.pop(worker_id, None)
        if worker is None:
            return
        if worker.connection is not None:
            _drop(worker.connection)
            worker.connection = None
        if not worker.stopping or worker.calls:
            lost = WorkerLost(worker_id, tuple(sorted(worker.calls)))
            log.warning("media worker %s lost (%s) with calls %s", worker_id, reason.getErrorMessage(), lost.call_refs)
            try:
                self.on_lost(lost)
            except Exception:
                log.exception("worker-lost handler failed")
        worker.ended.callback(None)
        if self.running:
            self._scale()

    def _hello_deadline(self, worker: Worker) -> None:
        if worker.connection is None and self.workers.get(worker.worker_id) is worker:
            log.error("media worker %s never said Hello; killing it", worker.worker_id)
            self._kill(worker)

    # -- supervision --------------------------------------------------------------------------

    def _check(self) -> None:
        twisted_process.reapAllProcesses()  # when the reactor runs without SIGCHLD handling (tests)
        for worker in list(self.workers.values()):
            if worker.connection is None or worker.stopping:
                continue
            d = worker.connection.callRemote(p.Health)  # type: ignore[no-untyped-call]
            d.addTimeout(self.config.health_timeout, self.reactor)
            d.addCallbacks(self._healthy, self._unhealthy, callbackArgs=(worker,), errbackArgs=(worker,))
        self._scale()

    def _healthy(self, load: dict[str, Any], worker: Worker) -> None:
        worker.load = load

    def _unhealthy(self, reason: failure.Failure, worker: Worker) -> None:
        if not worker.stopping and self.workers.get(worker.worker_id) is worker:
            log.error("media worker %s failed its health check: %s", worker.worker_id, reason.getErrorMessage())
            self._kill(worker)

    def _scale(self) -> None:
        if not self.running:
            return
        live = [w for w in self.workers.values() if not w.stopping and not w.draining]
        starting = [w for w in live if w.connection is None]
        if len(live) < self.config.min_workers:
            for _ in range(self.config.min_workers - len(live)):
                self.spawn()
            return
        cap = self.config.caller_cap or self.config.capacity
        free = self.free_caller_slots() + cap * len(starting)
        if free < self.config.scale_up_free_slots and len(live) < self.config.max_workers:
            # a burst: start as many workers as the shortfall needs at once (each takes about a second)
            needed = -(-(self.config.scale_up_free_slots - free) // cap)
            for _ in range(min(needed, self.config.max_workers - len(live))):
                self.spawn()
            return
        idle = [w for w in live if w.ready and not w.calls]
        surplus = free - cap
        if idle and len(live) > self.config.min_workers and surplus >= self.config.scale_up_free_slots:
            self._retire(idle[-1])

    def _retire(self, worker: Worker) -> None:
        """Drain an idle extra worker, then stop it once its last call has ended."""
        worker.draining = True
        try:  # the edge stops sending it callers (the telephony service listens for this)
            self.on_event(WorkerEvent(worker.worker_id, "Draining", {"sip_port": worker.sip_port}))
        except Exception:
            log.exception("draining handler failed")
        assert worker.connection is not None
        d = worker.connection.callRemote(p.Drain)  # type: ignore[no-untyped-call]

        def drained(result: dict[str, Any]) -> None:
            if not worker.calls and int(result["calls"]) == 0:
                # the last call's recording gets its WAV header a moment after the call ends: let it close
                self.reactor.callLater(self.config.retire_grace, stop_if_idle)

        def stop_if_idle() -> None:
            if not worker.calls and not worker.stopping and self.workers.get(worker.worker_id) is worker:
                self._stop_worker(worker)

        d.addCallbacks(drained, lambda f: self._kill(worker))

    def _stop_worker(self, worker: Worker) -> defer.Deferred[None]:
        worker.stopping = True
        if worker.ended.called:
            return defer.succeed(None)
        self._signal(worker, "TERM")
        killer = self.reactor.callLater(self.config.stop_timeout, self._signal, worker, "KILL")
        reaper = task.LoopingCall(twisted_process.reapAllProcesses)
        reaper.clock = self.reactor
        reaper.start(0.2, now=False)
        ended: defer.Deferred[None] = defer.Deferred()

        def done(_: object) -> None:
            if killer.active():
                killer.cancel()
            if reaper.running:
                reaper.stop()
            ended.callback(None)

        worker.ended.addBoth(done)
        return ended

    def _kill(self, worker: Worker) -> None:
        self._signal(worker, "KILL")

    def _signal(self, worker: Worker, signal: str) -> None:
        with contextlib.suppress(error.ProcessExitedAlready, OSError):
            worker.process.signalProcess(signal)


def rtp_range(sip_port: int, capacity: int) -> int:
    """The first RTP port of the worker on ``sip_port``: workers on neighbouring SIP ports get neighbouring,
    disjoint ranges of 4 ports per call (RTP and RTCP, with room to skip a busy one) from 20000 up."""
    if sip_port <= 0:
        return 0
    return 20000 + (sip_port % 1000) * 4 * capacity


def _drop(connection: ControlProtocol) -> None:
    transport: Any = connection.transport
    if transport is not None:
        transport.loseConnection()
