"""The console's live stream, pure part: who sees which CTI event, as which SSE event, and where a reconnect resumes.

Plain Python, no I/O: :mod:`console.stream` runs it on the reactor for each open stream.

The rule (``classify``), for a viewer (an agent of one center):

1. An event *of the viewer's own call or state* goes to them whatever its center (a consultation may come from
   another center's queue): the event's ``agent_id`` is theirs, or its ``to_agent_id`` (a call offered to them) or
   ``consult_agent_id`` (a consultation they answered) is. Their ``agent-state-changed`` becomes ``state``; every
   other kind becomes ``call``.
2. Otherwise only events of the viewer's center, as ``board``: those with no agent (queues, IVR calls, abandons)
   and the board's own kinds about a colleague (``agent-state-changed``, ``call-finished``). A colleague's call
   events (offered, held …) are not sent.
3. Nothing else: never another center's event, never an event without a center (unless rule 1).

Event ids are ``{epoch}.{seq}``: the process's epoch and the bus's number, so that an id from before a restart
(another epoch) or older than the bus's memory asks for a fresh snapshot instead of a replay with holes.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
from dataclasses import dataclass
from typing import Any

from telephony.cti.bus import CtiEvent, CtiKind

EPOCH = re.compile(r"[A-Za-z0-9_-]{1,32}")
_SEQ = re.compile(r"[0-9]{1,18}")


@dataclass(frozen=True)
class Identity:
    """Who holds a stream: the lead's sessions adapt a signed-in console session to this."""

    agent_id: int
    center: str
    role: str


class SseType(enum.StrEnum):
    STATE = "state"  # the viewer's own agent state
    CALL = "call"  # the viewer's own call
    BOARD = "board"  # something of the viewer's center changed: fetch the figures
    SNAPSHOT = "snapshot"  # the whole state now (first event of a fresh stream, or after a stale id)
    PING = "ping"  # heartbeat, carries the position reached so that a reconnect replays nothing twice


#: Kinds the board counts: a colleague's event of these kinds changes the center's figures.
BOARD_KINDS = frozenset({CtiKind.QUEUE_CHANGED, CtiKind.AGENT_STATE_CHANGED, CtiKind.CALL_FINISHED})

#: What a ``call`` event repeats of the CTI event's data: ids, kinds and flags (the bus already holds nothing
#: personal; figures such as talk time are fetched from the API).
CALL_KEYS = frozenset({
    "by", "mode", "disposition", "held", "consult", "cancelled", "completed", "overflow", "external", "handoff",
    "cause", "interaction_id", "case_number", "handoff_id", "to_agent_id", "consult_agent_id", "to_center",
    "to_queue", "skill",
})  # fmt: skip

_PHASES = {
    CtiKind.CALL_OFFERED: "offered",
    CtiKind.CALL_ANSWERED: "answered",
    CtiKind.CALL_QUEUED: "queued",
    CtiKind.CALL_TRANSFERRED: "transferred",
    CtiKind.CALL_ENDED: "ended",
    CtiKind.CALL_FINISHED: "finished",
    CtiKind.QUEUE_CHANGED: "queue",
}


def involves(event: CtiEvent, agent_id: int) -> bool:
    """The event is about ``agent_id``'s own state or one of their calls."""
    data = event.data
    return agent_id in (event.agent_id, data.get("to_agent_id"), data.get("consult_agent_id"))


def classify(event: CtiEvent, viewer: Identity) -> SseType | None:
    """The SSE type ``viewer`` receives ``event`` as, or None when it is not theirs to see (rule in the docstring)."""
    if involves(event, viewer.agent_id):
        if event.kind is CtiKind.AGENT_STATE_CHANGED:
            return SseType.STATE if event.agent_id == viewer.agent_id else None
        return SseType.CALL
    if event.center is None or event.center != viewer.center:
        return None
    if event.agent_id is None or event.kind in BOARD_KINDS:
        return SseType.BOARD
    return None


def _at(moment: dt.datetime) -> str:
    return moment.isoformat()


def payload(event: CtiEvent, kind: SseType) -> dict[str, Any]:
    """The JSON data of ``event`` sent as ``kind`` (``state``, ``call`` or ``board``)."""
    if kind is SseType.STATE:
        return {"agent_id": event.agent_id, "state": event.data.get("state"), "reason": event.data.get("reason"),
                "previous": event.data.get("previous"), "since": _at(event.at)}  # fmt: skip
    if kind is SseType.CALL:
        phase = _PHASES.get(event.kind, str(event.kind))
        if event.kind is CtiKind.CALL_HELD:
            phase = "held" if event.data.get("held", True) else "resumed"
        data = {k: v for k, v in event.data.items() if k in CALL_KEYS}
        return {"call_id": event.call_id, "kind": str(event.kind), "phase": phase, "center": event.center,
                "agent_id": event.agent_id, "at": _at(event.at), "data": data}  # fmt: skip
    if kind is SseType.BOARD:
        out: dict[str, Any] = {"kind": str(event.kind), "center": event.center, "at": _at(event.at)}
        if event.agent_id is not None:
            out["agent_id"] = event.agent_id
        if event.call_id is not None:
            out["call_id"] = event.call_id
        for key in ("skill", "state"):
            if key in event.data:
                out[key] = event.data[key]
        return out
    raise ValueError(f"no CTI payload for {kind}")


# -- ids and frames ------------------------------------------------------------------------------------------------
def event_id(epoch: str, seq: int) -> str:
    return f"{epoch}.{seq}"


def parse_event_id(text: str | None) -> tuple[str, int] | None:
    """``(epoch, seq)`` of a ``Last-Event-ID``, or None when it is absent or malformed."""
    if not text or len(text) > 64:
        return None
    epoch, dot, seq = text.strip().rpartition(".")
    if not dot or not EPOCH.fullmatch(epoch) or not _SEQ.fullmatch(seq):
        return None
    return epoch, int(seq)


def resume_after(last_event_id: str | None, epoch: str, oldest: int, last: int) -> int | None:
    """The seq after which to replay for a client that sent ``last_event_id``, or None for a fresh snapshot.

    ``oldest`` is the number of the oldest event the bus still holds (``CtiBus.oldest``), ``last`` the last number
    it assigned. A replay is possible only for an id of this epoch whose successors are all still held.
    """
    parsed = parse_event_id(last_event_id)
    if parsed is None or parsed[0] != epoch:
        return None
    seq = parsed[1]
    if seq > last or seq + 1 < oldest:
        return None
    return seq


def frame(kind: SseType, data: Any, event_id: str | None = None) -> bytes:
    """One SSE event (JSON data on one line; ``json.dumps`` escapes any newline)."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"{head}event: {kind}\ndata: {body}\n\n".encode()


RETRY = b"retry: 1000\n\n"
