"""Queue position and expected wait as calls come and go; abandons counted either side of 5 s."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from telephony.acd import (
    Acd,
    AgentState,
    CallAbandoned,
    CallAlreadyAnswered,
    CallFinished,
    CallNotConnected,
    CallNotOffered,
    CallQueued,
    DuplicateCall,
    DuplicateCallback,
    OfferCancelled,
    QueueChanged,
    QueueConfig,
    QueuePosition,
    UnknownAgent,
    UnknownCall,
    UnknownQueue,
)
from telephony.acd.ewt import HandleTimes, expected_wait
from telephony.acd.model import QueueKey
from tests.unit.telephony.world import TAX, at, make_acd, only, ready


def busy_pair() -> Acd:
    """Two tax agents staffed and both on calls, so callers queue."""
    acd = make_acd([QueueConfig(TAX, default_handle_seconds=180)])
    for n, agent in enumerate(("kim", "lee")):
        ready(acd, agent, "NTS126", {"tax": 1}, at(n))
        acd.call_arrived(f"busy-{agent}", TAX, at(5))
        acd.call_answered(f"busy-{agent}", agent, at(6))
    return acd


def test_position_and_ewt_announced_on_arrival() -> None:
    acd = busy_pair()
    # EWT = position × AHT ÷ staffed = p × 180 ÷ 2
    queued = [only(acd.call_arrived(f"c{i}", TAX, at(10 + i)), CallQueued)[0] for i in (1, 2, 3)]
    assert queued == [
        CallQueued("c1", TAX, 1, 90),
        CallQueued("c2", TAX, 2, 180),
        CallQueued("c3", TAX, 3, 270),
    ]


def test_positions_move_up_as_calls_leave() -> None:
    acd = busy_pair()
    for i in (1, 2, 3):
        acd.call_arrived(f"c{i}", TAX, at(10 + i))
    events = acd.call_abandoned("c1", at(30))
    assert only(events, QueueChanged) == [
        QueueChanged(TAX, (QueuePosition("c2", 1, 90), QueuePosition("c3", 2, 180))),
    ]
    acd.call_ended("busy-kim", at(40))
    events = acd.wrapup_done("kim", at(50))
    # kim's call handled in 34 s talk + 10 s wrap-up = 44 s is now the AHT: 1 × 44 ÷ 2 = 22
    assert only(events, QueueChanged) == [QueueChanged(TAX, (QueuePosition("c3", 1, 22),))]


def test_ewt_follows_staffing_and_handle_times() -> None:
    acd = busy_pair()
    acd.call_arrived("c1", TAX, at(10))
    events = acd.agent_login("park", "NTS126", {"tax": 1}, at(11))
    assert only(events, QueueChanged) == []  # not ready: not staffed, nothing changes
    events = acd.agent_ready("park", at(12))
    assert acd.call("c1").agent_id == "park"
    # handle times feed the average: one call of 60 s talk + 30 s wrap-up = 90 s
    acd.call_ended("busy-kim", at(66))
    acd.tick(at(96))
    acd.agent_not_ready("kim", "break", at(97))
    acd.call_arrived("c2", TAX, at(98))
    # staffed: lee (on call), park (ringing/on call); AHT = 90 -> 1 × 90 ÷ 2 = 45
    assert acd.positions(TAX) == (QueuePosition("c2", 1, 45),)


def test_ewt_rules() -> None:
    assert expected_wait(1, 180, 0, 10) is None  # nobody staffed: no promise
    assert expected_wait(1, 180, 20, 10) == 10  # 9 s rounds up to the floor
    assert expected_wait(3, 100, 7, 0) == 43  # 300 ÷ 7 = 42.86 -> 43
    times = HandleTimes(default_seconds=180, window=2)
    assert times.average == 180
    for seconds in (100, 200, 400):
        times.add(seconds)
    assert times.average == 300  # only the last two: (200 + 400) ÷ 2


@pytest.mark.parametrize(("waited", "short"), [(4.9, True), (5.0, False), (5.1, False)])
def test_abandons_are_counted_either_side_of_five_seconds(waited: float, short: bool) -> None:
    acd = make_acd()
    acd.call_arrived("c1", TAX, at(0))
    events = acd.call_abandoned("c1", at(waited))
    assert only(events, CallAbandoned) == [CallAbandoned("c1", TAX, waited, short)]
    record = only(events, CallFinished)[0].record
    assert record.abandoned and record.wait_seconds == pytest.approx(waited)
    counts = acd.abandons(TAX)
    assert (counts.short, counts.long) == ((1, 0) if short else (0, 1))
    assert (counts.short_wait_seconds if short else counts.long_wait_seconds) == pytest.approx(waited)


def test_abandon_while_ringing_cancels_the_offer_and_keeps_the_agents_idle_time() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(10))
    events = acd.call_abandoned("c1", at(12))
    assert only(events, OfferCancelled) == [OfferCancelled("c1", "kim")]
    kim = acd.agent("kim")
    assert (kim.state, kim.idle_since, kim.call_id) == (AgentState.READY, at(0), None)


def test_errors_carry_stable_codes() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(0))
    cases: list[tuple[Callable[[], object], type[Exception], str]] = [
        (lambda: acd.call_abandoned("nope", at(1)), UnknownCall, "unknown-call"),
        (lambda: acd.call_arrived("c1", TAX, at(1)), DuplicateCall, "duplicate-call"),
        (lambda: acd.call_arrived("c2", QueueKey("NTS126", "x"), at(1)), UnknownQueue, "unknown-queue"),
        (lambda: acd.agent_ready("ghost", at(1)), UnknownAgent, "unknown-agent"),
        (lambda: acd.call_answered("c1", "ghost", at(1)), UnknownAgent, "unknown-agent"),
        (lambda: acd.call_ended("c1", at(1)), CallNotConnected, "call-not-connected"),
        (lambda: acd.callback_unanswered("nope", at(1)), Exception, "unknown-callback"),
    ]
    ready(acd, "lee", "NTS126", {"tax": 1}, at(0))
    cases.append((lambda: acd.call_answered("c1", "lee", at(1)), CallNotOffered, "call-not-offered"))
    for command, kind, code in cases:
        with pytest.raises(kind) as raised:
            command()
        assert getattr(raised.value, "code", None) == code
    acd.call_answered("c1", "kim", at(1))
    with pytest.raises(CallAlreadyAnswered) as answered:
        acd.call_abandoned("c1", at(2))
    assert answered.value.code == "call-answered"
    acd.schedule_callback("cb", TAX, at(100), at(2))
    with pytest.raises(DuplicateCallback):
        acd.schedule_callback("cb", TAX, at(100), at(2))
    with pytest.raises(CallNotOffered):
        acd.callback_unanswered("cb", at(3))


def test_a_failed_command_changes_nothing() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.call_arrived("c1", TAX, at(0))
    before = (acd.agent("kim"), acd.call("c1"))
    with pytest.raises(CallNotConnected):
        acd.call_ended("c1", at(1))
    assert (acd.agent("kim"), acd.call("c1")) == before
