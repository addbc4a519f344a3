"""Agent transitions that need more than a state change: wrap-up ending, leaving wrap-up, withdrawing an offer.

Wrap-up ends in one of three ways: its timer runs out (back to ready, when the queue's ``WrapUp`` says
so), the agent presses done, or the agent goes not-ready or logs out. Each way produces the call's
``CallRecord`` exactly once.
"""

from __future__ import annotations

import datetime as dt

from telephony.acd.events import CallFinished, Event
from telephony.acd.model import Agent, AgentState, Call, CallbackState
from telephony.acd.records import CallRecord
from telephony.acd.state import AcdState


def auto_ready(state: AcdState, agent: Agent) -> bool:
    """Whether the agent's wrap-up timer puts them back to ready by itself."""
    call = state.wrapping.get(agent.agent_id)
    return call is not None and state.queue(call.queue).wrapup.auto_ready


def finish_wrapup(
    state: AcdState, agent: Agent, end: dt.datetime, to: AgentState, reason: str | None = None
) -> list[Event]:
    """Close the agent's wrap-up at ``end``, move them to ``to`` and hand over the call's record."""
    call = state.wrapping.pop(agent.agent_id)
    record = CallRecord(
        call.call_id,
        call.queue,
        call.enqueued_at,
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        wrapup_ended_at=end,
        hold_seconds=call.hold_seconds,
        agent_id=agent.agent_id,
        outbound=call.outbound,
    )
    if not call.outbound:
        state.handle_times[call.queue].add(record.handle_seconds)
    return [state.move(agent, to, end, reason=reason), CallFinished(record)]


def expire_wrapups(state: AcdState, now: dt.datetime) -> list[Event]:
    """Agents whose wrap-up timer ran out by ``now`` become ready as of the moment it ran out."""
    events: list[Event] = []
    for agent in list(state.agents.values()):
        until = agent.wrapup_until
        if agent.state is AgentState.WRAP_UP and until is not None and until <= now and auto_ready(state, agent):
            events += finish_wrapup(state, agent, until, AgentState.READY)
    return events


def leave(state: AcdState, agent: Agent, to: AgentState, now: dt.datetime, reason: str | None) -> list[Event]:
    """Move an agent who is not busy to ``to``, closing an open wrap-up first."""
    if agent.state is not AgentState.WRAP_UP:
        return [state.move(agent, to, now, reason=reason)]
    end = now
    if agent.wrapup_until is not None and auto_ready(state, agent):
        end = min(now, agent.wrapup_until)
    if to is AgentState.READY or end == now:
        return finish_wrapup(state, agent, end, to, reason)
    # The timer ran out before this command: the agent was ready from then until now.
    return [*finish_wrapup(state, agent, end, AgentState.READY), state.move(agent, to, now, reason=reason)]


def withdraw(state: AcdState, call: Call, now: dt.datetime, reason: str) -> list[Event]:
    """Take an offered call back from its agent, who goes not ready with ``reason``."""
    agent = state.agent(call.agent_id or "")
    call.agent_id = None
    call.offered_at = None
    call.for_agent = None  # the named agent did not take it: it waits in its queue like any other
    if call.callback_id is not None:
        del state.calls[call.call_id]
        cb = state.callbacks[call.callback_id]
        cb.state, cb.call_id = CallbackState.PENDING, None
        cb.attempts -= 1  # never dialled for the citizen: no attempt used
    return [state.move(agent, AgentState.NOT_READY, now, reason=reason)]
