"""A small Server-Sent Events client over a raw socket, for tests: what a browser's EventSource sees, with times.

``SseClient(port, path, headers)`` connects, reads the response head, then a thread decodes the chunked body into
``SseEvent``s (type, id, data, the moment it was received) pushed on a queue; comments are kept as events of type
``":"``.
"""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SseEvent:
    type: str
    id: str | None
    data: str
    received: float  # time.monotonic()
    retry: int | None = None

    def json(self) -> Any:
        return json.loads(self.data)


class SseClient:
    def __init__(self, port: int, path: str = "/console/stream", headers: dict[str, str] | None = None,
                 timeout: float = 5.0, rcvbuf: int | None = None) -> None:  # fmt: skip
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: text/event-stream"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        head = self._until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        self.status = int(head[0].split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])}
        self.events: queue.Queue[SseEvent] = queue.Queue()
        self.closed = threading.Event()
        self.retry: int | None = None
        self._reader: threading.Thread | None = None
        if self.status == 200:
            self._reader = threading.Thread(target=self._read, daemon=True)
            self._reader.start()

    def _until(self, mark: bytes) -> bytes:
        while mark not in self.buffer:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed")
            self.buffer += data
        out, _, self.buffer = self.buffer.partition(mark)
        return out

    def _exact(self, n: int) -> bytes:
        while len(self.buffer) < n:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("closed")
            self.buffer += data
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def _read(self) -> None:
        self.sock.settimeout(None)
        text = ""
        try:
            while True:
                size = int(self._until(b"\r\n").split(b";")[0], 16)
                if size == 0:
                    break
                text += self._exact(size).decode()
                self._exact(2)
                while "\n\n" in text:
                    block, _, text = text.partition("\n\n")
                    self._event(block)
        except (ConnectionError, OSError, ValueError):
            pass
        self.closed.set()

    def _event(self, block: str) -> None:
        fields: dict[str, list[str]] = {}
        for line in block.split("\n"):
            name, _, value = line.partition(":")
            fields.setdefault(name, []).append(value[1:] if value.startswith(" ") else value)
        now = time.monotonic()
        if "" in fields and len(fields) == 1:
            self.events.put(SseEvent(":", None, "\n".join(fields[""]), now))
            return
        if "retry" in fields:
            self.retry = int(fields["retry"][0])
        if "data" not in fields:
            return
        ids = fields.get("id")
        self.events.put(SseEvent(fields.get("event", ["message"])[0], ids[-1] if ids else None,
                                 "\n".join(fields["data"]), now))  # fmt: skip

    def next(self, timeout: float = 2.0, skip: frozenset[str] = frozenset({"ping", ":"})) -> SseEvent:
        """The next event whose type is not in ``skip`` (heartbeats by default)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no SSE event")
            try:
                event = self.events.get(timeout=left)
            except queue.Empty as error:
                raise TimeoutError("no SSE event") from error
            if event.type not in skip:
                return event

    def drain(self, wait: float = 0.2, skip: frozenset[str] = frozenset({"ping", ":"})) -> list[SseEvent]:
        """Every event (not in ``skip``) that arrives within ``wait`` seconds of the previous one."""
        out = []
        while True:
            try:
                out.append(self.next(wait, skip))
            except TimeoutError:
                return out

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        if self._reader is not None:
            self._reader.join(timeout=2)
