"""Business hours, Korean holidays and scheduled callbacks (moved into opening hours, attempt limit)."""

from __future__ import annotations

import pytest

from kernel.calendar import WorkCalendar
from kernel.centers import WeeklyHours
from telephony.acd import (
    AcdSettings,
    AgentState,
    CallbackCompleted,
    CallbackFailed,
    CallbackRescheduled,
    CallbackScheduled,
    CallQueued,
    Closed,
    PlaceCallback,
    UnknownCallback,
)
from telephony.acd.hours import CenterHours
from tests.unit.telephony.world import SEOUL_GENERAL, TAX, at, kst, make_acd, only, ready

SEOLLAL = kst(2026, 2, 17, 10)  # 설날, a Tuesday, between 설날 전날 (Mon) and 설날 다음날 (Wed)


def test_next_opening() -> None:
    weekdays = CenterHours(WeeklyHours.parse("mon-fri 09:00-18:00; sat 09:00-13:00"), WorkCalendar())
    assert weekdays.next_opening(kst(2026, 3, 10, 10)) == kst(2026, 3, 10, 10)  # open: now
    assert weekdays.next_opening(kst(2026, 3, 10, 7)) == kst(2026, 3, 10, 9)  # before opening
    assert weekdays.next_opening(kst(2026, 3, 10, 18, 1)) == kst(2026, 3, 11, 9)  # after closing
    assert weekdays.next_opening(kst(2026, 3, 13, 19)) == kst(2026, 3, 14, 9)  # Friday night -> Saturday
    assert weekdays.next_opening(kst(2026, 3, 14, 14)) == kst(2026, 3, 16, 9)  # Saturday afternoon -> Monday
    assert weekdays.next_opening(kst(2026, 2, 14, 14)) == kst(2026, 2, 19, 9)  # over the 설날 holidays
    always = CenterHours(WeeklyHours.parse("24/7"), WorkCalendar())
    assert always.next_opening(SEOLLAL) == SEOLLAL
    assert always.holiday(SEOLLAL) is None
    assert weekdays.holiday(SEOLLAL) == "설날"


def test_closed_center_refuses_new_calls_with_the_holiday_named() -> None:
    acd = make_acd()
    events = acd.call_arrived("c1", TAX, SEOLLAL)
    assert events == [Closed("c1", TAX, "설날", kst(2026, 2, 19, 9))]
    assert acd.positions(TAX) == ()


def test_closed_at_night_is_not_a_holiday() -> None:
    assert make_acd().call_arrived("c1", TAX, kst(2026, 3, 10, 19)) == [Closed("c1", TAX, None, kst(2026, 3, 11, 9))]


def test_a_24_7_center_takes_calls_on_seollal() -> None:
    events = make_acd().call_arrived("c1", SEOUL_GENERAL, SEOLLAL)
    assert only(events, CallQueued) == [CallQueued("c1", SEOUL_GENERAL, 1, None)]


def test_callback_is_placed_via_a_free_agent_and_completes_on_answer() -> None:
    acd = make_acd()
    events = acd.schedule_callback("cb1", TAX, at(60), at(0), case_number="2026-NTS126-9")
    assert events == [CallbackScheduled("cb1", TAX, at(60))]
    ready(acd, "kim", "NTS126", {"tax": 1}, at(10))
    assert only(acd.tick(at(59)), PlaceCallback) == []  # not due yet
    events = acd.tick(at(60))
    assert only(events, PlaceCallback) == [PlaceCallback("cb1", "callback:cb1:1", "kim", TAX, 1)]
    assert acd.agent("kim").state is AgentState.RINGING
    events = acd.call_answered("callback:cb1:1", "kim", at(70))
    assert only(events, CallbackCompleted) == [CallbackCompleted("cb1", "callback:cb1:1")]
    with pytest.raises(UnknownCallback):
        acd.cancel_callback("cb1", at(71))


def test_due_callback_waits_for_an_agent_and_callers_on_the_line_go_first() -> None:
    acd = make_acd()
    acd.schedule_callback("cb1", TAX, at(0), at(0))
    acd.call_arrived("caller", TAX, at(5))
    events = ready(acd, "kim", "NTS126", {"tax": 1}, at(10))
    assert acd.call("caller").agent_id == "kim"
    assert only(events, PlaceCallback) == []
    events = ready(acd, "lee", "NTS126", {"tax": 1}, at(11))
    assert only(events, PlaceCallback)[0].agent_id == "lee"


