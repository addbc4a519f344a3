"""The stream resource without a network: 401, start (snapshot or replay), live, heartbeats, close, slow clients."""

from __future__ import annotations

import datetime as dt
from typing import Any

from twisted.internet.task import Clock
from twisted.web.server import NOT_DONE_YET
from twisted.web.test.requesthelper import DummyRequest

from console.stream import EventStream
from console.stream_events import Identity
from telephony.cti.bus import CtiBus, CtiKind

NOW = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)
ME = Identity(agent_id=7, center="ACRC110", role="agent")


class Reactor(Clock):
    def callFromThread(self, f: Any, *args: Any) -> None:
        f(*args)


class Request(DummyRequest):
    def __init__(self, last_id: str | None = None) -> None:
        super().__init__([b""])
        self.producer: Any = None
        self.aborted = False
        if last_id is not None:
            self.requestHeaders.setRawHeaders(b"last-event-id", [last_id.encode()])
        request = self

        class Transport:
            def abortConnection(self) -> None:
                request.aborted = True

        self.transport = Transport()

    def registerProducer(self, producer: Any, streaming: bool) -> None:
        self.producer = producer

    def unregisterProducer(self) -> None:
        self.producer = None

    def text(self) -> str:
        return b"".join(self.written).decode()

    def blocks(self) -> list[str]:
        return [b for b in self.text().split("\n\n") if b]


def make(bus: CtiBus, **kw: Any) -> tuple[EventStream, Reactor]:
    reactor = Reactor()
    stream = EventStream(bus, lambda r: getattr(r, "who", ME), lambda who: {"agent": {"id": who.agent_id}},
                         reactor, epoch="ep", **kw)  # fmt: skip
    return stream, reactor


def test_without_identity_401_and_no_stream() -> None:
    bus = CtiBus(lambda: NOW, strict=True)
    stream, _ = make(bus)
    request = Request()
    request.who = None  # type: ignore[attr-defined]
    body = stream.render_GET(request)  # type: ignore[arg-type]
    assert request.responseCode == 401 and b"unauthenticated" in body and not stream.streams


def test_fresh_stream_snapshot_then_live_with_headers() -> None:
    bus = CtiBus(lambda: NOW, strict=True)
    bus.publish(CtiKind.QUEUE_CHANGED, "ACRC110", skill="general", waiting=1)
    stream, _ = make(bus)
    request = Request()
    assert stream.render_GET(request) is NOT_DONE_YET  # type: ignore[arg-type]
    headers = request.responseHeaders
    assert headers.getRawHeaders(b"content-type") == [b"text/event-stream; charset=utf-8"]
    assert headers.getRawHeaders(b"cache-control") == [b"no-store"]
    assert headers.getRawHeaders(b"x-accel-buffering") == [b"no"]
    bus.publish(CtiKind.AGENT_STATE_CHANGED, "ACRC110", agent_id=7, state="ready", previous="logged-out")
    assert request.blocks() == [
        "retry: 1000",
        'id: ep.1\nevent: snapshot\ndata: {"agent":{"id":7}}',
        f'id: ep.2\nevent: state\ndata: {{"agent_id":7,"state":"ready","reason":null,"previous":"logged-out",'
        f'"since":"{NOW.isoformat()}"}}',
    ]


def test_resume_replays_only_the_missed_events_that_pass() -> None:
    bus = CtiBus(lambda: NOW, strict=True)
    for agent in (7, 9, 7):
        bus.publish(CtiKind.CALL_HELD, "ACRC110", "c", agent, held=True)
    stream, _ = make(bus)
    request = Request("ep.1")
    stream.render_GET(request)  # type: ignore[arg-type]
    assert [b.split("\n")[0] for b in request.blocks()[1:]] == ["id: ep.3"]  # 2 is a colleague's call


def test_heartbeat_carries_the_position_and_close_unsubscribes() -> None:
    bus = CtiBus(lambda: NOW, strict=True)
    stream, reactor = make(bus, heartbeat_s=2.0)
    request = Request()
    stream.render_GET(request)  # type: ignore[arg-type]
    bus.publish(CtiKind.QUEUE_CHANGED, "NTS126", skill="general", waiting=1)  # another center's: not sent
    reactor.advance(2.0)
    assert request.blocks()[-1] == f'id: ep.1\nevent: ping\ndata: {{"now":"{NOW.isoformat()}"}}'
    request.processingFailed(Exception("gone"))  # type: ignore[no-untyped-call]
    assert not stream.streams and not bus._subscribers and not reactor.getDelayedCalls()


def test_a_slow_client_is_dropped_not_buffered() -> None:
    bus = CtiBus(lambda: NOW, strict=True)
    stream, _ = make(bus, max_buffer_bytes=2_000)
    request = Request()
    stream.render_GET(request)  # type: ignore[arg-type]
    request.producer.pauseProducing()
    written = len(request.written)
    for _ in range(5):  # held while the transport is full, in order
        bus.publish(CtiKind.CALL_HELD, "ACRC110", "c", 7, held=True)
    assert len(request.written) == written and not request.aborted
    request.producer.resumeProducing()
    assert [b.split("\n")[0] for b in request.blocks()[-5:]] == [f"id: ep.{n}" for n in range(1, 6)]
    request.producer.pauseProducing()
    for _ in range(20):
        bus.publish(CtiKind.CALL_HELD, "ACRC110", "c", 7, held=True)
    assert request.aborted and not stream.streams and not bus._subscribers


def test_an_ended_session_ends_the_stream() -> None:
    bus = CtiBus(lambda: NOW, strict=True)
    valid = {"yes": True}
    stream, reactor = make(bus, alive=lambda who: valid["yes"])
    request = Request()
    stream.render_GET(request)  # type: ignore[arg-type]
    reactor.advance(2.0)
    valid["yes"] = False
    reactor.advance(2.0)
    assert request.finished and not stream.streams and not bus._subscribers


def test_a_replay_too_large_to_resend_is_a_snapshot() -> None:
    bus = CtiBus(lambda: NOW, strict=True)
    for _ in range(20):
        bus.publish(CtiKind.CALL_HELD, "ACRC110", "c", 7, held=True)
    small, _ = make(bus, max_buffer_bytes=2_000)
    request = Request("ep.0")
    small.render_GET(request)  # type: ignore[arg-type]
    assert [b.split("\n")[:2] for b in request.blocks()[1:]] == [["id: ep.20", "event: snapshot"]]
    large, _ = make(bus)
    request = Request("ep.0")
    large.render_GET(request)  # type: ignore[arg-type]
    assert [b.split("\n")[0] for b in request.blocks()[1:]] == [f"id: ep.{n}" for n in range(1, 21)]


def test_head_opens_no_stream() -> None:
    bus = CtiBus(lambda: NOW, strict=True)
    stream, _ = make(bus)
    request = Request()
    assert stream.render_HEAD(request) == b"" and not stream.streams and not bus._subscribers  # type: ignore[arg-type]
