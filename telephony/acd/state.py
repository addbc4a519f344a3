"""The ACD's state and the small rules shared by its commands: ordering, reservation, staffing, positions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from telephony.acd.errors import UnknownAgent, UnknownCall, UnknownQueue
from telephony.acd.events import AgentStateChanged, QueuePosition
from telephony.acd.ewt import HandleTimes, expected_wait
from telephony.acd.hours import CenterHours
from telephony.acd.model import AcdSettings, Agent, AgentState, Call, Callback, QueueConfig, QueueKey

#: agent states that count as working a queue for the expected wait
_STAFFED = frozenset({AgentState.READY, AgentState.RINGING, AgentState.ON_CALL, AgentState.WRAP_UP})


@dataclass
class AbandonCounts:
    """Abandons of one queue, split at the short-abandon limit, with total seconds waited."""

    short: int = 0
    long: int = 0
    short_wait_seconds: float = 0.0
    long_wait_seconds: float = 0.0


@dataclass
class AcdState:
    queues: dict[QueueKey, QueueConfig]
    hours: dict[str, CenterHours]
    partners: dict[str, tuple[str, ...]]
    settings: AcdSettings
    agents: dict[str, Agent] = field(default_factory=dict)
    calls: dict[str, Call] = field(default_factory=dict)
    callbacks: dict[str, Callback] = field(default_factory=dict)
    wrapping: dict[str, Call] = field(default_factory=dict)  # agent id -> call in wrap-up
    handle_times: dict[QueueKey, HandleTimes] = field(default_factory=dict)
    abandons: dict[QueueKey, AbandonCounts] = field(default_factory=dict)
    _seq: int = 0

    def __post_init__(self) -> None:
        for key, config in self.queues.items():
            self.handle_times[key] = HandleTimes(config.default_handle_seconds, self.settings.handle_time_window)
            self.abandons[key] = AbandonCounts()

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # --- look-ups ---------------------------------------------------------------------------------------

    def queue(self, key: QueueKey) -> QueueConfig:
        try:
            return self.queues[key]
        except KeyError:
            raise UnknownQueue(f"no queue {key}", queue=str(key)) from None

    def agent(self, agent_id: str) -> Agent:
        try:
            return self.agents[agent_id]
        except KeyError:
            raise UnknownAgent(f"no agent {agent_id}", agent_id=agent_id) from None

    def call(self, call_id: str) -> Call:
        try:
            return self.calls[call_id]
        except KeyError:
            raise UnknownCall(f"no call {call_id}", call_id=call_id) from None

    def is_open(self, center: str, now: dt.datetime) -> bool:
        return self.hours[center].is_open(now)

    # --- routing rules ----------------------------------------------------------------------------------

    def waiting_in(self, key: QueueKey) -> list[Call]:
        """Waiting calls eligible in ``key``, in service order: priority first, then time waited."""
        calls = [c for c in self.calls.values() if c.waiting and key in c.eligible]
        return sorted(calls, key=call_order)

    def reserved_for(self, call: Call, now: dt.datetime) -> str | None:
        """The agent a continuing case's call is held for, while the window runs and they can take it."""
        if call.last_agent_id is None or call.outbound:
            return None
        window = self.queue(call.queue).continuity_window
        if now - call.enqueued_at >= window:
            return None
        agent = self.agents.get(call.last_agent_id)
        if agent is None or agent.state is AgentState.LOGGED_OUT:
            return None
        if not any(agent.serves(key) for key in call.eligible):
            return None
        return agent.agent_id

    def staffed(self, key: QueueKey) -> int:
        return sum(1 for a in self.agents.values() if a.state in _STAFFED and a.serves(key))

    def positions(self, key: QueueKey) -> tuple[QueuePosition, ...]:
        aht = self.handle_times[key].average
        staffed = self.staffed(key)
        floor = self.settings.ewt_floor_seconds
        return tuple(
            QueuePosition(call.call_id, n, expected_wait(n, aht, staffed, floor))
            for n, call in enumerate(self.waiting_in(key), start=1)
        )

    def all_positions(self) -> dict[QueueKey, tuple[QueuePosition, ...]]:
        return {key: self.positions(key) for key in self.queues}

    # --- agent transitions ------------------------------------------------------------------------------

    def move(
        self,
        agent: Agent,
        state: AgentState,
        now: dt.datetime,
        *,
        reason: str | None = None,
        keep_idle: bool = False,
    ) -> AgentStateChanged:
        """Put ``agent`` in ``state``; idle time restarts on becoming ready unless ``keep_idle``."""
        previous = agent.state
        agent.state = state
        agent.reason = reason if state is AgentState.NOT_READY else None
        if state is AgentState.READY:
            if not (keep_idle and agent.idle_since is not None):
                agent.idle_since = now
            agent.call_id = None
        elif state is not AgentState.RINGING:
            agent.idle_since = None
        if state is not AgentState.WRAP_UP:
            agent.wrapup_until = None
        if state in (AgentState.NOT_READY, AgentState.LOGGED_OUT):
            agent.call_id = None
        return AgentStateChanged(agent.agent_id, previous, state, agent.reason, agent.wrapup_until)


def call_order(call: Call) -> tuple[int, dt.datetime, int]:
    return (-call.priority, call.enqueued_at, call.seq)
