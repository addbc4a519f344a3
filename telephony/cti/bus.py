"""The CTI event bus: a bounded, numbered log of call, queue and agent events with live subscribers.

The control process publishes on the reactor thread; the HTTP API reads from database threads (a lock
guards the log); the agent console and the dashboards subscribe or poll with ``after=<seq>``.

Events carry ids and kinds only: no summaries, notes, names, citizen ids or phone numbers (not even masked).
A consumer that needs the detail fetches it through the API, which checks the reader's access and writes the
access-log row. ``DATA_KEYS`` is the whole vocabulary of an event's ``data``: a key outside it is dropped
(and logged) in production, and raises in tests (``strict=True``), so a new field is a reviewed decision.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import threading
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("sori.cti")


class CtiKind(enum.StrEnum):
    CALL_OFFERED = "call-offered"  # a call reached a media worker (ringing)
    CALL_ANSWERED = "call-answered"  # answered by the platform (IVR) or by an agent
    CALL_QUEUED = "call-queued"  # waiting for an agent of a center's queue
    CALL_HELD = "call-held"
    CALL_TRANSFERRED = "call-transferred"  # to another center's flow or queue
    CALL_ENDED = "call-ended"  # with its disposition
    AGENT_STATE_CHANGED = "agent-state-changed"
    QUEUE_CHANGED = "queue-changed"
    CALL_FINISHED = "call-finished"  # the ACD is done with a call (wrapped up, or abandoned): its record
    SUPERVISOR_MESSAGE = "supervisor-message"  # a supervisor wrote to the agent (the text is fetched, not carried)


#: What an event's ``data`` may say: ids, kinds and states, times, centers and queues (``dialled`` is the center's
#: public number the caller dialled, never the caller's); nothing about a person.
DATA_KEYS = frozenset({
    # kinds and states
    "by", "mode", "disposition", "state", "previous", "held", "consult", "cancelled", "completed", "overflow",
    "external", "handoff", "cause",
    # ids of records the API serves (with its access checks)
    "interaction_id", "case_number", "handoff_id", "to_agent_id", "consult_agent_id",
    # centers, queues and times
    "candidates", "dialled", "skill", "priority", "position", "ewt_s", "waiting", "waited_s", "to_center", "to_queue",
    # the board's figures: a queue's longest wait, a finished call's record, an agent's reason *code* (never the
    # free text an agent may type: ``crm.calls.model.reason_code``)
    "longest_wait_s", "call_kind", "enqueued_at", "answered", "talk_s", "hold_s", "agent_center", "transferred_to",
    "reason", "wrapup_s",
})  # fmt: skip


class PersonalDataInEvent(ValueError):
    """A publisher tried to put a key outside ``DATA_KEYS`` into a CTI event."""


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
    def __init__(self, clock: Callable[[], dt.datetime], capacity: int = 10_000, strict: bool = False) -> None:
        self.clock = clock
        self.strict = strict  # tests: a key outside DATA_KEYS raises instead of being dropped
        self._log: deque[CtiEvent] = deque(maxlen=capacity)
        self._seq = 0
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []

    def publish(self, kind: CtiKind, center: str | None, call_id: str | None = None, agent_id: int | None = None,
                **data: Any) -> CtiEvent:  # fmt: skip
        unknown = sorted(set(data) - DATA_KEYS)
        if unknown:
            if self.strict:
                raise PersonalDataInEvent(f"{kind} event with keys outside the CTI vocabulary: {', '.join(unknown)}")
            log.error("CTI event keys dropped", extra={"kind": str(kind), "keys": unknown})
            data = {k: v for k, v in data.items() if k in DATA_KEYS}
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

    def oldest(self) -> int:
        """The number of the oldest event still held (the next number to be assigned when none is held): a reader
        that has seen every event up to ``oldest() - 1`` can still read all it missed with ``since``."""
        with self._lock:
            return self._log[0].seq if self._log else self._seq + 1

    def since(self, after: int, centers: Collection[str] | None = None, limit: int = 500) -> tuple[list[CtiEvent], int]:
        """Events numbered above ``after`` (of ``centers`` only, if given), and the last number assigned."""
        with self._lock:
            events = [e for e in self._log if e.seq > after and (centers is None or e.center in centers)]
            last = self._seq
        return events[:limit], last
