"""The ACD's vocabulary: queues and their configuration, agents and their states, calls and callbacks.

Agents, calls and callbacks are mutable records owned by one ``Acd``; callers get copies.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import NamedTuple


class QueueKey(NamedTuple):
    """A queue is one skill at one center, e.g. ``QueueKey("NTS126", "tax")``."""

    center: str
    skill: str

    def __str__(self) -> str:
        return f"{self.center}/{self.skill}"


class Strategy(enum.Enum):
    """How a queue picks among ready agents."""

    LONGEST_IDLE = "longest-idle"
    #: highest level in the queue's skill first, ties to the longest idle
    SKILL_LEVEL = "skill-level"


@dataclass(frozen=True)
class WrapUp:
    """After-call work: ``seconds`` of wrap-up; then back to ready unless ``auto_ready`` is off.

    With ``auto_ready`` off the timer only informs the console; the agent stays in wrap-up until
    ``wrapup_done`` (or not-ready / logout).
    """

    seconds: float = 30.0
    auto_ready: bool = True


@dataclass(frozen=True)
class QueueConfig:
    """One queue and its rules.

    ``overflow_after``: wait after which the call also becomes eligible in the skill-compatible queues
    of the center's overflow partners (``None``: never). ``continuity_window``: how long a call that
    continues a case is held for the agent who last handled it. ``default_handle_seconds`` seeds the
    average handle time used for the expected wait until real calls have been handled.
    """

    key: QueueKey
    strategy: Strategy = Strategy.LONGEST_IDLE
    overflow_after: dt.timedelta | None = dt.timedelta(seconds=60)
    continuity_window: dt.timedelta = dt.timedelta(seconds=30)
    wrapup: WrapUp = WrapUp()
    service_level_seconds: int = 20
    default_handle_seconds: float = 180.0


@dataclass(frozen=True)
class AcdSettings:
    """Rules that hold for every queue."""

    #: abandons quicker than this are "short" (misdials, callers who hear the closed message)
    short_abandon: dt.timedelta = dt.timedelta(seconds=5)
    #: placements of one callback that may go unanswered before it fails
    callback_attempts: int = 3
    #: delay before the next try after an unanswered callback
    callback_retry: dt.timedelta = dt.timedelta(minutes=10)
    #: the expected wait announced is never below this (seconds)
    ewt_floor_seconds: int = 10
    #: handle times kept per queue for the running average behind the expected wait
    handle_time_window: int = 50


class AgentState(enum.Enum):
    LOGGED_OUT = "logged-out"
    READY = "ready"
    #: a call is offered (the agent's phone rings) or a callback is being dialled for them
    RINGING = "ringing"
    ON_CALL = "on-call"
    WRAP_UP = "wrap-up"
    NOT_READY = "not-ready"


@dataclass
class Agent:
    """An agent of one center with skills and levels (higher level = more expert)."""

    agent_id: str
    center: str
    skills: dict[str, int]
    state: AgentState = AgentState.NOT_READY
    reason: str | None = None  # not-ready reason code
    idle_since: dt.datetime | None = None  # set while ready
    call_id: str | None = None  # ringing, on call or in wrap-up for this call
    wrapup_until: dt.datetime | None = None

    def serves(self, queue: QueueKey) -> bool:
        return self.center == queue.center and queue.skill in self.skills


@dataclass
class Call:
    """A call the ACD routes: an inbound caller, or the outbound leg of a callback.

    ``eligible`` maps every queue the call may be answered from (its own, plus overflow partners') to
    the moment it became eligible there.
    """

    call_id: str
    queue: QueueKey
    enqueued_at: dt.datetime
    seq: int
    priority: int = 0
    case_number: str | None = None
    last_agent_id: str | None = None
    eligible: dict[QueueKey, dt.datetime] = field(default_factory=dict)
    agent_id: str | None = None
    offered_at: dt.datetime | None = None
    answered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    hold_seconds: float = 0.0
    callback_id: str | None = None
    #: a call for this agent only (a transfer to a named agent); back to its queue if they do not take it
    for_agent: str | None = None

    @property
    def waiting(self) -> bool:
        return self.agent_id is None

    @property
    def outbound(self) -> bool:
        return self.callback_id is not None


class CallbackState(enum.Enum):
    PENDING = "pending"
    PLACING = "placing"


@dataclass
class Callback:
    """A promise to call a citizen back from ``queue`` at or after ``due_at``."""

    callback_id: str
    queue: QueueKey
    due_at: dt.datetime
    seq: int
    case_number: str | None = None
    attempts: int = 0
    state: CallbackState = CallbackState.PENDING
    call_id: str | None = None
