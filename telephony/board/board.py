"""The board itself: applies CTI events as they are published and answers a center's state from memory.

* Queues now: ``queue-changed`` events with ``waiting`` (the desk publishes one whenever a queue's waiting calls
  change) give how many wait and since when the oldest of them waits (``longest_wait_s`` at the event's time).
* Agents now: ``agent-state-changed`` gives the state, the reason code and since when.
* Today: each ``call-finished`` event is counted on the Seoul day its call came in (:mod:`.calls`); a call of an
  earlier day that finishes after midnight is left out, and the counters start again at midnight, Seoul time.

At start, ``restore`` rebuilds today from the stored records of the calls and state changes, so that a restart
of the control process shows the same counters. Agents who were logged in when it stopped are shown logged out
(reason ``restart``) from then: the restarted ACD starts with every agent logged out.

Events come from the reactor thread and readers from HTTP threads: one lock guards the state.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from crm.door.calls import AgentStateChange, FinishedCall
from crm.door.tally import CallTally, StateTally
from kernel.calendar import SEOUL
from telephony.board.calls import CallSummary, Day, Tally
from telephony.board.model import AgentFigures, CenterState, QueueFigures, QueueState
from telephony.cti.bus import CtiEvent, CtiKind

log = logging.getLogger("sori.board")


@dataclass
class _Queue:
    waiting: int = 0
    oldest_since: dt.datetime | None = None


@dataclass
class _Agent:
    center: str
    state: str
    reason: str | None
    since: dt.datetime


def _seoul_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SEOUL).date()


class Board:
    def __init__(self, clock: Callable[[], dt.datetime], queues: Iterable[tuple[str, str]] = ()) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._queues: dict[tuple[str, str], _Queue] = {key: _Queue() for key in queues}
        self._agents: dict[int, _Agent] = {}
        self._day = Day(_seoul_day(clock()))

    # -- keeping up ------------------------------------------------------------------------------------
    def apply(self, event: CtiEvent) -> None:
        """A CTI event (subscribe this to the bus); events the board does not read are ignored."""
        if event.center is None:
            return
        try:
            with self._lock:
                self._apply(event, event.center)
        except (KeyError, TypeError, ValueError):
            # The board runs inside the publisher's call (the desk's): a malformed event costs a figure, never a call.
            log.exception("board: event %s ignored", event.seq)

    def _apply(self, event: CtiEvent, center: str) -> None:
        if event.kind is CtiKind.QUEUE_CHANGED and "waiting" in event.data:
            self._queue_changed(event, center)
        elif event.kind is CtiKind.AGENT_STATE_CHANGED and event.agent_id is not None:
            state = str(event.data["state"])
            self._close_state(event.agent_id, event.at)
            self._agents[event.agent_id] = _Agent(center, state, event.data.get("reason"), event.at)
        elif event.kind is CtiKind.CALL_FINISHED:
            self._count(CallSummary.of_event(center, event.agent_id, event.data), event.at)

    def _queue_changed(self, event: CtiEvent, center: str) -> None:
        queue = self._queues.setdefault((center, str(event.data.get("skill"))), _Queue())
        queue.waiting = int(event.data["waiting"])
        longest = float(event.data.get("longest_wait_s") or 0)
        queue.oldest_since = event.at - dt.timedelta(seconds=longest) if queue.waiting else None

    def _count(self, call: CallSummary, now: dt.datetime) -> None:
        self._roll(max(_seoul_day(now), call.day))
        if call.day == self._day.date:
            self._queues.setdefault((call.center, call.skill), _Queue())
            self._day.count(call)

    def _roll(self, day: dt.date) -> None:
        if day > self._day.date:
            self._day = Day(day)

    def _close_state(self, agent_id: int, at: dt.datetime) -> None:
        """The time the agent spent in their state until ``at``, counted for today (from midnight at most)."""
        self._roll(_seoul_day(at))
        agent = self._agents.get(agent_id)
        if agent is not None:
            self._day.spent(agent_id, agent.state, agent.reason, _today_part(self._day.date, agent.since, at))

    def restore(self, calls: Iterable[FinishedCall], changes: Iterable[AgentStateChange]) -> None:
        """Today's counters and agents from the stored records (at start, before the desk takes calls)."""
        now = self.clock()
        with self._lock:
            self._day = Day(_seoul_day(now))
            for call in sorted(calls, key=lambda c: c.enqueued_at):
                self._count(CallSummary.of_record(call), now)
            last: dict[int, AgentStateChange] = {}
            for change in sorted(changes, key=lambda c: c.at):
                before = last.get(change.agent_id)
                if before is not None:
                    seconds = _today_part(self._day.date, before.at, change.at)
                    self._day.spent(change.agent_id, before.state, before.reason, seconds)
                last[change.agent_id] = change
            for agent_id, change in last.items():
                if change.state == "logged-out":
                    self._agents[agent_id] = _Agent(change.center, change.state, change.reason, change.at)
                else:
                    self._agents[agent_id] = _Agent(change.center, "logged-out", "restart", now)

    # -- answers --------------------------------------------------------------------------------------
    def center(self, code: str) -> CenterState:
        """The state of center ``code`` now (empty queues and agents for a center the board has not seen)."""
        now = self.clock()
        with self._lock:
            self._roll(_seoul_day(now))
            return self._center(code, now)

    def agent_state(self, agent_id: int) -> str | None:
        """One agent's state now (None: the board has not seen them), without building a center's figures."""
        with self._lock:
            agent = self._agents.get(agent_id)
            return agent.state if agent is not None else None

    def centers(self) -> list[CenterState]:
        now = self.clock()
        with self._lock:
            self._roll(_seoul_day(now))
            codes = {c for c, _ in self._queues} | {a.center for a in self._agents.values()}
            codes |= {c for c, _ in self._day.queues}
            return [self._center(code, now) for code in sorted(codes)]

    def _center(self, code: str, now: dt.datetime) -> CenterState:
        skills = sorted({s for c, s in self._queues if c == code} | {s for c, s in self._day.queues if c == code})
        queues = []
        for skill in skills:
            live = self._queues.get((code, skill), _Queue())
            longest = (now - live.oldest_since).total_seconds() if live.oldest_since is not None else 0.0
            today = _figures([self._day.queues.get((code, skill), Tally())])
            calls = _rounded(self._day.calls.get((code, skill), CallTally()))
            queues.append(QueueState(code, skill, live.waiting, max(0.0, longest), today, calls))
        agents = []
        for agent_id, agent in sorted(self._agents.items()):
            if agent.center != code:
                continue
            tally = self._day.agents.get(agent_id)
            states = self._day.agent_states.get(agent_id, StateTally())
            current = _today_part(self._day.date, agent.since, now)
            if current > 0 and agent.state != "logged-out":
                pause = {agent.reason or "none": current} if agent.state == "not-ready" else None
                states = states + StateTally.of({agent.state: current}, pause)
            agents.append(AgentFigures(
                agent_id, agent.center, agent.state, agent.reason, agent.since,
                max(0.0, (now - agent.since).total_seconds()), tally.handled if tally else 0,
                round(tally.talk_s, 3) if tally else 0.0, round(tally.hold_s, 3) if tally else 0.0,
                _rounded(self._day.agent_calls.get(agent_id, CallTally())), states,
            ))  # fmt: skip
        total = _figures([t for (c, _), t in self._day.queues.items() if c == code])
        return CenterState(code, now, self._day.date, tuple(queues), tuple(agents), total)


