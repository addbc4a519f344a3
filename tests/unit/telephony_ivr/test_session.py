"""The IVR interpreter on the shipped flows: every menu path, bad input, hours, open cases, waits, ports."""

from __future__ import annotations

import datetime as dt

import pytest

from integrations.bills.port import Bill
from integrations.certificates.port import CertificateReceipt
from kernel.calendar import WorkCalendar
from kernel.centers import WeeklyHours
from telephony.ivr import model as m
from telephony.ivr.actions import (
    Action,
    CollectDigits,
    ContinueCase,
    Enqueue,
    Hangup,
    Phrase,
    Play,
    RecordingNoticeHeard,
    ScheduleCallback,
    SelfService,
    Transfer,
)
from telephony.ivr.events import Digit, Event, InputTimeout, PortResult, PromptDone, Started
from telephony.ivr.loader import FlowSet
from telephony.ivr.phrases import QueueWait
from telephony.ivr.session import CallContext, CenterStatus, IvrSession, center_status

CALLER = "010-5000-0002"


def session(flow: m.Flow, **context: object) -> IvrSession:
    # a number from a trusted trunk unless a test says otherwise (tests/unit/telephony_ivr/test_pin.py)
    values: dict[str, object] = {"center": flow.name, "dialled": "110", "caller": CALLER, "trusted_caller": True}
    values.update(context)
    return IvrSession(flow, CallContext(**values))  # type: ignore[arg-type]


def run(s: IvrSession, *events: Event) -> list[Action]:
    """Every action for Started followed by ``events``."""
    actions = s.handle(Started())
    for event in events:
        actions += s.handle(event)
    return actions


def keys(text: str) -> list[Event]:
    return [Digit(k) for k in text]


def spoken(actions: list[Action]) -> str:
    return " / ".join(part.text for action in actions if isinstance(action, Play) for part in action.parts if part.text)


# --- start of a call -----------------------------------------------------------------------------------------


