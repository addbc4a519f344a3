"""What the board answers: a center's state at one moment (its queues now and today, its agents now and today).

Every value is a frozen snapshot: a reader may keep it, hand it to a template or serialise it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from crm.door.tally import CallTally, StateTally


@dataclass(frozen=True)
class QueueFigures:
    """Today's counters of a queue (or of a center, summed over its queues), by the day the calls came in.

    ``offered``: calls that entered the queue (a warm transfer's consultation only once answered); ``answered``
    and ``abandoned`` of those (``abandoned_wait_s``: their total wait); ``transferred``: answered calls handed on;
    ``callbacks``: calls back to citizens that reached them; ``overflow_out``: calls of this queue a partner
    center answered, ``overflow_in``: calls of a partner's queue answered here; ``talk_s`` and ``hold_s`` of the
    answered calls of this queue.
    """

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    abandoned_wait_s: float = 0.0
    transferred: int = 0
    callbacks: int = 0
    overflow_in: int = 0
    overflow_out: int = 0
    talk_s: float = 0.0
    hold_s: float = 0.0


@dataclass(frozen=True)
class QueueState:
    center: str
    skill: str
    waiting: int
    longest_wait_s: float  # the oldest waiting call's wait, from its enqueue time (0 when nobody waits)
    today: QueueFigures
    calls: CallTally = field(default_factory=CallTally)  # today's calls of the queue (for telephony.acd.kpi)


@dataclass(frozen=True)
class AgentFigures:
    """An agent now (state, reason code, since when) and today (calls handled, their talk and hold time)."""

    agent_id: int
    center: str
    state: str
    reason: str | None
    since: dt.datetime
    in_state_s: float
    handled: int = 0
    talk_s: float = 0.0
    hold_s: float = 0.0
    calls: CallTally = field(default_factory=CallTally)  # today's calls the agent answered
    states: StateTally = field(default_factory=StateTally)  # today's time per state (idle = ready)


@dataclass(frozen=True)
class CenterState:
    """The answer to "state of center X" at ``at``; ``day`` is the Seoul day the counters are of."""

    center: str
    at: dt.datetime
    day: dt.date
    queues: tuple[QueueState, ...]
    agents: tuple[AgentFigures, ...]
    today: QueueFigures

    @property
    def waiting(self) -> int:
        return sum(q.waiting for q in self.queues)

    @property
    def longest_wait_s(self) -> float:
        return max((q.longest_wait_s for q in self.queues), default=0.0)

    def agents_in(self, state: str) -> int:
        return sum(1 for a in self.agents if a.state == state)