def test_callback_due_while_closed_moves_to_the_next_opening() -> None:
    acd = make_acd()
    # scheduled for 설날: moved at once to Thursday 09:00
    assert acd.schedule_callback("cb1", TAX, SEOLLAL, kst(2026, 2, 13, 17)) == [
        CallbackScheduled("cb1", TAX, kst(2026, 2, 19, 9))
    ]
    # due at 17:59 with nobody free, still waiting when the center closes: moved to the next morning
    acd = make_acd()
    acd.schedule_callback("cb2", TAX, kst(2026, 3, 10, 17, 59), kst(2026, 3, 10, 12))
    assert acd.tick(kst(2026, 3, 10, 17, 59)) == []
    events = acd.tick(kst(2026, 3, 10, 18, 1))
    assert events == [CallbackRescheduled("cb2", kst(2026, 3, 11, 9), "closed", 0)]


def test_unanswered_callback_is_retried_then_fails_after_three_attempts() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.schedule_callback("cb1", TAX, at(0), at(0))
    for attempt in (1, 2):
        call_id = f"callback:cb1:{attempt}"
        assert acd.call(call_id).agent_id == "kim"
        now = at(600 * (attempt - 1) + 30)
        events = acd.callback_unanswered("cb1", now)
        retry = CallbackRescheduled("cb1", at(600 * attempt + 30), "no-answer", attempt)
        assert only(events, CallbackRescheduled) == [retry]
        assert acd.agent("kim").state is AgentState.READY
        acd.tick(only(events, CallbackRescheduled)[0].due_at)
    events = acd.call_abandoned("callback:cb1:3", at(1500))  # the citizen's line dropped: same as no answer
    assert only(events, CallbackFailed) == [CallbackFailed("cb1", "attempts-exhausted", 3)]
    assert acd.agent("kim").state is AgentState.READY


def test_unanswered_retry_that_falls_after_closing_moves_to_the_morning() -> None:
    acd = make_acd(settings=AcdSettings(callback_attempts=5))
    ready(acd, "kim", "NTS126", {"tax": 1}, kst(2026, 3, 10, 17, 50))
    acd.schedule_callback("cb1", TAX, kst(2026, 3, 10, 17, 55), kst(2026, 3, 10, 17, 50))
    acd.tick(kst(2026, 3, 10, 17, 55))
    events = acd.callback_unanswered("cb1", kst(2026, 3, 10, 17, 56))  # retry at 18:06: closed
    assert only(events, CallbackRescheduled) == [CallbackRescheduled("cb1", kst(2026, 3, 11, 9), "no-answer", 1)]


def test_agent_declining_a_callback_uses_no_attempt() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    acd.schedule_callback("cb1", TAX, at(0), at(0))
    acd.call_declined("callback:cb1:1", "kim", at(5))
    events = ready(acd, "lee", "NTS126", {"tax": 1}, at(6))
    assert only(events, PlaceCallback) == [PlaceCallback("cb1", "callback:cb1:1", "lee", TAX, 1)]


def test_cancelled_callback_is_never_placed() -> None:
    acd = make_acd()
    acd.schedule_callback("cb1", TAX, at(0), at(0))
    acd.cancel_callback("cb1", at(1))
    assert only(ready(acd, "kim", "NTS126", {"tax": 1}, at(2)), PlaceCallback) == []


def test_callback_moves_to_the_only_opening_of_the_week() -> None:
    from kernel.centers import Center
    from telephony.acd import Acd, QueueConfig, QueueKey

    center = Center("SUNDAY", "일요상담", "없음", "1234", hours="sun 09:00-10:00")
    queue = QueueKey("SUNDAY", "x")
    acd = Acd([center], [QueueConfig(queue)], WorkCalendar())
    events = acd.schedule_callback("cb1", queue, kst(2026, 3, 10, 12), kst(2026, 3, 10, 12))
    assert events == [CallbackScheduled("cb1", queue, kst(2026, 3, 15, 9))]


def test_hours_with_no_span_never_open() -> None:
    assert CenterHours(WeeklyHours(()), WorkCalendar()).next_opening(SEOLLAL) is None
