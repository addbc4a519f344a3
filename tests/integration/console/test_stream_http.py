"""``GET /console/stream`` over real HTTP: latency, per-center isolation, resume, restart, heartbeats, 50 streams."""

from __future__ import annotations

import datetime as dt
import socket
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import pytest
import requests
from twisted.web import resource, server
from twisted.web.resource import IResource

from console.stream import EventStream
from console.stream_events import Identity
from telephony.cti.bus import CtiBus, CtiKind
from tests.support import reactor as r
from tests.support.sse import SseClient

WHO = {"a7": Identity(7, "ACRC110", "agent"), "b9": Identity(9, "NTS126", "agent")}


def identify(request: server.Request) -> Identity | None:
    token = request.getHeader(b"x-test-agent")
    return WHO.get(token.decode()) if token else None


def snapshot(who: Identity) -> dict[str, Any]:
    return {"agent": {"agent_id": who.agent_id, "state": "ready"}, "board": {"center": who.center}}


class Plain(resource.Resource):
    isLeaf = True

    def render_GET(self, request: server.Request) -> bytes:
        return b"ok"


@dataclass
class Rig:
    bus: CtiBus
    console: resource.Resource
    port: int

    def stream(self, epoch: str, heartbeat_s: float = 2.0) -> EventStream:
        """A new EventStream at /console/stream (a restarted server's, when the epoch differs)."""
        es = EventStream(self.bus, identify, snapshot, r.reactor, heartbeat_s=heartbeat_s, epoch=epoch)
        self.console.putChild(b"stream", cast(IResource, es))
        return es

    def client(self, who: str, last_id: str | None = None) -> SseClient:
        headers = {"X-Test-Agent": who} | ({"Last-Event-ID": last_id} if last_id else {})
        return SseClient(self.port, headers=headers)

    def publish(self, kind: CtiKind, center: str | None, call_id: str | None = None, agent_id: int | None = None,
                **data: Any) -> int:  # fmt: skip
        """Publish on the reactor thread, as the desk does; the event's seq."""
        return int(r.call(lambda: self.bus.publish(kind, center, call_id, agent_id, **data).seq))


@pytest.fixture
def rig() -> Iterator[Rig]:
    bus = CtiBus(lambda: dt.datetime.now(dt.UTC), strict=True)
    root = resource.Resource()
    console = resource.Resource()
    root.putChild(b"console", cast(IResource, console))
    root.putChild(b"plain", cast(IResource, Plain()))  # type: ignore[no-untyped-call]
    port = r.call(r.reactor.listenTCP, 0, server.Site(root), interface="127.0.0.1")
    rig = Rig(bus, console, port.getHost().port)
    rig.stream("ep1")
    yield rig
    r.call(port.stopListening)


def test_no_identity_401(rig: Rig) -> None:
    client = SseClient(rig.port)
    assert client.status == 401
    client.close()


def test_snapshot_first_then_own_events_within_300_ms(rig: Rig) -> None:
    client = rig.client("a7")
    assert client.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert client.headers["cache-control"] == "no-store" and client.headers["x-accel-buffering"] == "no"
    first = client.next()
    assert first.type == "snapshot" and first.json()["agent"]["agent_id"] == 7 and client.retry == 1000
    latencies = []
    for n in range(30):
        sent = time.monotonic()
        seq = rig.publish(CtiKind.CALL_HELD, "ACRC110", "c1", 7, held=n % 2 == 0)
        event = client.next()
        latencies.append(event.received - sent)
        assert (event.type, event.id) == ("call", f"ep1.{seq}")
    client.close()
    print(f"publish→client: p50 {statistics.median(latencies) * 1000:.2f} ms, max {max(latencies) * 1000:.2f} ms")
    assert max(latencies) < 0.3


def test_two_centers_get_only_their_own(rig: Rig) -> None:
    a, b = rig.client("a7"), rig.client("b9")
    assert a.next().type == b.next().type == "snapshot"
    rig.publish(CtiKind.QUEUE_CHANGED, "ACRC110", skill="general", waiting=2, longest_wait_s=3.0)
    rig.publish(CtiKind.QUEUE_CHANGED, "NTS126", skill="general", waiting=1, longest_wait_s=1.0)
    rig.publish(CtiKind.AGENT_STATE_CHANGED, "NTS126", agent_id=9, state="not-ready", previous="ready", reason="meal")
    rig.publish(CtiKind.CALL_OFFERED, "ACRC110", "c2", 7, to_agent_id=7, consult=False)
    got_a = [(e.type, e.json().get("center")) for e in a.drain()]
    got_b = [(e.type, e.json().get("center")) for e in b.drain()]
    assert got_a == [("board", "ACRC110"), ("call", "ACRC110")]
    assert [t for t, _ in got_b] == ["board", "state"] and got_b[0][1] == "NTS126"
    a.close()
    b.close()


