"""Property: over any sequence of commands, no call rings at two agents and no agent holds two calls."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from kernel.errors import DomainError
from telephony.acd import Acd, AgentState, CallOffered, Event, PlaceCallback, QueueConfig
from tests.unit.telephony.world import GG_GENERAL, SEOUL_GENERAL, TAX, at, make_acd

QUEUES = (TAX, SEOUL_GENERAL, GG_GENERAL)
AGENTS = {
    "a0": ("NTS126", "tax"),
    "a1": ("NTS126", "tax"),
    "a2": ("SEOUL120", "general"),
    "a3": ("GYEONGGI120", "general"),
}
CALLS = [f"c{i}" for i in range(6)]

command = st.one_of(
    st.tuples(st.just("arrive"), st.sampled_from(CALLS), st.sampled_from(QUEUES), st.sampled_from([None, *AGENTS])),
    st.tuples(st.sampled_from(["abandon", "answer", "decline", "end"]), st.sampled_from(CALLS)),
    st.tuples(st.sampled_from(["login", "ready", "not_ready", "wrapup_done", "logout"]), st.sampled_from(list(AGENTS))),
    st.tuples(st.just("tick")),
    st.tuples(st.sampled_from(["schedule", "unanswered"]), st.sampled_from(["cb0", "cb1"])),
)


def apply(acd: Acd, step: tuple[object, ...], now: dt.datetime) -> list[Event]:
    name = step[0]
    if name == "arrive":
        call_id, queue, last = step[1], step[2], step[3]
        return acd.call_arrived(str(call_id), queue, now, last_agent_id=last)  # type: ignore[arg-type]
    if name in ("abandon", "answer", "decline", "end"):
        call_id = str(step[1])
        if name == "abandon":
            return acd.call_abandoned(call_id, now)
        if name == "end":
            return acd.call_ended(call_id, now)
        agent_id = acd.call(call_id).agent_id or "a0"
        return (
            acd.call_answered(call_id, agent_id, now) if name == "answer" else acd.call_declined(call_id, agent_id, now)
        )
    if name in ("login", "ready", "not_ready", "wrapup_done", "logout"):
        agent_id = str(step[1])
        if name == "login":
            center, skill = AGENTS[agent_id]
            return acd.agent_login(agent_id, center, {skill: 1}, now)
        if name == "not_ready":
            return acd.agent_not_ready(agent_id, "break", now)
        return {"ready": acd.agent_ready, "wrapup_done": acd.wrapup_done, "logout": acd.agent_logout}[name](
            agent_id, now
        )
    if name == "schedule":
        return acd.schedule_callback(str(step[1]), TAX, now, now)
    if name == "unanswered":
        return acd.callback_unanswered(str(step[1]), now)
    return acd.tick(now)


def check(acd: Acd, events: list[Event]) -> None:
    offers = [(e.call_id, e.agent_id) for e in events if isinstance(e, CallOffered | PlaceCallback)]
    assert max(Counter(c for c, _ in offers).values(), default=0) <= 1, offers
    assert max(Counter(a for _, a in offers).values(), default=0) <= 1, offers
    holding: dict[str, str] = {}
    for agent_id in AGENTS:
        try:
            agent = acd.agent(agent_id)
        except DomainError:
            continue
        if agent.state in (AgentState.RINGING, AgentState.ON_CALL):
            assert agent.call_id is not None
            assert agent.call_id not in holding, "one call held by two agents"
            holding[agent.call_id] = agent_id
            assert acd.call(agent.call_id).agent_id == agent_id
        if agent.state is AgentState.READY:
            assert agent.call_id is None and agent.idle_since is not None
    for call_id in CALLS:
        try:
            call = acd.call(call_id)
        except DomainError:
            continue
        if call.agent_id is not None:
            assert holding.get(call_id) == call.agent_id


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(command, st.integers(min_value=0, max_value=40)), max_size=60))
def test_no_call_offered_twice_and_no_agent_given_two_calls(steps: list[tuple[tuple[object, ...], int]]) -> None:
    acd = make_acd([QueueConfig(q, overflow_after=dt.timedelta(seconds=20)) for q in QUEUES])
    now = at(0)
    for step, advance in steps:
        now += dt.timedelta(seconds=advance)
        try:
            events = apply(acd, step, now)
        except DomainError:
            continue
        check(acd, events)
