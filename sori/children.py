"""Helper processes of ``sori up`` (the post-call transcriber): started with the service tree, restarted
with backoff when they die, stopped with SIGTERM (SIGKILL after a grace period) when ``sori up`` stops.

An exit with status 2 means the helper cannot work as configured (its message says why, in its log): it is
not restarted, so a missing model does not become a restart loop.

A helper whose ``sori up`` is killed outright (SIGKILL, OOM) must not live on: its stdin is a pipe from the
supervisor, and ``exit_with_parent`` (called by the helper) stops it when that pipe reaches end of file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from twisted.application import service
from twisted.internet import defer, protocol
from twisted.internet.error import ProcessExitedAlready
from twisted.python import failure

log = logging.getLogger("sori.children")

RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
STOP_GRACE_S = 10.0
CANNOT_RUN = 2  # the exit status of a helper that cannot work as configured
SUPERVISED = "SUPERVISED_BY_SORI"  # set in a helper's environment by its supervisor (SORI_* are settings)
ORPHAN_GRACE_S = 10.0


def exit_with_parent(stop: threading.Event, grace_s: float = ORPHAN_GRACE_S) -> None:
    """In a supervised helper: set ``stop`` when the supervisor is gone (stdin at end of file), and end the
    process outright if it has not stopped ``grace_s`` later. Does nothing when run by hand."""
    if os.environ.get(SUPERVISED) != "1":
        return

    def watch() -> None:
        # os.read on the descriptor, not sys.stdin: a daemon thread blocked inside a buffered reader holds its
        # lock, and the interpreter aborts at exit when it cannot take that lock to close stdin.
        with contextlib.suppress(OSError):
            while os.read(0, 4096):
                pass
        log.warning("supervisor gone: stopping")
        stop.set()
        threading.Timer(grace_s, os._exit, (1,)).start()

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class _Child(protocol.ProcessProtocol):
    def __init__(self, owner: SupervisedProcess) -> None:
        self.owner = owner
        self.ended: defer.Deferred[int | None] = defer.Deferred()

    def outReceived(self, data: bytes) -> None:
        self.owner.write_log(data)

    def errReceived(self, data: bytes) -> None:
        self.owner.write_log(data)

    def processEnded(self, reason: failure.Failure) -> None:
        code = getattr(reason.value, "exitCode", None)
        self.ended.callback(code)


class SupervisedProcess(service.Service):
    def __init__(self, name: str, argv: Sequence[str], log_path: Path, reactor: Any,
                 env: dict[str, str] | None = None) -> None:  # fmt: skip
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.reactor = reactor
        self.env = {**(dict(os.environ) if env is None else env), SUPERVISED: "1"}
        self.child: _Child | None = None
        self.transport: Any = None
        self.restarts = 0
        self.last_exit: int | None = None
        self._log: Any = None
        self._pending: Any = None

    @property
    def pid(self) -> int | None:
        return self.transport.pid if self.transport is not None and self.child is not None else None

    def startService(self) -> None:
        super().startService()  # type: ignore[no-untyped-call]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self._spawn()

    def write_log(self, data: bytes) -> None:
        if self._log is not None:
            self._log.write(data)
            self._log.flush()

    def _spawn(self) -> None:
        self._pending = None
        if not self.running:
            return
        child = self.child = _Child(self)
        self.transport = self.reactor.spawnProcess(child, self.argv[0], self.argv, env=self.env)
        log.info("%s started (pid %s)", self.name, self.transport.pid)
        child.ended.addCallback(self._ended, child)

    def _ended(self, code: int | None, child: _Child) -> None:
        if child is not self.child:
            return
        self.child = None
        self.last_exit = code
        if not self.running:
            return
        if code == CANNOT_RUN:
            log.error("%s cannot run as configured (see %s); not restarted", self.name, self.log_path)
            return
        delay = RESTART_DELAYS[min(self.restarts, len(RESTART_DELAYS) - 1)]
        self.restarts += 1
        log.warning("%s exited (status %s); restarting in %.0f s", self.name, code, delay)
        self._pending = self.reactor.callLater(delay, self._spawn)

    def stopService(self) -> defer.Deferred[None]:
        super().stopService()  # type: ignore[no-untyped-call]
        if self._pending is not None and self._pending.active():
            self._pending.cancel()
        child = self.child
        done: defer.Deferred[None] = defer.Deferred()

        def closed(_: object = None) -> None:
            if self._log is not None:
                self._log.close()
                self._log = None
            if not done.called:
                done.callback(None)

        if child is None:
            closed()
            return done
        child.ended.addBoth(closed)
        self._signal("TERM")
        kill = self.reactor.callLater(STOP_GRACE_S, self._signal, "KILL")
        child.ended.addBoth(lambda _: kill.cancel() if kill.active() else None)
        return done

    def _signal(self, name: str) -> None:
        with contextlib.suppress(ProcessExitedAlready):
            self.transport.signalProcess(name)
