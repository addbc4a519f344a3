"""The CTI event bus: a bounded, numbered log of call, queue and agent events with live subscribers.

The control process publishes on the reactor thread; the HTTP API reads from database threads (a lock
guards the log); the agent console and the dashboards subscribe or poll with ``after=<seq>``. Events
carry no citizen data beyond the masked number, so a subscriber never needs an access-log row.
"""

from __future__ import annotations

import datetime as dt
import enum
import threading
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any


class CtiKind(enum.StrEnum):
    CALL_OFFERED = "call-offered"  # a call reached a media worker (ringing)
    CALL_ANSWERED = "call-answered"  # answered by the platform (IVR) or by an agent
    CALL_QUEUED = "call-queued"  # waiting for an agent of a center's queue
    CALL_HELD = "call-held"
    CALL_TRANSFERRED = "call-transferred"  # to another center's flow or queue
    CALL_ENDED = "call-ended"  # with its disposition
    AGENT_STATE_CHANGED = "agent-state-changed"
    QUEUE_CHANGED = "queue-changed"


@dataclass(frozen=True)
class CtiEvent:
    seq: int
    at: dt.datetime
    kind: CtiKind
    center: str | None
    call_id: str | None = None
    agent_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[CtiEvent], None]


class CtiBus:
    def __init__(self, clock: Callable[[], dt.datetime], capacity: int = 10_000) -> None:
        self.clock = clock
        self._log: deque[CtiEvent] = deque(maxlen=capacity)
        self._seq = 0
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []

    def publish(self, kind: CtiKind, center: str | None, call_id: str | None = None, agent_id: int | None = None,
                **data: Any) -> CtiEvent:  # fmt: skip
        with self._lock:
            self._seq += 1
            event = CtiEvent(self._seq, self.clock(), kind, center, call_id, agent_id, data)
            self._log.append(event)
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber(event)
        return event

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._lock:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def since(self, after: int, centers: Collection[str] | None = None, limit: int = 500) -> tuple[list[CtiEvent], int]:
        """Events numbered above ``after`` (of ``centers`` only, if given), and the last number assigned."""
        with self._lock:
            events = [e for e in self._log if e.seq > after and (centers is None or e.center in centers)]
            last = self._seq
        return events[:limit], last
