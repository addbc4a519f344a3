"""The agent console in the composition root: its sessions over the accounts every screen shares, its push
stream over the CTI bus and the board, mounted at ``/console`` on the main HTTP port; a minute's sweep ends
expired sessions (and notices calls that ended, which a session's expiry waits for)."""

from __future__ import annotations

from typing import Any

from twisted.application import internet
from twisted.internet import defer
from twisted.web import resource, server

from console.ports import DeskUnavailable
from console.reasons import ReasonBook
from console.sessions import ConsoleSessions
from console.stream import EventStream
from console.stream_events import Identity
from console.web import ConsoleResource
from kernel.accounts import SignInSessions
from sori.wiring import System

MOUNT = "/console"
ON_A_CALL = frozenset({"ringing", "on-call", "wrap-up"})  # a console session never expires in these
SWEEP_S = 60.0


def console_resource(
    system: System, reactor: Any, api: resource.Resource | None = None
) -> tuple[ConsoleResource, internet.TimerService]:
    """The console's resource and the service that sweeps its sessions (the caller adds it to the tree);
    ``api``: the JSON API's resource, which the console's pages reach as the session's agent."""

    def on_call(agent_id: int) -> bool:
        board = system.desk.board
        if board is None:
            return False
        return board.agent_state(agent_id) in ON_A_CALL

    sessions = ConsoleSessions(on_call)
    console: ConsoleResource

    def identify(request: server.Request) -> Identity | None:
        viewer = console.identity(request)
        return Identity(viewer.agent_id, viewer.center, viewer.role) if viewer is not None else None

    stream = EventStream(
        system.cti,
        identify,
        lambda who: snapshot(system, who),
        reactor,
        alive=lambda who: console.signed_in(who.agent_id),
    )
    reasons = ReasonBook(system.settings.console.not_ready_reasons)  # each center's 이석 reasons (else defaults)
    accounts = SignInSessions(system.sessions(token_hours=sessions.absolute_s / 3600))  # revoked at the session's end
    console = ConsoleResource(sessions, accounts, stream, desk=SystemDesk(system), reasons=reasons, api=api)
    sweep = internet.TimerService(SWEEP_S, console.sweep)
    sweep.clock = reactor
    return console, sweep


class SystemDesk:
    """The console's ``AgentDesk`` over ``system.desk``: on the reactor, the desk's own agent states."""

    def __init__(self, system: System) -> None:
        self.system = system

    def set_state(self, login: str, state: str, reason: str | None) -> defer.Deferred[dict[str, Any]]:
        desk = self.system.desk.desk
        if desk is None:  # telephony off (or not started yet)
            return defer.fail(DeskUnavailable("telephony is not running on this server"))
        return defer.maybeDeferred(desk.agent_state, login, state, reason)


def snapshot(system: System, who: Identity) -> dict[str, Any]:
    """The viewer's state and their center's board, from memory (the stream's first event, and after a gap)."""
    board = system.desk.board
    if board is None:  # telephony off: nobody takes calls
        return {"agent": {"state": "logged-out", "reason": None, "since": None}, "center": None}
    center = board.center(who.center)
    me = next((a for a in center.agents if a.agent_id == who.agent_id), None)
    agent = (
        {"state": me.state, "reason": me.reason, "since": me.since.isoformat()}
        if me is not None
        else {"state": "logged-out", "reason": None, "since": None}
    )
    return {
        "agent": agent,
        "center": {
            "code": center.center,
            "waiting": center.waiting,
            "longest_wait_s": center.longest_wait_s,
            "ready": center.agents_in("ready"),
        },
    }
