"""Who gets the call: longest idle, skills with levels, priority, and the continuing case's agent."""

from __future__ import annotations

import datetime as dt

from telephony.acd import Acd, CallOffered, Event, QueueConfig, Strategy
from tests.unit.telephony.world import SEOUL_GENERAL, TAX, at, make_acd, only, ready


def test_longest_idle_agent_gets_the_call() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 9}, at(5))
    ready(acd, "lee", "NTS126", {"tax": 1}, at(1))  # idle longest
    ready(acd, "park", "NTS126", {"tax": 5}, at(3))
    assert only(acd.call_arrived("c1", TAX, at(10)), CallOffered) == [CallOffered("c1", "lee", TAX)]
    assert only(acd.call_arrived("c2", TAX, at(11)), CallOffered) == [CallOffered("c2", "park", TAX)]


def test_skill_level_strategy_prefers_the_expert_then_the_longest_idle() -> None:
    acd = make_acd([QueueConfig(TAX, strategy=Strategy.SKILL_LEVEL)])
    ready(acd, "kim", "NTS126", {"tax": 9}, at(5))
    ready(acd, "lee", "NTS126", {"tax": 1}, at(1))
    ready(acd, "park", "NTS126", {"tax": 9}, at(3))
    offers = [only(acd.call_arrived(f"c{i}", TAX, at(10 + i)), CallOffered)[0].agent_id for i in range(3)]
    # park and kim share level 9: park has been idle longer; lee, level 1, comes last
    assert offers == ["park", "kim", "lee"]


def test_strategy_is_chosen_per_queue() -> None:
    acd = make_acd([QueueConfig(TAX, strategy=Strategy.SKILL_LEVEL), QueueConfig(SEOUL_GENERAL)])
    ready(acd, "kim", "NTS126", {"tax": 1}, at(1))
    ready(acd, "lee", "NTS126", {"tax": 7}, at(2))
    ready(acd, "seoul1", "SEOUL120", {"general": 1}, at(1))
    ready(acd, "seoul2", "SEOUL120", {"general": 7}, at(2))
    assert only(acd.call_arrived("t", TAX, at(5)), CallOffered)[0].agent_id == "lee"
    assert only(acd.call_arrived("s", SEOUL_GENERAL, at(5)), CallOffered)[0].agent_id == "seoul1"


def test_only_agents_with_the_skill_at_that_center_are_offered() -> None:
    acd = make_acd()
    ready(acd, "seoul", "SEOUL120", {"tax": 9}, at(0))  # right skill, wrong center
    ready(acd, "nts", "NTS126", {"customs": 9}, at(0))  # right center, wrong skill
    assert only(acd.call_arrived("c1", TAX, at(1)), CallOffered) == []


def test_higher_priority_is_served_first_then_the_oldest() -> None:
    acd = make_acd()
    acd.call_arrived("old", TAX, at(0))
    acd.call_arrived("urgent", TAX, at(5), priority=5)
    acd.call_arrived("young", TAX, at(6))
    assert [p.call_id for p in acd.positions(TAX)] == ["urgent", "old", "young"]
    ready(acd, "kim", "NTS126", {"tax": 1}, at(7))
    assert acd.call("urgent").agent_id == "kim"


def continuing(window_s: float = 30) -> tuple[Acd, list[Event]]:
    """kim handled the case before and is busy; lee is ready. A continuing call arrives at 0 s."""
    acd = make_acd([QueueConfig(TAX, continuity_window=dt.timedelta(seconds=window_s))])
    ready(acd, "kim", "NTS126", {"tax": 1}, at(-100))
    acd.call_arrived("busy", TAX, at(-50))
    acd.call_answered("busy", "kim", at(-49))
    ready(acd, "lee", "NTS126", {"tax": 1}, at(-90))
    acd.call_arrived("lee-call", TAX, at(-40))  # keeps lee busy too, for now
    acd.call_answered("lee-call", "lee", at(-39))
    events = acd.call_arrived("cont", TAX, at(0), case_number="2026-NTS126-7", last_agent_id="kim")
    return acd, events


def test_continuing_call_waits_for_its_agent_who_frees_at_n_minus_1() -> None:
    acd, _ = continuing()
    acd.call_ended("lee-call", at(1))
    acd.wrapup_done("lee", at(2))
    assert acd.call("cont").agent_id is None  # held for kim, lee skips it
    acd.call_ended("busy", at(20))
    events = acd.wrapup_done("kim", at(29))
    assert only(events, CallOffered) == [CallOffered("cont", "kim", TAX)]


def test_continuing_call_goes_to_anyone_once_the_window_has_passed() -> None:
    acd, _ = continuing()
    acd.call_ended("lee-call", at(1))
    acd.wrapup_done("lee", at(2))
    assert acd.next_wakeup(at(2)) == at(30)
    assert only(acd.tick(at(29.9)), CallOffered) == []
    assert only(acd.tick(at(30)), CallOffered) == [CallOffered("cont", "lee", TAX)]


def test_agent_ready_at_n_plus_1_loses_to_the_longer_idle_colleague() -> None:
    acd, _ = continuing()
    acd.call_ended("lee-call", at(1))
    acd.wrapup_done("lee", at(2))
    acd.call_ended("busy", at(20))
    events = acd.wrapup_done("kim", at(31))  # no tick in between: the window is over all the same
    assert only(events, CallOffered) == [CallOffered("cont", "lee", TAX)]


def test_continuing_call_goes_straight_to_its_ready_agent() -> None:
    acd = make_acd()
    ready(acd, "lee", "NTS126", {"tax": 1}, at(0))  # idle longest
    ready(acd, "kim", "NTS126", {"tax": 1}, at(5))
    events = acd.call_arrived("cont", TAX, at(10), case_number="2026-NTS126-7", last_agent_id="kim")
    assert only(events, CallOffered) == [CallOffered("cont", "kim", TAX)]


def test_no_hold_when_the_last_agent_is_logged_out_or_unknown() -> None:
    acd = make_acd()
    ready(acd, "lee", "NTS126", {"tax": 1}, at(0))
    acd.agent_login("kim", "NTS126", {"tax": 1}, at(0))
    acd.agent_logout("kim", at(1))
    assert only(acd.call_arrived("a", TAX, at(2), last_agent_id="kim"), CallOffered)[0].agent_id == "lee"
    ready(acd, "park", "NTS126", {"tax": 1}, at(3))
    assert only(acd.call_arrived("b", TAX, at(4), last_agent_id="ghost"), CallOffered)[0].agent_id == "park"


def test_held_call_does_not_block_the_calls_behind_it() -> None:
    acd = make_acd()
    acd.agent_login("kim", "NTS126", {"tax": 1}, at(0))  # not ready: the case's agent
    acd.call_arrived("cont", TAX, at(1), last_agent_id="kim")
    acd.call_arrived("next", TAX, at(2))
    events = ready(acd, "lee", "NTS126", {"tax": 1}, at(3))
    assert only(events, CallOffered) == [CallOffered("next", "lee", TAX)]
