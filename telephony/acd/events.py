"""What the ACD tells its caller: events to publish and decisions to carry out.

Every command of ``Acd`` returns a list of these, in the order they happened. The control process
executes the decisions (ring an agent, play the closed message, dial a citizen) and publishes the
events (agent console, dashboards, the store of call records).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from telephony.acd.model import AgentState, QueueKey
from telephony.acd.records import CallRecord


@dataclass(frozen=True)
class CallQueued:
    """The call waits in ``queue``; announce position and expected wait (seconds, None if unknown)."""

    call_id: str
    queue: QueueKey
    position: int
    ewt_seconds: int | None


@dataclass(frozen=True)
class Closed:
    """Decision: refuse the call and play the closed message (the holiday message if ``holiday``)."""

    call_id: str
    queue: QueueKey
    holiday: str | None
    next_opening: dt.datetime | None


@dataclass(frozen=True)
class CallOffered:
    """Decision: ring ``agent_id`` with ``call_id``, answered from ``queue``."""

    call_id: str
    agent_id: str
    queue: QueueKey


@dataclass(frozen=True)
class OfferCancelled:
    """Decision: stop ringing ``agent_id``; the caller hung up."""

    call_id: str
    agent_id: str


@dataclass(frozen=True)
class CallOverflowed:
    """The call may now also be answered from ``to_queue`` (it stays in ``from_queue`` too)."""

    call_id: str
    from_queue: QueueKey
    to_queue: QueueKey
    waited_seconds: float


@dataclass(frozen=True)
class QueuePosition:
    call_id: str
    position: int
    ewt_seconds: int | None


@dataclass(frozen=True)
class QueueChanged:
    """The waiting calls of ``queue`` in order, with their new positions and expected waits."""

    queue: QueueKey
    positions: tuple[QueuePosition, ...]


@dataclass(frozen=True)
class AgentStateChanged:
    agent_id: str
    previous: AgentState
    state: AgentState
    reason: str | None = None
    wrapup_until: dt.datetime | None = None


@dataclass(frozen=True)
class CallAbandoned:
    """The caller hung up before an answer; ``short`` if they waited less than the short-abandon limit."""

    call_id: str
    queue: QueueKey
    waited_seconds: float
    short: bool


@dataclass(frozen=True)
class CallFinished:
    """The call left the ACD for good; store ``record`` (the KPIs are computed from these)."""

    record: CallRecord


@dataclass(frozen=True)
class CallbackScheduled:
    callback_id: str
    queue: QueueKey
    due_at: dt.datetime


@dataclass(frozen=True)
class PlaceCallback:
    """Decision: dial the citizen of ``callback_id`` for ``agent_id`` as outbound call ``call_id``.

    Report the outcome with ``call_answered(call_id, ...)`` or ``callback_unanswered(callback_id, ...)``.
    """

    callback_id: str
    call_id: str
    agent_id: str
    queue: QueueKey
    attempt: int


@dataclass(frozen=True)
class CallbackRescheduled:
    """``reason``: ``"closed"`` (due while the center was closed) or ``"no-answer"``."""

    callback_id: str
    due_at: dt.datetime
    reason: str
    attempts: int


@dataclass(frozen=True)
class CallbackCompleted:
    callback_id: str
    call_id: str


@dataclass(frozen=True)
class CallbackFailed:
    """``reason``: ``"attempts-exhausted"`` or ``"no-opening"`` (the center never opens again)."""

    callback_id: str
    reason: str
    attempts: int


Event = (
    CallQueued
    | Closed
    | CallOffered
    | OfferCancelled
    | CallOverflowed
    | QueueChanged
    | AgentStateChanged
    | CallAbandoned
    | CallFinished
    | CallbackScheduled
    | PlaceCallback
    | CallbackRescheduled
    | CallbackCompleted
    | CallbackFailed
)