def test_reconnect_resumes_without_loss_or_duplicates(rig: Rig) -> None:
    client = rig.client("a7")
    assert client.next().type == "snapshot"
    before = [rig.publish(CtiKind.CALL_HELD, "ACRC110", "c1", 7, held=True) for _ in range(3)]
    seen = client.drain()
    assert [e.id for e in seen] == [f"ep1.{s}" for s in before]
    client.close()
    missed = []
    for n in range(6):  # while away: own events, a colleague's call, another center's queue
        missed.append(rig.publish(CtiKind.CALL_HELD, "ACRC110", "c1", 7, held=n % 2 == 0))
        rig.publish(CtiKind.CALL_HELD, "ACRC110", "c9", 8, held=True)
        rig.publish(CtiKind.QUEUE_CHANGED, "NTS126", skill="general", waiting=n)
    again = rig.client("a7", last_id=seen[-1].id)
    live = rig.publish(CtiKind.CALL_ENDED, "ACRC110", "c1", 7, disposition="answered")
    events = again.drain()
    assert [e.id for e in events] == [f"ep1.{s}" for s in [*missed, live]]
    assert all(e.type == "call" for e in events)
    again.close()


def test_a_restarted_server_or_a_stale_id_gets_a_snapshot(rig: Rig) -> None:
    client = rig.client("a7")
    client.next()
    seq = rig.publish(CtiKind.CALL_HELD, "ACRC110", "c1", 7, held=True)
    last = client.next().id
    client.close()
    rig.stream("ep2")  # the server restarted: another epoch over the bus
    for last_id in (last, "ep2.0x", "garbage"):
        again = rig.client("a7", last_id=last_id)
        first = again.next()
        assert (first.type, first.id) == ("snapshot", f"ep2.{seq}")
        seq = rig.publish(CtiKind.CALL_HELD, "ACRC110", "c1", 7, held=False)
        assert again.next().id == f"ep2.{seq}"
        again.close()


def test_heartbeats_every_two_seconds(rig: Rig) -> None:
    client = rig.client("a7")
    start = client.next().received
    pings = [client.next(3.0, skip=frozenset()) for _ in range(2)]
    assert [p.type for p in pings] == ["ping", "ping"]
    gaps = [pings[0].received - start, pings[1].received - pings[0].received]
    assert all(1.8 < g < 2.5 for g in gaps), gaps
    client.close()


def test_fifty_open_streams_hold_nothing_and_the_site_still_answers(rig: Rig) -> None:
    es = rig.stream("ep1")
    clients = [rig.client("a7" if n % 2 else "b9") for n in range(50)]
    for c in clients:
        assert c.next().type == "snapshot"
    assert len(es.streams) == 50
    timings = []
    for _ in range(10):
        t0 = time.monotonic()
        reply = requests.get(f"http://127.0.0.1:{rig.port}/plain", timeout=2)
        timings.append(time.monotonic() - t0)
        assert reply.text == "ok"
    sent = time.monotonic()
    rig.publish(CtiKind.QUEUE_CHANGED, "ACRC110", skill="general", waiting=1)
    rig.publish(CtiKind.QUEUE_CHANGED, "NTS126", skill="general", waiting=1)
    arrivals = [c.next().received - sent for c in clients]
    print(f"plain request with 50 streams open: max {max(timings) * 1000:.1f} ms; "
          f"fan-out to 50: max {max(arrivals) * 1000:.1f} ms")  # fmt: skip
    assert max(timings) < 0.5 and max(arrivals) < 0.3
    for c in clients:
        c.close()
    deadline = time.monotonic() + 2
    while es.streams and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not es.streams  # every closed connection unsubscribed
    assert r.call(lambda: len(rig.bus._subscribers)) == 0


def test_an_event_published_off_the_reactor_thread_arrives_in_order(rig: Rig) -> None:
    client = rig.client("a7")
    client.next()
    seqs = [rig.bus.publish(CtiKind.CALL_HELD, "ACRC110", "c1", 7, held=True).seq for _ in range(20)]
    assert [e.id for e in client.drain()] == [f"ep1.{s}" for s in seqs]
    client.close()


def test_a_client_that_stops_reading_is_dropped(rig: Rig) -> None:
    es = EventStream(rig.bus, identify, snapshot, r.reactor, epoch="ep1", max_buffer_bytes=32 * 1024)
    rig.console.putChild(b"stream", cast(IResource, es))
    stuck = socket.create_connection(("127.0.0.1", rig.port))
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stuck.sendall(b"GET /console/stream HTTP/1.1\r\nHost: x\r\nX-Test-Agent: a7\r\n\r\n")  # then never reads
    reader = rig.client("a7")
    reader.next()
    deadline = time.monotonic() + 10
    sent = 0
    while len(es.streams) == 2 and time.monotonic() < deadline:
        r.call(lambda: [rig.bus.publish(CtiKind.CALL_HELD, "ACRC110", "c1", 7, held=True) for _ in range(200)])
        sent += 200
        time.sleep(0.005)
    assert len(es.streams) == 1  # the stuck one went; the reader stays
    got = reader.drain(0.5)
    assert len(got) == sent  # the reading client lost nothing
    print(f"stuck client dropped after {sent} events")
    reader.close()
    stuck.close()
