"""``GET /console/stream``: the agent console's live push, Server-Sent Events fed by the CTI bus.

Each open stream is one ``_Stream`` living on the reactor thread: it subscribes to the bus, sends what
:func:`console.stream_events.classify` lets its viewer see, and a ``ping`` every ``heartbeat_s``. No database
thread is held, ever: the snapshot comes from a cheap in-memory callable.

Start, race-free: subscribe first (live events are buffered), then either replay from the bus what a reconnecting
client missed (same epoch, still in the bus's memory) or send a ``snapshot``; then the buffered live events above
the position reached (dedupe by seq), then live. Every ``ping`` carries the position reached as its id, so that a
client whose own events are rare still resumes without a snapshot after a short cut. A replay larger than half
the buffer bound is replaced by a snapshot (resending it could only get the client dropped again).

Flow control: the stream is the connection's push producer. While the transport says its buffer is full, frames
wait in a bounded list; a client that lets more than ``max_buffer_bytes`` pile up is disconnected (it will
reconnect and resume, or get a snapshot) rather than buffered without limit. A closed connection unsubscribes at
once. Events are assumed published from one thread at a time (the control process publishes on the reactor);
events from another thread are handed to the reactor in order.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import sys
from collections.abc import Callable
from typing import Any

from twisted.internet import task
from twisted.python import threadable
from twisted.web import resource, server

from console.stream_events import (
    EPOCH,
    RETRY,
    Identity,
    SseType,
    classify,
    event_id,
    frame,
    payload,
    resume_after,
)
from telephony.cti.bus import CtiBus, CtiEvent

log = logging.getLogger("sori.console.stream")

#: This process's epoch: a restarted server's ids never resume against the new bus.
PROCESS_EPOCH = secrets.token_hex(4)


class EventStream(resource.Resource):
    """The SSE resource. ``identify`` says who asks (None: 401); ``snapshot`` gives their state and their
    center's board as JSON-able data (reactor thread, in memory); ``alive`` (optional) is asked at each heartbeat
    whether the viewer's session still holds, and ends the stream when it does not."""

    isLeaf = True

    def __init__(
        self,
        bus: CtiBus,
        identify: Callable[[server.Request], Identity | None],
        snapshot: Callable[[Identity], dict[str, Any]],
        reactor: Any,
        heartbeat_s: float = 2.0,
        epoch: str | None = None,
        *,
        alive: Callable[[Identity], bool] | None = None,
        max_buffer_bytes: int = 256 * 1024,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        if epoch is not None and not EPOCH.fullmatch(epoch):
            raise ValueError(f"an epoch is 1 to 32 letters, digits, '-' or '_': {epoch!r}")
        self.bus = bus
        self.identify = identify
        self.snapshot = snapshot
        self.reactor = reactor
        self.heartbeat_s = heartbeat_s
        self.epoch = epoch or PROCESS_EPOCH
        self.alive = alive
        self.max_buffer_bytes = max_buffer_bytes
        self.streams: set[_Stream] = set()  # the open ones (a gauge for the operators, and the tests)
        self._frames: dict[SseType, bytes] = {}  # the last event's frames: the same bytes for every viewer
        self._frames_seq = -1

    def frame_of(self, event: CtiEvent, kind: SseType) -> bytes:
        """``event`` as an SSE frame of ``kind``; built once per event and kind, whatever the number of viewers
        (a payload depends on the event and the kind only, never on who receives it)."""
        if event.seq != self._frames_seq:
            self._frames.clear()
            self._frames_seq = event.seq
        found = self._frames.get(kind)
        if found is None:
            found = self._frames[kind] = frame(kind, payload(event, kind), event_id(self.epoch, event.seq))
        return found

    def render_GET(self, request: server.Request) -> Any:
        identity = self.identify(request)
        if identity is None:
            request.setResponseCode(401)
            request.setHeader(b"content-type", b"application/json")
            request.setHeader(b"cache-control", b"no-store")
            body = {"error": "unauthenticated", "message": "로그인이 필요합니다.", "details": {}}
            return json.dumps(body, ensure_ascii=False).encode()
        raw = request.getHeader(b"last-event-id")
        if raw is None:  # a page (re)loaded without the browser's header may pass the id it kept
            values = (request.args or {}).get(b"last-event-id")
            raw = values[0] if values else None
        last = raw.decode("ascii", "replace") if raw is not None else None
        stream = _Stream(self, request, identity)
        self.streams.add(stream)
        stream.start(last)
        return server.NOT_DONE_YET

    def render_HEAD(self, request: server.Request) -> bytes:
        """Whether a stream would open (200 or 401), without opening one."""
        if self.identify(request) is None:
            request.setResponseCode(401)
        else:
            request.setHeader(b"content-type", b"text/event-stream; charset=utf-8")
        request.setHeader(b"cache-control", b"no-store")
        return b""


class _Stream:
    """One open connection (reactor thread only, but for ``_deliver`` which may be called from another)."""

    def __init__(self, owner: EventStream, request: server.Request, identity: Identity) -> None:
        self.owner = owner
        self.request = request
        self.identity = identity
        self.position = 0  # the bus's seq up to which every event was considered (sent or filtered out)
        self.live = False  # False while the start's replay or snapshot is being written
        self.early: list[CtiEvent] = []  # live events that arrived before ``live``
        self.paused = False
        self.waiting: list[bytes] = []  # frames held while the transport is full
        self.waiting_bytes = 0
        self.closed = False
        self.unsubscribe: Callable[[], None] | None = None
        self.heartbeat: task.LoopingCall | None = None

    # -- start ---------------------------------------------------------------------------------------------
    def start(self, last_event_id: str | None) -> None:
        req, owner, bus = self.request, self.owner, self.owner.bus
        req.setHeader(b"content-type", b"text/event-stream; charset=utf-8")
        req.setHeader(b"cache-control", b"no-store")
        req.setHeader(b"x-accel-buffering", b"no")
        req.notifyFinish().addBoth(self._finished)
        transport = getattr(req, "transport", None)
        if transport is not None and hasattr(transport, "setTcpNoDelay"):
            with contextlib.suppress(OSError):  # small frames must not wait for the client's delayed ACK
                transport.setTcpNoDelay(True)
        req.registerProducer(self, True)
        self.unsubscribe = bus.subscribe(self._deliver)
        self._write(RETRY)
        oldest = bus.oldest()
        missed, last = bus.since(sys.maxsize)
        after = resume_after(last_event_id, owner.epoch, oldest, last)
        if after is not None:
            missed, last = bus.since(after, limit=sys.maxsize)
            if missed and missed[0].seq != after + 1:  # evicted meanwhile: the replay would have a hole
                after = None
        replay: list[bytes] = []
        if after is not None:
            self.position = after
            replay = [f for f in map(self._frame_of, missed) if f is not None]
            if sum(map(len, replay)) > owner.max_buffer_bytes // 2:  # too much to resend: the state now instead
                after = None
        if after is None:
            self.position = last
            self._write(frame(SseType.SNAPSHOT, owner.snapshot(self.identity), event_id(owner.epoch, last)))
        else:
            for data in replay:
                self._write(data)
            self.position = max(self.position, last)
        early, self.early = self.early, []
        for event in early:
            self._consider(event)
        self.live = True
        self.heartbeat = task.LoopingCall(self._beat)
        self.heartbeat.clock = owner.reactor
        self.heartbeat.start(owner.heartbeat_s, now=False)

    # -- events --------------------------------------------------------------------------------------------
    def _deliver(self, event: CtiEvent) -> None:
        """The bus's subscriber: called in the publisher's thread."""
        if threadable.isInIOThread():
            self._receive(event)
        else:
            self.owner.reactor.callFromThread(self._receive, event)

    def _receive(self, event: CtiEvent) -> None:
        if self.closed:
            return
        if not self.live:
            self.early.append(event)
            return
        try:
            self._consider(event)
        except Exception:  # a console's failure never reaches the publisher (the desk)
            log.exception("console stream: event %s not sent", event.seq)

    def _consider(self, event: CtiEvent) -> None:
        data = self._frame_of(event)
        if data is not None:
            self._write(data)

    def _frame_of(self, event: CtiEvent) -> bytes | None:
        """The frame of ``event`` for this viewer (None: not theirs), advancing the position past it."""
        if event.seq <= self.position:
            return None  # already replayed or covered by the snapshot
        self.position = event.seq
        kind = classify(event, self.identity)
        if kind is None:
            return None
        return self.owner.frame_of(event, kind)

    def _beat(self) -> None:
        if self.closed:
            return
        if self.owner.alive is not None and not self.owner.alive(self.identity):
            self._end()
            return
        now = self.owner.bus.clock().isoformat()
        self._write(frame(SseType.PING, {"now": now}, event_id(self.owner.epoch, self.position)))

    # -- writing and flow control --------------------------------------------------------------------------
    def _write(self, data: bytes) -> None:
        if self.closed:
            return
        if not self.paused:
            self.request.write(data)
            return
        self.waiting.append(data)
        self.waiting_bytes += len(data)
        if self.waiting_bytes > self.owner.max_buffer_bytes:
            log.warning("console stream of agent %s dropped: client too slow", self.identity.agent_id)
            self._drop()

    def pauseProducing(self) -> None:
        self.paused = True

    def resumeProducing(self) -> None:
        self.paused = False
        waiting, self.waiting, self.waiting_bytes = self.waiting, [], 0
        for index, data in enumerate(waiting):
            if self.paused or self.closed:  # full again: keep the rest, in order
                rest = waiting[index:]
                self.waiting = rest + self.waiting
                self.waiting_bytes = sum(len(d) for d in self.waiting)
                return
            self.request.write(data)

    def stopProducing(self) -> None:
        self._close()

    # -- the end -------------------------------------------------------------------------------------------
    def _drop(self) -> None:
        transport = getattr(self.request, "transport", None)
        self._close()
        if transport is not None:
            abort = getattr(transport, "abortConnection", None)
            (abort or transport.loseConnection)()

    def _end(self) -> None:
        """The session ended: finish the response (the client's EventSource reconnects and gets its 401)."""
        self._close()
        try:
            self.request.unregisterProducer()
            self.request.finish()
        except RuntimeError:  # pragma: no cover - the connection went first
            pass

    def _finished(self, _: object) -> None:
        self._close()

    def _close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self.unsubscribe is not None:
            self.unsubscribe()
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        self.waiting, self.waiting_bytes, self.early = [], 0, []
        self.owner.streams.discard(self)
