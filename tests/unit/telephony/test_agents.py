"""Agent states: login, ready, not ready with reasons, ringing, on call, wrap-up timer, logout."""

from __future__ import annotations

import datetime as dt

import pytest

from telephony.acd import (
    AgentAlreadyLoggedIn,
    AgentBusy,
    AgentLoggedOut,
    AgentState,
    AgentStateChanged,
    CallFinished,
    CallOffered,
    QueueConfig,
    WrapUp,
)
from tests.unit.telephony.world import TAX, at, make_acd, only, ready


def states(events: object) -> list[tuple[str, AgentState]]:
    return [(e.agent_id, e.state) for e in only(events, AgentStateChanged)]  # type: ignore[arg-type]


def test_login_is_not_ready_with_reason_login_then_ready() -> None:
    acd = make_acd()
    events = acd.agent_login("kim", "NTS126", {"tax": 1}, at(0))
    assert events == [AgentStateChanged("kim", AgentState.LOGGED_OUT, AgentState.NOT_READY, "login")]
    assert states(acd.agent_ready("kim", at(1))) == [("kim", AgentState.READY)]
    assert acd.agent("kim").idle_since == at(1)
    assert acd.agent_ready("kim", at(2)) == []  # already ready: nothing happens, idle time kept
    assert acd.agent("kim").idle_since == at(1)


def test_not_ready_reasons_are_kept_and_changes_of_reason_reported() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    assert only(acd.agent_not_ready("kim", "meal", at(1)), AgentStateChanged)[0].reason == "meal"
    assert acd.agent("kim").reason == "meal"
    assert acd.agent_not_ready("kim", "meal", at(2)) == []
    changed = only(acd.agent_not_ready("kim", "training", at(3)), AgentStateChanged)
    assert [(c.previous, c.state, c.reason) for c in changed] == [
        (AgentState.NOT_READY, AgentState.NOT_READY, "training")
    ]


def test_a_not_ready_agent_gets_no_call() -> None:
    acd = make_acd()
    acd.agent_login("kim", "NTS126", {"tax": 1}, at(0))
    assert only(acd.call_arrived("c1", TAX, at(1)), CallOffered) == []
    assert only(acd.agent_ready("kim", at(2)), CallOffered) == [CallOffered("c1", "kim", TAX)]


def test_full_call_cycle_with_wrapup_timer_expiring_on_tick() -> None:
    acd = make_acd([QueueConfig(TAX, wrapup=WrapUp(seconds=30))])
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(10))
    assert acd.agent("kim").state is AgentState.RINGING
    acd.call_answered("c1", "kim", at(12))
    assert acd.agent("kim").state is AgentState.ON_CALL
    events = acd.call_ended("c1", at(112), hold_seconds=20)
    assert events == [
        AgentStateChanged("kim", AgentState.ON_CALL, AgentState.WRAP_UP, wrapup_until=at(142)),
    ]
    assert acd.tick(at(141.9)) == []
    assert acd.next_wakeup(at(141.9)) == at(142)
    events = acd.tick(at(150))
    assert states(events) == [("kim", AgentState.READY)]
    (finished,) = only(events, CallFinished)
    record = finished.record
    # waited 2 s, talked 100 − 20 = 80 s, held 20 s, wrapped up 30 s (to the timer, not to the late tick)
    assert (record.wait_seconds, record.talk_seconds, record.hold_seconds, record.wrapup_seconds) == (2, 80, 20, 30)
    assert record.handle_seconds == 130
    assert acd.agent("kim").idle_since == at(142)  # idle from when the timer ran out


def test_wrapup_done_ends_wrapup_early_and_a_late_press_is_harmless() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(0))
    acd.call_answered("c1", "kim", at(1))
    acd.call_ended("c1", at(61))
    events = acd.wrapup_done("kim", at(70))
    assert states(events) == [("kim", AgentState.READY)]
    assert only(events, CallFinished)[0].record.wrapup_seconds == 9
    assert acd.wrapup_done("kim", at(71)) == []


def test_wrapup_without_auto_ready_waits_for_the_agent() -> None:
    acd = make_acd([QueueConfig(TAX, wrapup=WrapUp(seconds=10, auto_ready=False))])
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(0))
    acd.call_answered("c1", "kim", at(1))
    acd.call_ended("c1", at(5))
    assert acd.tick(at(600)) == []
    assert acd.agent("kim").state is AgentState.WRAP_UP
    assert acd.next_wakeup(at(600)) is None
    assert only(acd.agent_ready("kim", at(700)), CallFinished)[0].record.wrapup_seconds == 695


