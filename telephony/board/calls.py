"""A finished call as the board counts it, read from a ``call-finished`` CTI event or from a stored record, and
the fold that turns finished calls into a day's counters.

The desk publishes ``finished_data(call)``; the board's restart reads the stored ``FinishedCall`` through the
very same function, so live counting and rebuilding cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crm.door.calls import CallKind, FinishedCall
from crm.door.tally import CallTally, StateTally, tally_call
from kernel.calendar import SEOUL


def finished_data(call: FinishedCall) -> dict[str, Any]:
    """A finished call as a ``call-finished`` event's data: kinds, centers, queue, times (nothing of a person)."""
    data: dict[str, Any] = {
        "call_kind": str(call.kind),
        "skill": call.queue_skill,
        "enqueued_at": call.enqueued_at.isoformat(),
        "answered": call.answered,
        "waited_s": round(call.wait_seconds, 3),
        "talk_s": round(call.talk_seconds, 3),
        "hold_s": round(call.hold_seconds, 3),
        "overflow": call.overflow,
    }
    if call.abandoned:
        data["disposition"] = "abandoned"
    elif call.disposition is not None:
        data["disposition"] = call.disposition
    if call.answered_center is not None:
        data["agent_center"] = call.answered_center
    if call.transferred_to is not None:
        data["transferred_to"] = call.transferred_to
    if call.interaction_id is not None:
        data["interaction_id"] = call.interaction_id
    if call.ended_at is not None and call.wrapup_ended_at is not None:
        data["wrapup_s"] = round(max(0.0, (call.wrapup_ended_at - call.ended_at).total_seconds()), 3)
    return data


@dataclass(frozen=True)
class CallSummary:
    center: str  # the queue's
    skill: str
    kind: str
    enqueued_at: dt.datetime
    answered: bool
    abandoned: bool
    waited_s: float
    talk_s: float
    hold_s: float
    agent_id: int | None
    agent_center: str | None
    transferred: bool
    overflow: bool
    transferred_to: str | None = None
    wrapup_s: float | None = None  # after-call work; None: not wrapped up (abandoned, or handed on unfinished)

    @property
    def day(self) -> dt.date:
        return self.enqueued_at.astimezone(SEOUL).date()

    @classmethod
    def of_event(cls, center: str, agent_id: int | None, data: Mapping[str, Any]) -> CallSummary:
        return cls(
            center=center,
            skill=str(data["skill"]),
            kind=str(data["call_kind"]),
            enqueued_at=dt.datetime.fromisoformat(str(data["enqueued_at"])),
            answered=bool(data["answered"]),
            abandoned=data.get("disposition") == "abandoned",
            waited_s=float(data["waited_s"]),
            talk_s=float(data["talk_s"]),
            hold_s=float(data["hold_s"]),
            agent_id=agent_id,
            agent_center=data.get("agent_center"),
            transferred="transferred_to" in data,
            overflow=bool(data.get("overflow")),
            transferred_to=data.get("transferred_to"),
            wrapup_s=float(data["wrapup_s"]) if data.get("wrapup_s") is not None else None,
        )

    @classmethod
    def of_record(cls, call: FinishedCall) -> CallSummary:
        return cls.of_event(call.queue_center, call.agent_id, finished_data(call))

    def tally(self) -> CallTally:
        """This call's ``CallTally`` (``crm.calls.tally``'s one rule), from the times the event carries."""
        answered_at = self.enqueued_at + dt.timedelta(seconds=self.waited_s) if self.answered else None
        ended_at = answered_at + dt.timedelta(seconds=self.talk_s + self.hold_s) if answered_at else None
        wrapped = ended_at + dt.timedelta(seconds=self.wrapup_s) if ended_at and self.wrapup_s is not None else None
        record = FinishedCall(
            call_id="", kind=CallKind(self.kind), queue_center=self.center, queue_skill=self.skill,
            enqueued_at=self.enqueued_at, answered_center=(self.agent_center or self.center) if self.answered else None,
            agent_id=self.agent_id, answered_at=answered_at, ended_at=ended_at, wrapup_ended_at=wrapped,
            abandoned_at=self.enqueued_at + dt.timedelta(seconds=self.waited_s) if self.abandoned else None,
            hold_seconds=self.hold_s, overflowed=self.overflow,
            transferred_to=self.transferred_to or ("?" if self.transferred else None),
        )  # fmt: skip
        return tally_call(record)


@dataclass
class Tally:
    """One queue's counters while they change (``QueueFigures`` is their snapshot)."""

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


@dataclass
class AgentTally:
    center: str
    handled: int = 0
    talk_s: float = 0.0
    hold_s: float = 0.0


@dataclass
class Day:
    """The counters of one Seoul day, per queue and per agent."""

    date: dt.date
    queues: dict[tuple[str, str], Tally] = field(default_factory=dict)
    agents: dict[int, AgentTally] = field(default_factory=dict)
    calls: dict[tuple[str, str], CallTally] = field(default_factory=dict)  # per queue, crm.calls.tally's rule
    agent_calls: dict[int, CallTally] = field(default_factory=dict)  # per answering agent
    agent_states: dict[int, StateTally] = field(default_factory=dict)  # closed state time per agent today

    def queue(self, center: str, skill: str) -> Tally:
        return self.queues.setdefault((center, skill), Tally())

    def count(self, call: CallSummary) -> None:
        """Add one finished call (of this day) to the counters."""
        if call.kind == CallKind.CONSULT and not call.answered:
            return  # a consultation cancelled before anyone answered: no call of its own
        tally = call.tally()
        key = (call.center, call.skill)
        self.calls[key] = self.calls.get(key, CallTally()) + tally
        if call.agent_id is not None and call.answered:
            self.agent_calls[call.agent_id] = self.agent_calls.get(call.agent_id, CallTally()) + tally
        q = self.queue(call.center, call.skill)
        if call.kind == CallKind.CALLBACK:
            q.callbacks += 1 if call.answered else 0
        else:
            q.offered += 1
            if call.answered:
                q.answered += 1
            elif call.abandoned:
                q.abandoned += 1
                q.abandoned_wait_s += call.waited_s
        if call.transferred:
            q.transferred += 1
        if not call.answered:
            return
        q.talk_s += call.talk_s
        q.hold_s += call.hold_s
        if call.overflow and call.agent_center is not None:
            q.overflow_out += 1
            self.queue(call.agent_center, call.skill).overflow_in += 1
        if call.agent_id is not None:
            agent = self.agents.setdefault(call.agent_id, AgentTally(call.agent_center or call.center))
            agent.handled += 1
            agent.talk_s += call.talk_s
            agent.hold_s += call.hold_s

    def spent(self, agent_id: int, state: str, reason: str | None, seconds: float) -> None:
        """``seconds`` of this day an agent spent in ``state`` (logged-out is not counted)."""
        if seconds <= 0 or state == "logged-out":
            return
        pause = {reason or "none": seconds} if state == "not-ready" else None
        before = self.agent_states.get(agent_id, StateTally())
        self.agent_states[agent_id] = before + StateTally.of({state: seconds}, pause)
