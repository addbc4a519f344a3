"""Agents' phones as a Twisted service: one softphone process per group of up to 4 agents.

``PhoneFleet`` is what the integration tests, the demo and the call simulator use to put real SIP phones
in front of the edge. It spawns ``python -m telephony.phones.softphone`` processes (free local ports, or
``port_base``, ``port_base + 1``, ...), hands each its agents on stdin, reads the JSON events they print
and passes every one (tagged with ``phone``, the process's name) to the callables in ``on_event``, on the
reactor thread. ``registered(login)`` fires when that agent's REGISTER got 200. First registrations are
spaced (``register_gap_s`` per agent, across processes too) so the edge's per-source flood limit never
bans the host all the phones register from. ``stopService`` sends
SIGTERM to every process and SIGKILL to any still alive after ``stop_timeout``; a phone whose parent dies
sees its stdin close and exits by itself, so no phone outlives the fleet.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twisted.application import service
from twisted.internet import defer, error, protocol, task
from twisted.internet import process as twisted_process
from twisted.python import failure

from telephony.phones.protocol import (
    MAX_AGENTS_PER_PROCESS,
    AgentPhone,
    Dtmf,
    Hangup,
    encode_agents,
    encode_command,
    parse_agents,
)

log = logging.getLogger("sori.phones")
phone_log = logging.getLogger("sori.phones.softphone")

Event = dict[str, Any]
RETRIED_CODES = frozenset({408, 480, 500, 502, 503, 504})  # pjsua2 retries these after its retry interval
EventHandler = Callable[[Event], None]


class UnknownAgent(LookupError):
    """No phone in this fleet hosts that login."""


class RegistrationFailed(Exception):
    """The edge refused the agent's REGISTER (``code`` 401/403 for a wrong password, 408 when unreachable)."""

    def __init__(self, login: str, code: int, reason: str) -> None:
        super().__init__(f"{login}: registration failed with {code} {reason}")
        self.login = login
        self.code = code
        self.reason = reason


class PhoneGone(Exception):
    """The softphone process hosting the agent is not running (any more)."""


@dataclass
class _Registration:
    state: str = "pending"  # pending | registered | failed
    last: Event | None = None
    waiters: list[defer.Deferred[Event]] = field(default_factory=list)


class _PhoneProcess(protocol.ProcessProtocol):
    """One softphone process: writes its agents, then commands, to stdin; parses its stdout events."""

    def __init__(self, fleet: PhoneFleet, name: str, agents: list[AgentPhone], log_path: Path) -> None:
        self.fleet = fleet
        self.name = name
        self.agents = agents
        self.pid: int | None = None
        self.port: int | None = None
        self.exited = False
        self.ended: defer.Deferred[None] = defer.Deferred()
        self._partial = b""
        self._log = log_path.open("ab")

    def connectionMade(self) -> None:
        self.send(encode_agents(self.agents))

    def send(self, line: str) -> None:
        transport: Any = self.transport  # an IProcessTransport (zope interfaces confuse mypy)
        if transport is None or self.exited:
            raise PhoneGone(self.name)
        transport.write(line.encode() + b"\n")

    def outReceived(self, data: bytes) -> None:
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        for raw in lines:
            text = raw.decode("utf-8", "replace").strip()
            if not text:
                continue
            try:
                event = json.loads(text)
            except ValueError:
                event = None
            if isinstance(event, dict) and isinstance(event.get("event"), str):
                self.fleet._event(self, event)
            else:
                phone_log.warning("%s: not an event: %s", self.name, text[:200])

    def errReceived(self, data: bytes) -> None:
        self._log.write(data)
        self._log.flush()

    def processExited(self, reason: failure.Failure) -> None:
        self.exited = True

    def processEnded(self, reason: failure.Failure) -> None:
        self.exited = True
        self._log.close()
        self.fleet._ended(self, reason)
        self.ended.callback(None)


