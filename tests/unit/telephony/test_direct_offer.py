"""Calls for one named agent (a transfer to them): offered to that agent only, refused when they are not
ready, and back to the queue like any other call when they do not take it."""

from __future__ import annotations

import pytest

from telephony.acd import AgentNotAvailable, AgentState, CallOffered, UnknownAgent
from tests.unit.telephony.world import SEOUL_GENERAL, TAX, at, make_acd, only, ready


def test_a_call_for_a_named_agent_skips_the_longest_idle_agent() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))  # idle longest: a plain call would go to kim
    ready(acd, "lee", "NTS126", {"tax": 1}, at(5))
    events = acd.call_arrived("c1", TAX, at(10), for_agent="lee")
    assert only(events, CallOffered) == [CallOffered("c1", "lee", TAX)]
    assert acd.agent("kim").state is AgentState.READY


def test_the_named_agent_needs_no_skill_of_the_queue() -> None:
    acd = make_acd()
    ready(acd, "park", "SEOUL120", {"transport": 1}, at(0))  # no "general" skill
    assert only(acd.call_arrived("c1", SEOUL_GENERAL, at(1), for_agent="park"), CallOffered) == [
        CallOffered("c1", "park", SEOUL_GENERAL)
    ]


@pytest.mark.parametrize("state", ["not-ready", "on-call", "logged-out"])
def test_a_named_agent_who_is_not_ready_is_refused_and_nothing_changes(state: str) -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    ready(acd, "lee", "NTS126", {"tax": 1}, at(0))
    if state == "not-ready":
        acd.agent_not_ready("lee", "meal", at(1))
    elif state == "on-call":
        acd.call_arrived("c0", TAX, at(1), for_agent="lee")
        acd.call_answered("c0", "lee", at(2))
    else:
        acd.agent_logout("lee", at(1))
    with pytest.raises(AgentNotAvailable):
        acd.call_arrived("c1", TAX, at(3), for_agent="lee")
    assert acd.positions(TAX) == ()
    assert acd.agent("kim").state is AgentState.READY, "no one else got the call"
    with pytest.raises(UnknownAgent):
        acd.call_arrived("c2", TAX, at(3), for_agent="nobody")


def test_a_declined_call_for_a_named_agent_goes_to_its_queue() -> None:
    acd = make_acd()
    ready(acd, "lee", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(1), for_agent="lee")
    acd.agent_login("kim", "NTS126", {"tax": 1}, at(2))  # not ready yet
    events = acd.call_declined("c1", "lee", at(11))
    assert only(events, CallOffered) == [] and acd.agent("lee").state is AgentState.NOT_READY
    assert [p.call_id for p in acd.positions(TAX)] == ["c1"]
    assert only(acd.agent_ready("kim", at(12)), CallOffered) == [CallOffered("c1", "kim", TAX)]


def test_after_a_named_call_the_agent_takes_the_queues_calls_again() -> None:
    acd = make_acd()
    ready(acd, "lee", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(1), for_agent="lee")
    acd.call_answered("c1", "lee", at(2))
    acd.call_arrived("c2", TAX, at(3))  # waits: lee is busy
    acd.call_ended("c1", at(10))
    acd.wrapup_done("lee", at(11))
    assert acd.agent("lee").call_id == "c2"
