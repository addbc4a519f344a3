"""The SSE clients of ``bench.console_fanout``: one process holding many ``/console/stream`` connections.

    .venv/bin/python -m bench.console_fanout_client --port PORT    # started by bench.console_fanout, not by hand

Protocol with the parent, one JSON line each way at a time:

* stdin, first line: ``[[cookie, center], ...]`` — one console session cookie value per connection to open, and
  the center of its agent.
* stdout: ``{"ready": n, "failed": f, "statuses": {...}, "cpu_s": s}`` once every connection got its ``snapshot``
  (or failed); ``cpu_s`` is the CPU this process used so far (also in the final report).
* stdin: ``{"expected": {center: [event id, ...]}}`` — the ids the parent published for each center; the
  process answers with what it received (per event id, every client's receive time; lost, duplicated and
  unexpected events; pings; early closes) and exits.

Each connection is a raw asyncio socket speaking HTTP/1.1 with the browser's headers and the ``sori_console``
cookie, de-chunking the body and splitting it into SSE events as an ``EventSource`` would. The receive time is
``time.time()`` when the bytes are handed to the protocol (the server publishes with ``time.time()`` on the same
machine), before any parsing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from collections import Counter
from typing import Any

CONNECT_CONCURRENCY = 50  # at most this many handshakes in flight (twisted's listen backlog is 50)


class SseConnection(asyncio.Protocol):
    """One console stream: the HTTP head, then chunked SSE events; records ``(type, id, received)`` of each."""

    def __init__(self, request: bytes, center: str) -> None:
        self.request = request
        self.center = center
        self.transport: asyncio.Transport | None = None
        self.raw = b""  # not yet de-chunked
        self.text = b""  # de-chunked, not yet a whole event
        self.head_done = False
        self.status = 0
        self.events: list[tuple[str, str | None, float]] = []
        self.pings = 0
        self.ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.closed_early = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        received = time.time()
        self.raw += data
        if not self.head_done:
            head, mark, rest = self.raw.partition(b"\r\n\r\n")
            if not mark:
                return
            self.head_done, self.raw = True, rest
            self.status = int(head.split(b" ", 2)[1])
            if self.status != 200 and not self.ready.done():
                self.ready.set_result(self.status)
                return
        self._dechunk()
        while b"\n\n" in self.text:
            block, _, self.text = self.text.partition(b"\n\n")
            self._event(block, received)

    def _dechunk(self) -> None:
        while True:
            size_line, mark, rest = self.raw.partition(b"\r\n")
            if not mark:
                return
            size = int(size_line.split(b";")[0], 16)
            if len(rest) < size + 2:
                return
            self.text += rest[:size]
            self.raw = rest[size + 2 :]
            if size == 0:  # the server ended the response
                return

    def _event(self, block: bytes, received: float) -> None:
        kind, event_id = "message", None
        for line in block.split(b"\n"):
            name, _, value = line.partition(b":")
            if name == b"event":
                kind = value.strip().decode()
            elif name == b"id":
                event_id = value.strip().decode()
        if kind == "ping":
            self.pings += 1
            return
        if event_id is None:
            return  # the ``retry`` advice, a comment, or an empty block
        self.events.append((kind, event_id, received))
        if kind == "snapshot" and not self.ready.done():
            self.ready.set_result(200)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed_early = True
        if not self.ready.done():
            self.ready.set_result(self.status or -1)


async def open_all(port: int, cookies: list[tuple[str, str]]) -> list[SseConnection]:
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    connections: list[SseConnection] = []

    async def one(cookie: str, center: str) -> None:
        request = (
            f"GET /console/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n"
            f"Cache-Control: no-cache\r\nCookie: sori_console={cookie}\r\n\r\n"
        ).encode()
        connection = SseConnection(request, center)
        connections.append(connection)
        async with gate:
            try:
                await loop.create_connection(lambda: connection, "127.0.0.1", port)
            except OSError:
                connection.ready.set_result(-1)
                return
            await asyncio.wait_for(asyncio.shield(connection.ready), 60)

    await asyncio.gather(*(one(cookie, center) for cookie, center in cookies))
    return connections


def report(connections: list[SseConnection], expected_by_center: dict[str, list[str]]) -> dict[str, Any]:
    """What every client received of the events of its center: receive times per event, and the counts."""
    times: dict[str, list[float]] = {eid: [] for ids in expected_by_center.values() for eid in ids}
    lost = duplicated = unexpected = exactly_once = 0
    for connection in connections:
        expected = expected_by_center.get(connection.center, [])
        wanted = set(expected)
        counts: Counter[str] = Counter()
        foreign = 0
        for kind, eid, received in connection.events:
            if kind == "snapshot" or eid is None:
                continue
            counts[eid] += 1
            if eid not in wanted:
                foreign += 1
            elif counts[eid] == 1:
                times[eid].append(received)
        missing = sum(1 for eid in expected if counts[eid] == 0)
        extra = sum(counts[eid] - 1 for eid in expected if counts[eid] > 1)
        lost, duplicated, unexpected = lost + missing, duplicated + extra, unexpected + foreign
        exactly_once += missing == 0 and extra == 0 and foreign == 0  # its center's events, each once, nothing else
    return {
        "clients": len(connections),
        "times": times,
        "lost": lost,
        "duplicated": duplicated,
        "unexpected": unexpected,
        "exactly_once_clients": exactly_once,
        "pings": sum(c.pings for c in connections),
        "closed_early": sum(c.closed_early for c in connections),
    }


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def run(port: int) -> None:
    loop = asyncio.get_running_loop()
    cookies: list[tuple[str, str]] = json.loads(await loop.run_in_executor(None, sys.stdin.readline))
    connections = await open_all(port, cookies)
    statuses = Counter(c.ready.result() for c in connections)
    ok = statuses.get(200, 0)
    print(
        json.dumps({"ready": ok, "failed": len(connections) - ok, "statuses": statuses, "cpu_s": cpu_s()}), flush=True
    )
    line = await loop.run_in_executor(None, sys.stdin.readline)
    expected: dict[str, list[str]] = json.loads(line)["expected"] if line.strip() else {}
    print(json.dumps({**report(connections, expected), "cpu_s": cpu_s()}), flush=True)
    for connection in connections:
        if connection.transport is not None:
            connection.transport.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(run(args.port))


if __name__ == "__main__":
    main()
