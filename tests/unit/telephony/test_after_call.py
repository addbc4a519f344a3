"""After-call work modes per center: timed, agent-ended and none, as the ACD carries them out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.centers import Center
from kernel.errors import ValidationFailed
from sori.config import TelephonyConfig
from sori.telephony_wiring import queue_configs
from telephony.acd import (
    Acd,
    AgentState,
    AgentStateChanged,
    CallFinished,
    Event,
    QueueConfig,
    WrapUp,
    mode_of,
    wrap_up_for,
)
from telephony.ivr.loader import load_flows, shipped_flows_dir
from tests.unit.telephony.world import TAX, at, make_acd, only, ready


def _talk(mode: str, seconds: float, ended_at: float = 100.0) -> tuple[Acd, list[Event]]:
    acd = make_acd([QueueConfig(TAX, wrapup=wrap_up_for(mode, seconds))])
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(1))
    acd.call_answered("c1", "kim", at(2))
    return acd, acd.call_ended("c1", at(ended_at))


def test_timed_wrap_up_ends_by_itself_after_its_seconds() -> None:
    acd, events = _talk("timed", 20)
    assert only(events, AgentStateChanged)[-1].state is AgentState.WRAP_UP
    assert acd.agent("kim").wrapup_until == at(120)
    assert acd.tick(at(119)) == []
    finished = only(acd.tick(at(125)), CallFinished)
    assert finished[0].record.wrapup_seconds == 20
    assert acd.agent("kim").state is AgentState.READY


def test_agent_ended_wrap_up_outlasts_its_timer_until_the_agent_ends_it() -> None:
    acd, _ = _talk("agent-ended", 20)
    assert acd.agent("kim").wrapup_until == at(120)  # the console shows it
    assert acd.tick(at(3600)) == []
    assert acd.agent("kim").state is AgentState.WRAP_UP
    assert acd.next_wakeup(at(3600)) is None
    events = acd.agent_ready("kim", at(4000))
    assert only(events, CallFinished)[0].record.wrapup_seconds == 3900


def test_agent_ended_with_no_seconds_still_waits_for_the_agent() -> None:
    acd, events = _talk("agent-ended", 0)
    assert only(events, AgentStateChanged)[-1].state is AgentState.WRAP_UP
    assert acd.agent("kim").wrapup_until is None
    assert acd.tick(at(3600)) == []
    assert acd.agent("kim").state is AgentState.WRAP_UP


def test_none_goes_straight_to_ready_with_no_wrap_up_state_and_a_record_with_zero_wrap_up() -> None:
    acd, events = _talk("none", 45)
    changes = only(events, AgentStateChanged)
    assert [c.state for c in changes] == [AgentState.READY]
    assert all(c.state is not AgentState.WRAP_UP for c in changes)
    assert only(events, CallFinished)[0].record.wrapup_seconds == 0
    assert acd.agent("kim").wrapup_until is None


@pytest.mark.parametrize(("mode", "seconds"), [("later", 10), ("timed", -1), ("agent-ended", -0.5)])
def test_unknown_modes_and_negative_seconds_are_refused(mode: str, seconds: float) -> None:
    with pytest.raises(ValidationFailed):
        wrap_up_for(mode, seconds)


@given(st.sampled_from(["timed", "agent-ended", "none"]), st.floats(min_value=0, max_value=900))
def test_the_mode_survives_the_round_trip_through_wrap_up(mode: str, seconds: float) -> None:
    wrapup = wrap_up_for(mode, seconds)
    expected = "none" if mode == "timed" and seconds == 0 else mode
    assert mode_of(wrapup) == expected
    assert wrapup.seconds >= 0


@given(st.floats(min_value=0, max_value=900), st.floats(min_value=0.001, max_value=3600))
def test_zero_or_more_seconds_never_leave_an_auto_ready_agent_in_wrap_up_past_the_timer(
    seconds: float, later: float
) -> None:
    acd = make_acd([QueueConfig(TAX, wrapup=WrapUp(seconds))])
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(1))
    acd.call_answered("c1", "kim", at(2))
    events = acd.call_ended("c1", at(10))
    events += acd.tick(at(10 + seconds + later))
    assert acd.agent("kim").state is AgentState.READY
    (finished,) = only(events, CallFinished)
    assert finished.record.wrapup_seconds == pytest.approx(seconds, abs=1e-6)  # datetimes keep microseconds


def test_each_center_gets_its_rule_and_the_others_the_global_default() -> None:
    listed = (Center("NTS126", "국세상담센터", "국세청", "126"), Center("ACRC110", "민원콜", "권익위", "110"))
    centers = {c.code: c for c in listed}
    flows = load_flows(shipped_flows_dir())
    config = TelephonyConfig(wrapup_s=25, after_call={"NTS126": {"mode": "agent-ended"}})
    wrapups = {q.key.center: q.wrapup for q in queue_configs(flows, centers, config)}
    assert wrapups == {"NTS126": WrapUp(25, auto_ready=False), "ACRC110": WrapUp(25)}
    unknown = TelephonyConfig(after_call={"NOPE1": {"mode": "none"}})
    with pytest.raises(ValueError, match="NOPE1"):
        queue_configs(flows, centers, unknown)
