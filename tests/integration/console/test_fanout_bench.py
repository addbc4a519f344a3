"""The push fan-out benchmark's code, small: 20 consoles in two client processes against ``sori up``'s service
tree, 3 timed rounds (and the warm-up), one center and then four; every console gets every event of its center
exactly once. No timing is asserted here: the target lives in ``bench.console_fanout``. Also: the clients' own
count catches a lost, a duplicated and another center's event (else the first test could not fail)."""

from __future__ import annotations

import asyncio

import pytest

from bench.console_fanout import run
from bench.console_fanout_client import SseConnection, report

pytestmark = pytest.mark.integration


def test_twenty_consoles_get_every_event_exactly_once() -> None:
    outcomes = run(clients=20, events=3, centers=[1, 4], procs=2, gap_s=0.1, settle_s=0.5, quiet=True)
    assert [(o.centers, o.clients, o.open_streams) for o in outcomes] == [(1, 20, 20), (4, 20, 20)]
    for outcome in outcomes:
        checks = outcome.checks
        assert checks["clients"] == checks["exactly_once_clients"] == 20, checks
        assert (checks["lost"], checks["duplicated"], checks["unexpected"], checks["closed_early"]) == (0, 0, 0, 0)
        assert checks["events_per_client"] == 4
        assert len(outcome.rounds) == 3 and len(outcome.deliveries) == 20 * 3  # one per console per timed round


def chunk(text: str) -> bytes:
    data = text.encode()
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def test_the_clients_count_catches_lost_duplicated_and_foreign_events() -> None:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
    frames = {
        "retry": "retry: 1000\n\n",
        "snap": "id: e.1\nevent: snapshot\ndata: {}\n\n",
        "a2": 'id: e.2\nevent: board\ndata: {"center":"A"}\n\n',
        "a3": 'id: e.3\nevent: board\ndata: {"center":"A"}\n\n',
        "b4": 'id: e.4\nevent: board\ndata: {"center":"B"}\n\n',
        "ping": 'id: e.4\nevent: ping\ndata: {"now":"x"}\n\n',
    }

    async def receive() -> dict[str, object]:
        good, twice, foreign = SseConnection(b"", "A"), SseConnection(b"", "A"), SseConnection(b"", "A")
        good.data_received(head + chunk(frames["retry"] + frames["snap"]))
        good.data_received(chunk(frames["a2"])[:7])  # a frame split across reads
        good.data_received(chunk(frames["a2"])[7:] + chunk(frames["ping"] + frames["a3"]))
        twice.data_received(head + chunk(frames["snap"] + frames["a2"] + frames["a2"]))  # and e.3 never came
        foreign.data_received(head + chunk(frames["snap"] + frames["a2"] + frames["a3"] + frames["b4"]))
        assert good.ready.done() and good.ready.result() == 200
        return report([good, twice, foreign], {"A": ["e.2", "e.3"], "B": ["e.4"]})

    got = asyncio.run(receive())
    assert (got["clients"], got["exactly_once_clients"]) == (3, 1)
    assert (got["lost"], got["duplicated"], got["unexpected"], got["pings"]) == (1, 1, 1, 1)
    times = got["times"]
    assert isinstance(times, dict) and [len(times[e]) for e in ("e.2", "e.3", "e.4")] == [3, 2, 0]