def test_no_wrapup_configured_goes_straight_to_ready() -> None:
    acd = make_acd([QueueConfig(TAX, wrapup=WrapUp(seconds=0))])
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(0))
    acd.call_answered("c1", "kim", at(1))
    acd.call_arrived("c2", TAX, at(2))
    events = acd.call_ended("c1", at(5))
    assert states(events) == [("kim", AgentState.READY), ("kim", AgentState.RINGING)]
    assert only(events, CallOffered) == [CallOffered("c2", "kim", TAX)]


def test_not_ready_during_wrapup_closes_it_without_passing_through_ready() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(0))
    acd.call_answered("c1", "kim", at(1))
    acd.call_ended("c1", at(5))
    events = acd.agent_not_ready("kim", "break", at(10))
    assert states(events) == [("kim", AgentState.NOT_READY)]
    assert only(events, CallFinished)[0].record.wrapup_seconds == 5


def test_not_ready_after_the_wrapup_timer_ran_out_unnoticed() -> None:
    acd = make_acd()  # 30 s wrap-up
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(0))
    acd.call_answered("c1", "kim", at(1))
    acd.call_ended("c1", at(5))
    events = acd.agent_not_ready("kim", "break", at(100))  # no tick since: the timer ran out at 35 s
    assert states(events) == [("kim", AgentState.READY), ("kim", AgentState.NOT_READY)]
    assert only(events, CallFinished)[0].record.wrapup_seconds == 30


def test_not_ready_while_ringing_puts_the_call_back_in_queue() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(1))
    events = acd.agent_not_ready("kim", "away", at(3))
    assert states(events) == [("kim", AgentState.NOT_READY)]
    assert [p.call_id for p in acd.positions(TAX)] == ["c1"]
    ready(acd, "lee", "NTS126", {"tax": 1}, at(4))
    assert acd.call("c1").agent_id == "lee"


def test_declined_call_goes_to_the_next_agent_and_decliner_is_not_ready() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    ready(acd, "lee", "NTS126", {"tax": 1}, at(1))
    acd.call_arrived("c1", TAX, at(2))
    events = acd.call_declined("c1", "kim", at(14))
    assert only(events, CallOffered) == [CallOffered("c1", "lee", TAX)]
    assert (acd.agent("kim").state, acd.agent("kim").reason) == (AgentState.NOT_READY, "no-answer")


def test_busy_agents_cannot_change_state_and_logged_out_agents_cannot_be_ready() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(0))
    with pytest.raises(AgentBusy) as ringing:
        acd.agent_logout("kim", at(1))
    assert ringing.value.code == "agent-busy"
    acd.call_answered("c1", "kim", at(1))
    with pytest.raises(AgentBusy):
        acd.agent_logout("kim", at(2))
    with pytest.raises(AgentBusy):
        acd.agent_ready("kim", at(2))
    assert acd.wrapup_done("kim", at(2)) == []  # not in wrap-up: nothing to end
    with pytest.raises(AgentBusy):
        acd.agent_not_ready("kim", "break", at(2))
    with pytest.raises(AgentAlreadyLoggedIn) as twice:
        acd.agent_login("kim", "NTS126", {"tax": 1}, at(2))
    assert twice.value.code == "agent-logged-in"
    acd.agent_login("lee", "NTS126", {"tax": 1}, at(0))
    acd.agent_logout("lee", at(1))
    assert acd.agent_logout("lee", at(2)) == []
    with pytest.raises(AgentLoggedOut) as out:
        acd.agent_ready("lee", at(3))
    assert out.value.code == "agent-logged-out"


def test_logout_from_wrapup_hands_over_the_record() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(0))
    acd.call_answered("c1", "kim", at(1))
    acd.call_ended("c1", at(5))
    events = acd.agent_logout("kim", at(7))
    assert states(events) == [("kim", AgentState.LOGGED_OUT)]
    assert len(only(events, CallFinished)) == 1
    acd.agent_login("kim", "NTS126", {"tax": 2}, at(8))  # logs in again with new skills
    assert acd.agent("kim").skills == {"tax": 2}


def test_skill_levels_start_at_one() -> None:
    from kernel.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        make_acd().agent_login("kim", "NTS126", {"tax": 0}, at(0))


def test_naive_time_is_refused() -> None:
    from telephony.acd import NaiveTime

    with pytest.raises(NaiveTime):
        make_acd().tick(dt.datetime(2026, 3, 10, 1, 0))