def _rounded(t: CallTally) -> CallTally:
    """Sums of seconds to the millisecond: the same calls counted in any order give the same figures."""
    return dataclasses.replace(t, answered_wait_s=round(t.answered_wait_s, 3),
                               abandoned_wait_s=round(t.abandoned_wait_s, 3), talk_s=round(t.talk_s, 3),
                               hold_s=round(t.hold_s, 3), wrapup_s=round(t.wrapup_s, 3))  # fmt: skip


def _today_part(day: dt.date, since: dt.datetime, until: dt.datetime) -> float:
    """Seconds of [since, until) that fall on Seoul day ``day``."""
    start = dt.datetime.combine(day, dt.time(), SEOUL)
    end = start + dt.timedelta(days=1)
    return max(0.0, (min(until, end) - max(since, start)).total_seconds())


def _figures(tallies: list[Tally]) -> QueueFigures:
    return QueueFigures(
        offered=sum(t.offered for t in tallies),
        answered=sum(t.answered for t in tallies),
        abandoned=sum(t.abandoned for t in tallies),
        abandoned_wait_s=round(sum(t.abandoned_wait_s for t in tallies), 3),
        transferred=sum(t.transferred for t in tallies),
        callbacks=sum(t.callbacks for t in tallies),
        overflow_in=sum(t.overflow_in for t in tallies),
        overflow_out=sum(t.overflow_out for t in tallies),
        talk_s=round(sum(t.talk_s for t in tallies), 3),
        hold_s=round(sum(t.hold_s for t in tallies), 3),
    )
