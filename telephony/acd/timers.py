"""When the ACD next needs a ``tick``: the earliest timer that runs out after now."""

from __future__ import annotations

import datetime as dt

from telephony.acd.agents import auto_ready
from telephony.acd.model import AgentState, CallbackState
from telephony.acd.overflow import next_overflow
from telephony.acd.state import AcdState


def next_wakeup(state: AcdState, now: dt.datetime) -> dt.datetime | None:
    """Earliest of: wrap-up timers, continuity windows, overflow thresholds, callbacks due; None if none.

    A partner center that opens later is not a timer: a call waiting past its threshold for a closed
    partner is overflowed on the first tick after the partner opens (tick at least once a minute).
    """
    moments: list[dt.datetime] = []
    for agent in state.agents.values():
        if agent.state is AgentState.WRAP_UP and agent.wrapup_until is not None and auto_ready(state, agent):
            moments.append(agent.wrapup_until)
    for call in state.calls.values():
        if call.waiting and call.last_agent_id is not None:
            moments.append(call.enqueued_at + state.queue(call.queue).continuity_window)
        moment = next_overflow(state, call)
        if moment is not None:
            moments.append(moment)
    moments += [cb.due_at for cb in state.callbacks.values() if cb.state is CallbackState.PENDING]
    return min((m for m in moments if m > now), default=None)