class PhoneFleet(service.Service):
    """Softphone processes for a set of agents; events and ``registered`` waiters run on the reactor thread."""

    name = "agent-phones"

    def __init__(
        self,
        edge_host: str,
        edge_port: int,
        wav: Path,
        state_dir: Path,
        reactor: Any,
        python: str = sys.executable,
        *,
        agents: Iterable[AgentPhone] = (),
        port_base: int | None = None,
        bind: str = "127.0.0.1",
        record: bool = False,
        register_gap_s: float = 0.25,
        stop_timeout: float = 5.0,
        replies: Iterable[Path] = (),
    ) -> None:
        self.edge = f"{edge_host}:{edge_port}"
        self.wav = Path(wav)
        self.replies = tuple(Path(r) for r in replies)  # if any, the agents take turns instead of looping wav
        self.state_dir = Path(state_dir)
        self.reactor = reactor
        self.python = python
        self.port_base = port_base
        self.bind = bind
        self.record_dir = self.state_dir / "recordings" if record else None
        self.register_gap_s = register_gap_s
        self.stop_timeout = stop_timeout
        self.on_event: list[EventHandler] = []
        self.phones: list[_PhoneProcess] = []
        self._by_login: dict[str, _PhoneProcess | None] = {}  # None: its process has not started yet
        self._pending: list[AgentPhone] = []
        self._registrations: dict[str, _Registration] = {}
        self._reaper: task.LoopingCall | None = None
        self._next_spawn = 0.0  # reactor time before which no further process starts
        self._delayed: list[Any] = []  # spawns scheduled for later (IDelayedCall)
        self.add(agents)

    # -- service ----------------------------------------------------------------------------

    def startService(self) -> None:
        super().startService()  # type: ignore[no-untyped-call]
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # The reactor may run without SIGCHLD handling (tests, embedded): reap exited phones ourselves.
        self._reaper = task.LoopingCall(twisted_process.reapAllProcesses)
        self._reaper.clock = self.reactor
        self._reaper.start(0.5, now=False)
        pending, self._pending = self._pending, []
        self._spawn_groups(pending)

    def stopService(self) -> defer.Deferred[None]:
        super().stopService()  # type: ignore[no-untyped-call]
        for delayed in self._delayed:
            if delayed.active():
                delayed.cancel()
        self._delayed.clear()
        for login, phone in self._by_login.items():
            if phone is None:  # its process was still to start
                gone = PhoneGone(f"{login}: the fleet stopped before its phone started")
                self._settle(self._registrations[login], failure.Failure(gone))
        ended = [self._stop(phone) for phone in self.phones]
        done: defer.Deferred[Any] = defer.gatherResults(ended, consumeErrors=True)

        def stopped(_: object) -> None:
            if self._reaper is not None and self._reaper.running:
                self._reaper.stop()

        done.addBoth(stopped)
        return done

    # -- public API -------------------------------------------------------------------------

    def add(self, agents: Iterable[AgentPhone]) -> None:
        """More agents: grouped by 4 into new processes (at once when running, else at startService)."""
        new = list(agents)
        taken = sorted({a.login for a in new if a.login in self._by_login})
        if taken:
            raise ValueError(f"agents already in the fleet: {', '.join(taken)}")
        for group in _groups(new):
            parse_agents(encode_agents(group))  # the softphone's own checks, before any process starts
        for agent in new:
            self._by_login[agent.login] = None
            self._registrations[agent.login] = _Registration()
        if self.running:
            self._spawn_groups(new)
        else:
            self._pending.extend(new)

    @property
    def logins(self) -> list[str]:
        return list(self._by_login)

    def pids(self) -> list[int]:
        """The process ids of the softphones still running."""
        return [p.pid for p in self.phones if p.pid is not None and not p.exited]

    def is_registered(self, login: str) -> bool:
        return self._registration(login).state == "registered"

    def registered(self, login: str) -> defer.Deferred[Event]:
        """Fires with the ``registered`` event once ``login``'s REGISTER got 200 (at once if it has).

        Fails with ``RegistrationFailed`` with the next failed attempt (at once if the last one was refused
        for good, e.g. 401/403 for a wrong password, which pjsua2 never retries; after a timeout or a 5xx
        the phone retries 10 s later and this waits for that), ``PhoneGone`` when its process ends
        first or has ended, ``UnknownAgent`` for a login not in the fleet.
        """
        try:
            registration = self._registration(login)
        except UnknownAgent as unknown:
            return defer.fail(unknown)
        if registration.state == "registered" and registration.last is not None:
            return defer.succeed(registration.last)
        if registration.state == "failed" and registration.last is not None and not _retried(registration.last):
            return defer.fail(_refusal(login, registration.last))
        phone = self._by_login[login]
        if phone is not None and phone.exited:
            return defer.fail(PhoneGone(f"{login}: {phone.name} exited"))
        waiter: defer.Deferred[Event] = defer.Deferred()
        registration.waiters.append(waiter)
        return waiter

    def hangup(self, login: str) -> None:
        """Hang up ``login``'s current call (the phone answers with an ``error`` event if there is none)."""
        self._command(Hangup(login))

    def dtmf(self, login: str, digits: str) -> None:
        """Send keys (RFC 2833) on ``login``'s current call."""
        self._command(Dtmf(login, digits))

    # -- internals --------------------------------------------------------------------------

    def _registration(self, login: str) -> _Registration:
        registration = self._registrations.get(login)
        if registration is None:
            raise UnknownAgent(login)
        return registration

    def _command(self, command: Hangup | Dtmf) -> None:
        login = command.login
        if login not in self._by_login:
            raise UnknownAgent(login)
        phone = self._by_login[login]
        if phone is None:
            raise PhoneGone(f"{login}: the fleet is not running")
        phone.send(encode_command(command))

    def _spawn_groups(self, agents: list[AgentPhone]) -> None:
        """Start one process per group, each once the previous group's REGISTERs are out.

        All phones register from this host's address and the edge bans a source past its flood
        threshold (pike: 30 requests in 2 s by default; each first registration is 2 REGISTERs):
        the softphone spaces its agents by ``register_gap_s`` and the fleet spaces its processes.
        """
        for group in _groups(agents):
            now = self.reactor.seconds()
            at = max(now, self._next_spawn)
            self._next_spawn = at + self.register_gap_s * len(group)
            if at <= now:
                self._spawn(group)
            else:
                self._delayed.append(self.reactor.callLater(at - now, self._spawn_later, group))

    def _spawn_later(self, group: list[AgentPhone]) -> None:
        self._delayed = [d for d in self._delayed if d.active()]
        if self.running:
            self._spawn(group)

    def _spawn(self, agents: list[AgentPhone]) -> None:
        index = len(self.phones)
        name = f"phones-{index + 1}"
        port = 0 if self.port_base is None else self.port_base + index
        argv = [
            self.python, "-m", "telephony.phones.softphone",
            "--edge", self.edge, "--bind", self.bind, "--port", str(port), "--wav", str(self.wav),
            "--register-gap", str(self.register_gap_s),
        ]  # fmt: skip
        if self.record_dir is not None:
            argv += ["--record-dir", str(self.record_dir)]
        if self.replies:
            argv += ["--replies", *map(str, self.replies)]
        phone = _PhoneProcess(self, name, agents, self.state_dir / f"{name}.log")
        self.phones.append(phone)
        for agent in agents:
            self._by_login[agent.login] = phone
        transport = self.reactor.spawnProcess(phone, self.python, argv, env=dict(os.environ))
        phone.pid = transport.pid
        log.info("%s started (pid %s) for %s", name, phone.pid, ", ".join(a.login for a in agents))

    def _event(self, phone: _PhoneProcess, event: Event) -> None:
        event["phone"] = phone.name
        kind, login = event["event"], event.get("login")
        registration = self._registrations.get(login) if isinstance(login, str) else None
        if kind == "ready":
            phone.port = int(event.get("port", 0)) or None
        elif kind == "registered" and registration is not None:
            registration.state, registration.last = "registered", event
            self._settle(registration, event)
        elif kind == "registration-failed" and registration is not None:
            registration.state, registration.last = "failed", event
            self._settle(registration, failure.Failure(_refusal(str(login), event)))
        elif kind == "unregistered" and registration is not None:
            registration.state = "pending"
        elif kind == "error":
            log.warning("%s: %s", phone.name, event.get("reason"))
        self._publish(event)

    def _settle(self, registration: _Registration, result: Event | failure.Failure) -> None:
        waiters, registration.waiters = registration.waiters, []
        for waiter in waiters:
            if isinstance(result, failure.Failure):
                waiter.errback(result)
            else:
                waiter.callback(result)

    def _publish(self, event: Event) -> None:
        for handler in list(self.on_event):
            try:
                handler(event)
            except Exception:
                log.exception("phone event handler failed on %s", event.get("event"))

    def _ended(self, phone: _PhoneProcess, reason: failure.Failure) -> None:
        status = reason.value
        code = getattr(status, "exitCode", None)
        signal = getattr(status, "signal", None)
        if self.running:
            log.warning("%s (pid %s) exited: code %s, signal %s", phone.name, phone.pid, code, signal)
        for agent in phone.agents:
            registration = self._registrations[agent.login]
            registration.state = "pending"
            self._settle(registration, failure.Failure(PhoneGone(f"{agent.login}: {phone.name} exited")))
        self._publish({"event": "exited", "phone": phone.name, "pid": phone.pid, "code": code, "signal": signal})

    def _stop(self, phone: _PhoneProcess) -> defer.Deferred[None]:
        if phone.ended.called:
            return defer.succeed(None)
        self._signal(phone, "TERM")
        killer = self.reactor.callLater(self.stop_timeout, self._signal, phone, "KILL")
        ended: defer.Deferred[None] = defer.Deferred()

        def done(_: object) -> None:
            if killer.active():
                killer.cancel()
            ended.callback(None)

        phone.ended.addBoth(done)
        return ended

    def _signal(self, phone: _PhoneProcess, signal: str) -> None:
        transport: Any = phone.transport
        with contextlib.suppress(error.ProcessExitedAlready, OSError, AttributeError):
            transport.signalProcess(signal)


def _retried(event: Event) -> bool:
    """Whether pjsua2 tries this registration again by itself (its rule: timeouts, 5xx and 6xx)."""
    code = int(event.get("code", 0))
    return code in RETRIED_CODES or code >= 600


def _refusal(login: str, event: Event) -> RegistrationFailed:
    return RegistrationFailed(login, int(event.get("code", 0)), str(event.get("reason", "")))


def _groups(agents: list[AgentPhone]) -> list[list[AgentPhone]]:
    return [agents[i : i + MAX_AGENTS_PER_PROCESS] for i in range(0, len(agents), MAX_AGENTS_PER_PROCESS)]
