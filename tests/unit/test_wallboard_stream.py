"""The wallboard's push hub on a fake clock: CTI events coalesced into at most one snapshot per scope per tick
(built once, the same bytes to every viewer of the scope), other scopes untouched, a heartbeat that also
refreshes, a slow viewer kept to the newest frame, and a stream ended when its viewer is refused on a recheck."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from twisted.internet import defer, task
from twisted.web.test.requesthelper import DummyRequest

from dashboard.wallboard_scope import Grant, Refused
from dashboard.wallboard_stream import WallboardHub, WallboardStream, _Viewer
from telephony.cti.bus import CtiBus, CtiKind

NOW = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)


class Reactor(task.Clock):
    def callFromThread(self, f: Any, *args: Any) -> None:
        f(*args)


class Request(DummyRequest):
    """DummyRequest with a push producer registered, not pulled in a loop."""

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        self.producer = producer

    def unregisterProducer(self) -> None:
        self.producer = None


def frames(request: DummyRequest) -> list[tuple[str, Any]]:
    out = []
    for chunk in request.written:
        lines = dict(line.split(": ", 1) for line in chunk.decode().strip().split("\n") if ": " in line)
        if "event" in lines:
            out.append((lines["event"], json.loads(lines["data"])))
    return out


def rig() -> tuple[Reactor, CtiBus, WallboardHub, list[str]]:
    reactor = Reactor()
    bus = CtiBus(lambda: NOW)
    built: list[str] = []

    def build(grant: Grant) -> dict[str, Any]:
        built.append(grant.scope)
        return {"scope": grant.scope, "n": len(built)}

    return reactor, bus, WallboardHub(bus, build, reactor, max_rate_hz=4, heartbeat_s=5), built


def viewer(hub: WallboardHub, scope: str, centers: frozenset[str] | None) -> tuple[_Viewer, DummyRequest]:
    request = Request([b""])
    v = _Viewer(hub, request, Grant("sup", scope, centers), "token")  # type: ignore[arg-type]
    v.start()
    return v, request


def queue(bus: CtiBus, center: str, waiting: int) -> None:
    bus.publish(CtiKind.QUEUE_CHANGED, center, None, None, skill="general", waiting=waiting, longest_wait_s=1.0)


def test_events_are_coalesced_and_each_scope_built_once_per_tick() -> None:
    reactor, bus, hub, built = rig()
    _, a = viewer(hub, "center:ACRC110", frozenset({"ACRC110"}))
    _, b = viewer(hub, "center:ACRC110", frozenset({"ACRC110"}))
    _, other = viewer(hub, "center:NTS126", frozenset({"NTS126"}))
    assert built == ["center:ACRC110", "center:ACRC110", "center:NTS126"]  # each joins with a snapshot now
    for n in range(10):
        queue(bus, "ACRC110", n)
    reactor.advance(0)
    assert built[3:] == ["center:ACRC110"], "ten events, one snapshot"
    assert a.written[-1] == b.written[-1], "the same bytes to every viewer of the scope"
    assert len(frames(other)) == 1, "another center's viewer gets nothing"
    for n in range(10):
        queue(bus, "ACRC110", n)
    reactor.advance(0.1)
    assert len(built) == 4, "at most 4 a second: the next tick waits"
    reactor.advance(0.15)
    assert len(built) == 5
    last = frames(a)[-1]
    assert last == ("snapshot", {"scope": "center:ACRC110", "n": 5})
    assert a.written[-1].decode().startswith(f"id: {hub.epoch}.")


def test_an_all_centers_scope_follows_every_center_and_the_heartbeat_refreshes() -> None:
    reactor, bus, hub, built = rig()
    _, every = viewer(hub, "all", None)
    queue(bus, "NTS126", 1)
    reactor.advance(0)
    assert built == ["all", "all"]
    reactor.advance(5)
    kinds = [kind for kind, _ in frames(every)]
    assert "ping" in kinds
    reactor.advance(0.25)
    assert built[-1] == "all" and len(built) == 3, "the heartbeat refreshes times in state"


def test_a_slow_viewer_keeps_only_the_newest_frame() -> None:
    reactor, bus, hub, _ = rig()
    slow, request = viewer(hub, "center:ACRC110", frozenset({"ACRC110"}))
    slow.pauseProducing()
    before = len(request.written)
    for n in range(3):
        queue(bus, "ACRC110", n)
        reactor.advance(0.25)
    assert len(request.written) == before
    slow.resumeProducing()
    assert len(request.written) == before + 1
    assert frames(request)[-1][1]["n"] == 4


def test_a_viewer_refused_on_a_recheck_loses_the_stream() -> None:
    reactor, bus, hub, _ = rig()
    allowed = {"token": True}

    def authorize(token: str | None, scope: str) -> Grant:
        if not allowed.get(token or ""):
            raise Refused(401, "unauthenticated", "로그인이 필요합니다.")
        return Grant("sup", scope, frozenset({"ACRC110"}))

    stream = WallboardStream(hub, authorize, "sori_dashboard", recheck_s=60, run=defer.maybeDeferred)
    request = Request([b""])
    stream._open(request, Grant("sup", "center:ACRC110", frozenset({"ACRC110"})), "token")  # type: ignore[arg-type]
    assert hub.viewers == 1
    reactor.advance(60)
    assert hub.viewers == 1 and not request.finished
    allowed["token"] = False  # logged out
    reactor.advance(60)
    assert hub.viewers == 0 and request.finished
    queue(bus, "ACRC110", 1)  # nobody left: the hub no longer listens
    reactor.advance(1)
