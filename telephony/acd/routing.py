"""Who gets what: the queue strategies, and matching waiting calls and due callbacks to ready agents.

A call is tried in its own queue first, then in the overflow queues it became eligible in, in that
order; within a queue the queue's strategy ranks the ready agents. Calls are served in priority order,
then by time waited (original enqueue time, also in partners' queues: an overflowed call has waited
longest). A continuing case's call held for its last agent is skipped by everyone else; a call for a
named agent (a transfer to them) is offered to that agent only, whatever the queue's skills.
Callers on the line go before scheduled callbacks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from telephony.acd.events import AgentStateChanged, CallOffered, Event, PlaceCallback
from telephony.acd.model import Agent, AgentState, Call, Callback, CallbackState, QueueKey, Strategy
from telephony.acd.state import AcdState, call_order

_FAR_PAST = dt.datetime.min.replace(tzinfo=dt.UTC)


def longest_idle(agent: Agent, key: QueueKey) -> tuple[dt.datetime, str]:
    return (agent.idle_since or _FAR_PAST, agent.agent_id)


def skill_level(agent: Agent, key: QueueKey) -> tuple[int, dt.datetime, str]:
    return (-agent.skills.get(key.skill, 0), agent.idle_since or _FAR_PAST, agent.agent_id)


RANKING: dict[Strategy, Callable[[Agent, QueueKey], tuple[object, ...]]] = {
    Strategy.LONGEST_IDLE: longest_idle,
    Strategy.SKILL_LEVEL: skill_level,
}


def pick_agent(state: AcdState, key: QueueKey, only: str | None = None) -> Agent | None:
    """The ready agent the queue's strategy prefers (restricted to ``only`` when given)."""
    ready = [
        a
        for a in state.agents.values()
        if a.state is AgentState.READY and a.serves(key) and (only is None or a.agent_id == only)
    ]
    if not ready:
        return None
    rank = RANKING[state.queue(key).strategy]
    return min(ready, key=lambda a: rank(a, key))


def match(state: AcdState, now: dt.datetime) -> list[Event]:
    """Offer waiting calls, then place due callbacks, while ready agents remain."""
    events: list[Event] = []
    for call in sorted((c for c in state.calls.values() if c.waiting), key=call_order):
        if call.for_agent is not None:  # a transfer to a named agent: theirs alone, whatever their skills
            named = state.agents.get(call.for_agent)
            if named is not None and named.state is AgentState.READY:
                events.extend(_offer(state, call, named, call.queue, now))
            continue
        reserved = state.reserved_for(call, now)
        for key in call.eligible:
            agent = pick_agent(state, key, only=reserved)
            if agent is not None:
                events.extend(_offer(state, call, agent, key, now))
                break
    due = sorted(
        (cb for cb in state.callbacks.values() if cb.state is CallbackState.PENDING and cb.due_at <= now),
        key=lambda cb: (cb.due_at, cb.seq),
    )
    for callback in due:
        if not state.is_open(callback.queue.center, now):
            continue  # moved to the next opening by the callbacks rules
        agent = pick_agent(state, callback.queue)
        if agent is not None:
            events.extend(_place(state, callback, agent, now))
    return events


def _offer(state: AcdState, call: Call, agent: Agent, key: QueueKey, now: dt.datetime) -> list[Event]:
    call.agent_id = agent.agent_id
    call.offered_at = now
    agent.call_id = call.call_id
    changed: AgentStateChanged = state.move(agent, AgentState.RINGING, now)
    return [CallOffered(call.call_id, agent.agent_id, key), changed]


def _place(state: AcdState, callback: Callback, agent: Agent, now: dt.datetime) -> list[Event]:
    callback.attempts += 1
    call_id = f"callback:{callback.callback_id}:{callback.attempts}"
    callback.state = CallbackState.PLACING
    callback.call_id = call_id
    call = Call(
        call_id=call_id,
        queue=callback.queue,
        enqueued_at=now,
        seq=state.next_seq(),
        case_number=callback.case_number,
        eligible={callback.queue: now},
        callback_id=callback.callback_id,
    )
    state.calls[call_id] = call
    call.agent_id = agent.agent_id
    call.offered_at = now
    agent.call_id = call_id
    changed = state.move(agent, AgentState.RINGING, now)
    return [PlaceCallback(callback.callback_id, call_id, agent.agent_id, callback.queue, callback.attempts), changed]