def test_recording_notice_comes_first_and_cannot_be_skipped(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"))
    actions = s.handle(Started())
    first = actions[0]
    assert isinstance(first, Play) and not first.barge_in and "녹음" in spoken([first])
    assert isinstance(actions[1], RecordingNoticeHeard)
    assert isinstance(actions[-1], CollectDigits) and actions[-1].max_digits == 1
    assert s.notice_heard


def test_started_twice_and_stray_events_are_ignored(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"))
    s.handle(Started())
    assert s.handle(Started()) == []
    assert s.handle(PromptDone()) == []
    assert s.handle(PortResult(error="nobody asked")) == []


def test_events_before_start_do_nothing(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"))
    assert s.handle(Digit("1")) == [] and s.handle(InputTimeout()) == []


# --- every menu path of the shipped flows --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("center", "digits", "outcome"),
    [
        ("ACRC110", "1", Enqueue("ACRC110", "general")),
        ("ACRC110", "21", Enqueue("ACRC110", "sinmungo")),
        ("ACRC110", "22", Enqueue("ACRC110", "sinmungo", 1)),
        ("ACRC110", "291", Enqueue("ACRC110", "general")),
        ("ACRC110", "3", Transfer("NTS126", recording_notice_heard=True)),
        ("ACRC110", "4", Transfer("MOEL1350", recording_notice_heard=True)),
        ("ACRC110", "0", Enqueue("ACRC110", "general")),
        ("ACRC110", "*0", Enqueue("ACRC110", "general")),
        ("NTS126", "3", Enqueue("NTS126", "tax-income")),
        ("NTS126", "4", Enqueue("NTS126", "tax-vat")),
        ("NTS126", "0", Enqueue("NTS126", "general")),
        ("NTS126", "193", Enqueue("NTS126", "tax-income")),
        ("SEOUL120", "1", Enqueue("SEOUL120", "traffic")),
        ("SEOUL120", "2", Enqueue("SEOUL120", "living")),
        ("SEOUL120", "3", Enqueue("SEOUL120", "foreign-language", 1)),
        ("SEOUL120", "4", Transfer("ACRC110", "main", recording_notice_heard=True)),
        ("SEOUL120", "0", Enqueue("SEOUL120", "general")),
        ("MOEL1350", "0", Enqueue("MOEL1350", "general")),
        ("MOEL1350", "*0", Enqueue("MOEL1350", "general")),
    ],
)
def test_menu_paths(flows: FlowSet, center: str, digits: str, outcome: Action) -> None:
    s = session(flows.for_center(center), center=center)
    actions = run(s, *keys(digits))
    assert actions[-1] == outcome
    assert s.outcome == outcome and s.done
    assert s.handle(Digit("1")) == []


@pytest.mark.parametrize(("digits", "item"), [("11", "종합소득세"), ("12", "부가가치세"), ("13", "자동차세")])
def test_nts_bill_inquiry_menu_paths(flows: FlowSet, digits: str, item: str) -> None:
    s = session(flows.for_center("NTS126"))
    actions = run(s, *keys(digits))
    assert actions[-1] == SelfService("bill-inquiry", item, CALLER)
    actions = s.handle(PortResult(Bill(item, 12340, dt.date(2026, 3, 10))))
    text = spoken(actions)
    assert (
        f"고객님의 {item} 납부하실 금액은 만 이천삼백사십 원이며, 납부 기한은 이천이십육 년 삼월 십 일입니다." in text
    )
    assert isinstance(actions[-1], CollectDigits)
    assert s.handle(Digit("9"))[-1] == Hangup("self-service-completed")


def test_nts_after_self_service_menu(flows: FlowSet) -> None:
    s = session(flows.for_center("NTS126"))
    run(s, *keys("11"), PortResult(None))
    assert s.handle(Digit("0"))[-1] == Enqueue("NTS126", "general")
    s = session(flows.for_center("NTS126"))
    actions = run(s, *keys("11"), PortResult(None), Digit("1"))
    assert "납부하실 세금 조회는 1번" in spoken(actions)


def test_nts_certificate_reissue(flows: FlowSet) -> None:
    s = session(flows.for_center("NTS126"))
    assert run(s, Digit("2"))[-1] == SelfService("certificate-reissue", "납세증명서", CALLER)
    actions = s.handle(PortResult(CertificateReceipt("납세증명서", "R-2026-000007")))
    assert "접수 번호는 알, 이 영 이 육, 영 영 영 영 영 칠입니다" in spoken(actions)


def test_self_service_not_found(flows: FlowSet) -> None:
    s = session(flows.for_center("NTS126"))
    actions = run(s, *keys("11"), PortResult(None))
    assert "납부하실 종합소득세 내역이 없습니다." in spoken(actions)


def test_self_service_port_failure_goes_to_an_agent(flows: FlowSet) -> None:
    s = session(flows.for_center("NTS126"))
    actions = run(s, *keys("11"), PortResult(error="ledger timeout"))
    assert "지금은 세금 조회를 할 수 없습니다" in spoken(actions)
    assert actions[-1] == Enqueue("NTS126", "general")


def test_self_service_wrong_result_kind_counts_as_failure(flows: FlowSet) -> None:
    s = session(flows.for_center("NTS126"))
    actions = run(s, *keys("11"), PortResult(CertificateReceipt("납세증명서", "R-1")))
    assert actions[-1] == Enqueue("NTS126", "general")


def test_self_service_without_caller_number(flows: FlowSet) -> None:
    s = session(flows.for_center("NTS126"), caller=None)
    actions = run(s, *keys("11"))
    assert not any(isinstance(a, SelfService) for a in actions)
    assert actions[-1] == Enqueue("NTS126", "general")


def test_digits_while_waiting_for_a_port_are_ignored(flows: FlowSet) -> None:
    s = session(flows.for_center("NTS126"))
    run(s, *keys("11"))
    assert s.handle(Digit("0")) == [] and s.handle(InputTimeout()) == []


# --- invalid input, timeouts, retries ------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["7", "A", "", "12", "¹", "#"])
def test_invalid_and_malformed_keys_replay_the_menu(flows: FlowSet, bad: str) -> None:
    s = session(flows.for_center("SEOUL120"))
    s.handle(Started())
    actions = s.handle(Digit(bad))
    assert "잘못 누르셨습니다" in spoken(actions) and "교통 안내는 1번" in spoken(actions)
    assert isinstance(actions[-1], CollectDigits)
    assert s.handle(Digit("1"))[-1] == Enqueue("SEOUL120", "traffic")


def test_timeout_replays_with_the_timeout_prompt(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"))
    s.handle(Started())
    assert "입력이 확인되지 않았습니다" in spoken(s.handle(InputTimeout()))


def test_retries_exhausted_go_to_an_agent_politely(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"))
    actions = run(s, InputTimeout(), Digit("8"))
    assert isinstance(actions[-1], CollectDigits)  # max_retries = 2: two replays
    actions = s.handle(InputTimeout())
    assert "입력이 확인되지 않아 상담원에게 연결해 드리겠습니다" in spoken(actions)
    assert actions[-1] == Enqueue("ACRC110", "general")


def test_retries_exhausted_after_self_service_hang_up(flows: FlowSet) -> None:
    s = session(flows.for_center("NTS126"))
    actions = run(s, *keys("11"), PortResult(None), InputTimeout(), InputTimeout(), InputTimeout())
    assert actions[-1] == Hangup("self-service-completed")


def test_retry_counter_restarts_on_each_menu(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"))
    run(s, InputTimeout(), InputTimeout(), Digit("2"))  # two retries in main, then into 국민신문고 menu
    assert isinstance(s.handle(InputTimeout())[-1], CollectDigits)


def test_endless_menu_hopping_ends_in_the_fallback(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"))
    actions = run(s, *keys("29" * 20))
    assert s.outcome == Enqueue("ACRC110", "general")
    assert any(isinstance(a, Enqueue) for a in actions)


# --- hours and holidays --------------------------------------------------------------------------------------


def test_closed_center_offers_a_callback(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"), status=CenterStatus.CLOSED)
    actions = s.handle(Started())
    assert "지금은 상담 시간이 아닙니다" in spoken(actions) and not any(
        isinstance(a, RecordingNoticeHeard) for a in actions
    )
    actions = s.handle(Digit("1"))
    assert actions[0] == ScheduleCallback("ACRC110", "general", "closed")
    assert actions[-1] == Hangup("callback-scheduled")


def test_closed_center_caller_declines_the_callback(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"), status=CenterStatus.CLOSED)
    assert run(s, Digit("2"))[-1] == Hangup("closed")


def test_closed_center_no_answer_hangs_up_politely(flows: FlowSet) -> None:
    s = session(flows.for_center("NTS126"), status=CenterStatus.CLOSED)
    actions = run(s, InputTimeout(), InputTimeout(), InputTimeout())
    assert "감사합니다" in spoken(actions[-2:]) and actions[-1] == Hangup("closed")


def test_holiday_message(flows: FlowSet) -> None:
    s = session(flows.for_center("NTS126"), status=CenterStatus.HOLIDAY)
    assert "공휴일" in spoken(s.handle(Started()))


def test_closed_without_callback_offer_hangs_up(flows: FlowSet) -> None:
    s = session(flows.for_center("SEOUL120"), status=CenterStatus.HOLIDAY)
    actions = s.handle(Started())
    assert "공휴일" in spoken(actions) and actions[-1] == Hangup("holiday")


def test_center_status_from_hours_and_calendar() -> None:
    hours, calendar = WeeklyHours.parse("mon-fri 09:00-18:00"), WorkCalendar()
    kst = dt.timezone(dt.timedelta(hours=9))
    assert center_status(hours, dt.datetime(2026, 3, 10, 10, tzinfo=kst), calendar) is CenterStatus.OPEN
    assert center_status(hours, dt.datetime(2026, 3, 10, 20, tzinfo=kst), calendar) is CenterStatus.CLOSED
    assert center_status(hours, dt.datetime(2026, 3, 1, 10, tzinfo=kst), calendar) is CenterStatus.HOLIDAY
    always = WeeklyHours.parse("24/7")
    assert center_status(always, dt.datetime(2026, 3, 1, 10, tzinfo=kst), calendar) is CenterStatus.OPEN


# --- open case: 이전 상담 이어서 하기 ---------------------------------------------------------------------------


def test_open_case_is_offered_and_continued(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"), open_case="2026-ACRC110-15")
    actions = s.handle(Started())
    assert any(
        isinstance(a, Play) and Phrase("접수 번호 이 영 이 육, 에이 씨 알 씨 일 일 영, 일 오") in a.parts
        for a in actions
    )
    actions = s.handle(Digit("1"))
    assert actions[0] == ContinueCase("2026-ACRC110-15")
    assert actions[-1] == Enqueue("ACRC110", "general", 5, "2026-ACRC110-15")


def test_open_case_declined_starts_the_menu(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"), open_case="2026-ACRC110-15")
    actions = run(s, Digit("2"))
    assert "정부 민원 안내는 1번" in spoken(actions)
    assert s.handle(Digit("3"))[-1] == Transfer("NTS126", None, None, None, True)


def test_open_case_no_answer_starts_the_menu(flows: FlowSet) -> None:
    s = session(flows.for_center("SEOUL120"), open_case="2026-SEOUL120-3")
    actions = run(s, InputTimeout(), InputTimeout(), InputTimeout())
    assert "교통 안내는 1번" in spoken(actions) and isinstance(actions[-1], CollectDigits)


def test_continuing_case_travels_with_a_transfer(flows: FlowSet) -> None:
    flow = flows.for_center("SEOUL120")
    s = session(flow, open_case="2026-SEOUL120-3", waits={"general": QueueWait(1, 30)})
    actions = run(s, Digit("1"))
    assert actions[-1] == Enqueue("SEOUL120", "general", 5, "2026-SEOUL120-3")


# --- queue waits and the callback offer ----------------------------------------------------------------------


def test_short_wait_is_announced_then_enqueued(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"), waits={"general": QueueWait(3, 110)})
    actions = run(s, Digit("1"))
    assert "고객님 앞에 세 분이 기다리고 계시며, 예상 대기 시간은 약 이 분입니다." in spoken(actions)
    assert actions[-1] == Enqueue("ACRC110", "general")


def test_wait_at_the_threshold_gets_no_offer(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"), waits={"general": QueueWait(9, 180)})
    assert run(s, Digit("1"))[-1] == Enqueue("ACRC110", "general")


def test_long_wait_offers_a_callback_which_is_accepted(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"), waits={"general": QueueWait(12, 181)})
    actions = run(s, Digit("1"))
    assert "기다리지 않고 상담원의 전화를 받으시려면 1번" in spoken(actions)
    actions = s.handle(Digit("1"))
    assert actions[0] == ScheduleCallback("ACRC110", "general", "long-wait")
    assert actions[-1] == Hangup("callback-scheduled")


def test_long_wait_caller_keeps_waiting(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"), waits={"general": QueueWait(12, 600)})
    assert run(s, Digit("1"), Digit("2"))[-1] == Enqueue("ACRC110", "general")


def test_long_wait_offer_unanswered_keeps_the_caller_queued(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"), waits={"general": QueueWait(12, 600)})
    actions = run(s, Digit("1"), InputTimeout(), Digit("x"), InputTimeout())
    assert actions[-1] == Enqueue("ACRC110", "general")


# --- shared 120: region selection ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "center"),
    list(enumerate(["SEOUL120", "BUSAN120", "DAEGU120", "INCHEON120", "GWANGJU120", "ULSAN120", "GYEONGGI120"], 1)),
)
def test_region_menu_for_mobile_callers(flows: FlowSet, key: int, center: str) -> None:
    flow = flows.for_shared_number("120")
    assert flow is not None
    s = session(flow, center="120", dialled="120", caller_area_code=None)
    actions = s.handle(Started())
    assert "서울은 1번" in spoken(actions) and not any(isinstance(a, RecordingNoticeHeard) for a in actions)
    assert s.handle(Digit(str(key))) == [Transfer(center)]


def test_region_decided_by_area_code(flows: FlowSet) -> None:
    flow = flows.for_shared_number("120")
    assert flow is not None
    s = session(flow, center="120", dialled="120", caller_area_code="051")
    assert s.handle(Started()) == [Transfer("BUSAN120")]


def test_region_menu_unanswered_goes_to_seoul(flows: FlowSet) -> None:
    flow = flows.for_shared_number("120")
    assert flow is not None
    s = session(flow, center="120", dialled="120", caller_area_code="070")
    actions = run(s, Digit("9"), InputTimeout(), InputTimeout())
    assert "서울 다산콜재단으로 연결해 드리겠습니다" in spoken(actions) and actions[-1] == Transfer("SEOUL120")


def test_transferred_call_enters_at_the_step_without_a_second_notice(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"), notice_heard=True, entry_step="sinmungo")
    actions = s.handle(Started())
    assert not any(isinstance(a, RecordingNoticeHeard) for a in actions)
    assert "국민신문고 민원 접수는 1번" in spoken(actions)


def test_unknown_entry_step_ends_in_the_fallback(flows: FlowSet) -> None:
    s = session(flows.for_center("ACRC110"), entry_step="no-such-step")
    assert s.handle(Started())[-1] == Enqueue("ACRC110", "general")
