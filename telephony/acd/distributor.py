"""The ACD: commands in, events and decisions out.

``Acd`` knows every queue, agent, waiting call and scheduled callback of every center. It does no I/O
and reads no clock: each command takes ``now`` (an aware datetime) and returns what happened, in
order. After each command the ACD lets time catch up (wrap-up timers, overflow thresholds, callbacks
due while closed), offers waiting calls and places due callbacks, and reports queues whose
positions or expected waits changed. ``tick(now)`` does only that; call it at ``next_wakeup(now)``
or once a second.

Commands validate before they change anything, so a command that raises leaves the ACD as it was.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable, Mapping

from kernel.calendar import WorkCalendar
from kernel.centers import Center
from kernel.errors import ValidationFailed
from telephony.acd import agents, timers
from telephony.acd import callbacks as callback_rules
from telephony.acd.errors import (
    AgentAlreadyLoggedIn,
    AgentBusy,
    AgentLoggedOut,
    AgentNotAvailable,
    CallAlreadyAnswered,
    CallNotConnected,
    CallNotOffered,
    DuplicateCall,
    DuplicateCallback,
    NaiveTime,
    UnknownCenter,
)
from telephony.acd.events import (
    CallAbandoned,
    CallbackCompleted,
    CallbackScheduled,
    CallFinished,
    CallQueued,
    Closed,
    Event,
    OfferCancelled,
    QueueChanged,
    QueuePosition,
)
from telephony.acd.ewt import expected_wait
from telephony.acd.hours import CenterHours
from telephony.acd.model import AcdSettings, Agent, AgentState, Call, Callback, CallbackState, QueueConfig, QueueKey
from telephony.acd.overflow import overflow
from telephony.acd.records import CallRecord
from telephony.acd.routing import match
from telephony.acd.state import AbandonCounts, AcdState

_BUSY = (AgentState.RINGING, AgentState.ON_CALL)


class Acd:
    """Automatic call distributor for all centers. See the module docstring for the contract."""

    def __init__(
        self,
        centers: Iterable[Center],
        queues: Iterable[QueueConfig],
        calendar: WorkCalendar,
        settings: AcdSettings | None = None,
    ) -> None:
        by_code = {c.code: c for c in centers}
        configs = {q.key: q for q in queues}
        for key in configs:
            if key.center not in by_code:
                raise ValidationFailed(f"queue {key}: no center {key.center}")
        self._state = AcdState(
            queues=configs,
            hours={code: CenterHours(c.weekly_hours, calendar) for code, c in by_code.items()},
            partners={code: tuple(c.overflow_partners) for code, c in by_code.items()},
            settings=settings or AcdSettings(),
        )

    # --- calls ------------------------------------------------------------------------------------------

    def call_arrived(
        self,
        call_id: str,
        queue: QueueKey,
        now: dt.datetime,
        *,
        priority: int = 0,
        case_number: str | None = None,
        last_agent_id: str | None = None,
        for_agent: str | None = None,
    ) -> list[Event]:
        """A caller asks for ``queue``: refused with ``Closed``, offered at once, or ``CallQueued``.

        ``for_agent``: offered to that agent only (who must be ready: else ``AgentNotAvailable``); if they do
        not take it, the call waits in ``queue`` like any other.
        """
        s = self._state
        s.queue(queue)
        if call_id in s.calls or any(c.call_id == call_id for c in s.wrapping.values()):
            raise DuplicateCall(f"call {call_id} is already known", call_id=call_id)
        _aware(now)
        if for_agent is not None and s.agent(for_agent).state is not AgentState.READY:
            raise AgentNotAvailable(f"agent {for_agent} is not ready for a call", agent_id=for_agent)
        hours = s.hours[queue.center]
        if not hours.is_open(now):
            return [Closed(call_id, queue, hours.holiday(now), hours.next_opening(now))]

        def arrive() -> list[Event]:
            s.calls[call_id] = Call(
                call_id, queue, now, s.next_seq(), priority, case_number, last_agent_id, eligible={queue: now},
                for_agent=for_agent,
            )  # fmt: skip
            return []

        events = self._run(now, arrive)
        call = s.calls.get(call_id)
        if call is not None and call.waiting:
            mine = next(p for p in s.positions(queue) if p.call_id == call_id)
            events.append(CallQueued(call_id, queue, mine.position, mine.ewt_seconds))
        return events

    def call_abandoned(self, call_id: str, now: dt.datetime) -> list[Event]:
        """The caller hung up before an answer (while waiting or while an agent's phone rang)."""
        s = self._state
        call = s.call(call_id)
        if call.answered_at is not None:
            raise CallAlreadyAnswered(f"call {call_id} was answered; end it instead", call_id=call_id)
        if call.callback_id is not None:
            return self.callback_unanswered(call.callback_id, now)

        def abandon() -> list[Event]:
            events: list[Event] = []
            del s.calls[call_id]
            if call.agent_id is not None:
                agent = s.agent(call.agent_id)
                events += [
                    OfferCancelled(call_id, agent.agent_id),
                    s.move(agent, AgentState.READY, now, keep_idle=True),
                ]
            waited = (now - call.enqueued_at).total_seconds()
            short = now - call.enqueued_at < s.settings.short_abandon
            counts = s.abandons[call.queue]
            if short:
                counts.short += 1
                counts.short_wait_seconds += waited
            else:
                counts.long += 1
                counts.long_wait_seconds += waited
            record = CallRecord(call_id, call.queue, call.enqueued_at, abandoned_at=now)
            return [*events, CallAbandoned(call_id, call.queue, waited, short), CallFinished(record)]

        return self._run(now, abandon)

    def call_answered(self, call_id: str, agent_id: str, now: dt.datetime) -> list[Event]:
        """The agent picked up (for a callback: the citizen answered the agent's outbound call)."""
        s = self._state
        call = self._offered(call_id, agent_id)

        def answer() -> list[Event]:
            call.answered_at = now
            events: list[Event] = [s.move(s.agent(agent_id), AgentState.ON_CALL, now)]
            if call.callback_id is not None:
                del s.callbacks[call.callback_id]
                events.append(CallbackCompleted(call.callback_id, call_id))
            return events

        return self._run(now, answer)

    def call_declined(self, call_id: str, agent_id: str, now: dt.datetime, reason: str = "no-answer") -> list[Event]:
        """The agent did not take the offered call: it goes back to waiting, the agent to not-ready."""
        call = self._offered(call_id, agent_id)
        return self._run(now, lambda: agents.withdraw(self._state, call, now, reason))

    def call_ended(self, call_id: str, now: dt.datetime, *, hold_seconds: float = 0.0) -> list[Event]:
        """The conversation is over: the agent goes to wrap-up (or straight to ready with no wrap-up)."""
        s = self._state
        call = s.call(call_id)
        if call.answered_at is None or call.agent_id is None:
            raise CallNotConnected(f"call {call_id} was never answered", call_id=call_id)
        agent = s.agent(call.agent_id)

        def end() -> list[Event]:
            call.ended_at = now
            call.hold_seconds = hold_seconds
            del s.calls[call_id]
            s.wrapping[agent.agent_id] = call
            wrapup = s.queue(call.queue).wrapup
            if wrapup.seconds <= 0 and wrapup.auto_ready:  # no after-call work at all
                return agents.finish_wrapup(s, agent, now, AgentState.READY)
            # agent-ended wrap-up with no suggested time: in wrap-up until the agent ends it, no timer shown
            agent.wrapup_until = now + dt.timedelta(seconds=wrapup.seconds) if wrapup.seconds > 0 else None
            return [s.move(agent, AgentState.WRAP_UP, now)]

        return self._run(now, end)

    # --- agents -----------------------------------------------------------------------------------------

    def agent_login(self, agent_id: str, center: str, skills: Mapping[str, int], now: dt.datetime) -> list[Event]:
        """The agent logs in, not ready (reason ``"login"``), with skill levels (higher is better)."""
        s = self._state
        if center not in s.hours:
            raise UnknownCenter(f"no center {center}", center_code=center)
        known = s.agents.get(agent_id)
        if known is not None and known.state is not AgentState.LOGGED_OUT:
            raise AgentAlreadyLoggedIn(f"agent {agent_id} is logged in", agent_id=agent_id)
        if any(level < 1 for level in skills.values()):
            raise ValidationFailed(f"agent {agent_id}: skill levels start at 1")
        agent = Agent(agent_id, center, dict(skills), state=AgentState.LOGGED_OUT)
        s.agents[agent_id] = agent
        return self._run(now, lambda: [s.move(agent, AgentState.NOT_READY, now, reason="login")])

    def agent_logout(self, agent_id: str, now: dt.datetime) -> list[Event]:
        agent = self._state.agent(agent_id)
        if agent.state is AgentState.LOGGED_OUT:
            return []
        self._not_busy(agent)
        return self._run(now, lambda: agents.leave(self._state, agent, AgentState.LOGGED_OUT, now, None))

    def agent_ready(self, agent_id: str, now: dt.datetime) -> list[Event]:
        """Ready for calls (from not-ready or wrap-up); a no-op when already ready."""
        agent = self._logged_in(agent_id)
        if agent.state is AgentState.READY:
            return []
        self._not_busy(agent)
        return self._run(now, lambda: agents.leave(self._state, agent, AgentState.READY, now, None))

    def agent_skills(self, agent_id: str, skills: Mapping[str, int], now: dt.datetime) -> list[Event]:
        """A supervisor moved the agent between queues: new skill levels, which the next match already uses (a call
        ringing or connected stays theirs)."""
        if not skills or any(level < 1 for level in skills.values()):
            raise ValidationFailed(f"agent {agent_id}: at least one skill, levels start at 1")
        agent = self._state.agent(agent_id)
        agent.skills = dict(skills)
        return self._run(now, lambda: [])

    def agent_not_ready(self, agent_id: str, reason: str, now: dt.datetime) -> list[Event]:
        """Not ready with a reason code (break, meal, training, …); a ringing call goes back to the queue."""
        agent = self._logged_in(agent_id)
        if agent.state is AgentState.ON_CALL:
            raise AgentBusy(f"agent {agent_id} is on a call", agent_id=agent_id)
        if agent.state is AgentState.NOT_READY and agent.reason == reason:
            return []
        if agent.state is AgentState.RINGING:
            call = self._state.call(agent.call_id or "")
            return self._run(now, lambda: agents.withdraw(self._state, call, now, reason))
        return self._run(now, lambda: agents.leave(self._state, agent, AgentState.NOT_READY, now, reason))

    def wrapup_done(self, agent_id: str, now: dt.datetime) -> list[Event]:
        """The agent ends wrap-up early; a no-op if the timer already made them ready."""
        agent = self._logged_in(agent_id)
        if agent.state is not AgentState.WRAP_UP:
            return []
        return self._run(now, lambda: agents.leave(self._state, agent, AgentState.READY, now, None))

    # --- callbacks ----------------------------------------------------------------------------------------

    def schedule_callback(
        self,
        callback_id: str,
        queue: QueueKey,
        due_at: dt.datetime,
        now: dt.datetime,
        *,
        case_number: str | None = None,
    ) -> list[Event]:
        """Promise a call back from ``queue`` at ``due_at`` (moved to the next opening if closed then)."""
        s = self._state
        s.queue(queue)
        _aware(due_at)
        if callback_id in s.callbacks:
            raise DuplicateCallback(f"callback {callback_id} exists", callback_id=callback_id)

        def schedule() -> list[Event]:
            cb = Callback(callback_id, queue, due_at, s.next_seq(), case_number)
            s.callbacks[callback_id] = cb
            events = callback_rules.move_into_hours(s, cb, due_at, "closed")
            if cb.callback_id in s.callbacks:
                return [CallbackScheduled(callback_id, queue, cb.due_at)]
            return events

        return self._run(now, schedule)

    def callback_unanswered(self, callback_id: str, now: dt.datetime) -> list[Event]:
        """The citizen did not answer the callback being placed: retry later or fail."""
        s = self._state
        cb = callback_rules.callback(s, callback_id)
        if cb.state is not CallbackState.PLACING or cb.call_id is None:
            raise CallNotOffered(f"callback {callback_id} is not being placed", callback_id=callback_id)
        call = s.call(cb.call_id)

        def give_up() -> list[Event]:
            del s.calls[call.call_id]
            agent = s.agent(call.agent_id or "")
            events: list[Event] = [s.move(agent, AgentState.READY, now, keep_idle=True)]
            return events + callback_rules.unanswered(s, cb, now)

        return self._run(now, give_up)

    def cancel_callback(self, callback_id: str, now: dt.datetime) -> list[Event]:
        """Drop a pending callback (the citizen called in, or the case was resolved)."""
        s = self._state
        cb = callback_rules.callback(s, callback_id)
        if cb.state is CallbackState.PLACING:
            raise AgentBusy(f"callback {callback_id} is being placed", callback_id=callback_id)
        del s.callbacks[callback_id]
        return self._run(now, list)

    # --- time ---------------------------------------------------------------------------------------------

    def tick(self, now: dt.datetime) -> list[Event]:
        """Let time pass: wrap-up timers, continuity windows, overflow, callbacks due."""
        return self._run(now, list)

    def next_wakeup(self, now: dt.datetime) -> dt.datetime | None:
        """The next moment after ``now`` when a timer of the ACD runs out (tick then), if any."""
        return timers.next_wakeup(self._state, now)

    # --- queries ------------------------------------------------------------------------------------------

    def agent(self, agent_id: str) -> Agent:
        """A copy of the agent's current record."""
        return copy.deepcopy(self._state.agent(agent_id))

    def call(self, call_id: str) -> Call:
        """A copy of a call still waiting, ringing or connected."""
        return copy.deepcopy(self._state.call(call_id))

    def positions(self, queue: QueueKey) -> tuple[QueuePosition, ...]:
        """Waiting calls of ``queue`` in service order, with expected waits."""
        self._state.queue(queue)
        return self._state.positions(queue)

    def forecast(self, queue: QueueKey) -> tuple[int, int | None]:
        """For a caller about to join ``queue``: callers ahead and the expected wait in seconds (None: no agent)."""
        s = self._state
        s.queue(queue)
        ahead = len(s.waiting_in(queue))
        ready = any(a.state is AgentState.READY and a.serves(queue) for a in s.agents.values())
        if ahead == 0 and ready:
            return 0, 0
        return ahead, expected_wait(ahead + 1, s.handle_times[queue].average, s.staffed(queue), 0)

    def queue_exists(self, queue: QueueKey) -> None:
        """Raises ``UnknownQueue`` when ``queue`` is not configured."""
        self._state.queue(queue)

    def agents(self) -> list[Agent]:
        """Copies of every agent that ever logged in, logged-out ones included."""
        return [copy.deepcopy(a) for a in self._state.agents.values()]

    def queues(self) -> list[QueueConfig]:
        return list(self._state.queues.values())

    def abandons(self, queue: QueueKey) -> AbandonCounts:
        self._state.queue(queue)
        return copy.copy(self._state.abandons[queue])

    def is_open(self, center: str, now: dt.datetime) -> bool:
        return self._state.is_open(center, now)

    # --- internals ----------------------------------------------------------------------------------------

    def _run(self, now: dt.datetime, action: Callable[[], list[Event]]) -> list[Event]:
        _aware(now)
        s = self._state
        before = s.all_positions()
        events = action()
        events += agents.expire_wrapups(s, now)
        events += overflow(s, now)
        events += callback_rules.defer_closed(s, now)
        events += match(s, now)
        after = s.all_positions()
        events += [QueueChanged(key, after[key]) for key in s.queues if after[key] != before[key]]
        return events

    def _offered(self, call_id: str, agent_id: str) -> Call:
        call = self._state.call(call_id)
        self._state.agent(agent_id)
        if call.agent_id != agent_id or call.answered_at is not None:
            raise CallNotOffered(f"call {call_id} is not ringing at {agent_id}", call_id=call_id, agent_id=agent_id)
        return call

    def _logged_in(self, agent_id: str) -> Agent:
        agent = self._state.agent(agent_id)
        if agent.state is AgentState.LOGGED_OUT:
            raise AgentLoggedOut(f"agent {agent_id} is logged out", agent_id=agent_id)
        return agent

    @staticmethod
    def _not_busy(agent: Agent) -> None:
        if agent.state in _BUSY:
            raise AgentBusy(f"agent {agent.agent_id} is {agent.state.value}", agent_id=agent.agent_id)


def _aware(moment: dt.datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveTime("the ACD takes aware datetimes only")
