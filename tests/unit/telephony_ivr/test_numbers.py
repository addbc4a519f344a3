"""Korean number reading and the phrase templates built on it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.korean_numbers import digits, native, sino
from telephony.ivr import phrases
from telephony.ivr.phrases import QueueWait


@pytest.mark.parametrize(
    ("value", "spoken"),
    [
        (0, "영"),
        (1, "일"),
        (7, "칠"),
        (10, "십"),
        (11, "십일"),
        (20, "이십"),
        (99, "구십구"),
        (100, "백"),
        (101, "백일"),
        (110, "백십"),
        (999, "구백구십구"),
        (1000, "천"),
        (1001, "천일"),
        (2026, "이천이십육"),
        (9999, "구천구백구십구"),
        (10000, "만"),
        (10001, "만 일"),
        (12340, "만 이천삼백사십"),
        (20000, "이만"),
        (110000, "십일만"),
        (1_000_000, "백만"),
        (10_000_000, "천만"),
        (100_000_000, "일억"),
        (100_010_000, "일억 일만"),
        (100_000_001, "일억 일"),
        (123_456_789, "일억 이천삼백사십오만 육천칠백팔십구"),
        (1_000_000_000_000, "일조"),
    ],
)
def test_sino_korean(value: int, spoken: str) -> None:
    assert sino(value) == spoken


def test_sino_rejects_negative_and_huge() -> None:
    with pytest.raises(ValueError):
        sino(-1)
    with pytest.raises(ValueError):
        sino(10**20)


@given(st.integers(min_value=1, max_value=10**16))
def test_sino_never_says_il_before_small_units(value: int) -> None:
    spoken = sino(value)
    assert "일십" not in spoken and "일백" not in spoken and "일천" not in spoken
    assert not spoken.startswith("일만")
    assert "영" not in spoken


@pytest.mark.parametrize(
    ("value", "spoken"),
    [(1, "한"), (2, "두"), (3, "세"), (4, "네"), (10, "열"), (11, "열한"), (20, "스무"), (21, "스물한")],
)
def test_native_counters(value: int, spoken: str) -> None:
    assert native(value) == spoken


def test_native_falls_back_to_sino_from_100() -> None:
    assert native(100) == "백"
    with pytest.raises(ValueError):
        native(0)


def test_digits_read_zero_as_yeong() -> None:
    assert digits("2026") == "이 영 이 육"
    assert digits("0") == "영"
    with pytest.raises(ValueError):
        digits("12a")


def test_won() -> None:
    assert phrases.won(12340) == "만 이천삼백사십 원"
    assert phrases.won(0) == "영 원"
    assert phrases.won_text(12340) == "12,340원"


def test_dates() -> None:
    assert phrases.date_text(dt.date(2026, 3, 10)) == "2026년 3월 10일"
    assert phrases.date_spoken(dt.date(2026, 3, 10)) == "이천이십육 년 삼월 십 일"
    assert phrases.date_spoken(dt.date(2026, 6, 1)) == "이천이십육 년 유월 일 일"
    assert phrases.date_spoken(dt.date(2026, 10, 31)) == "이천이십육 년 시월 삼십일 일"


@pytest.mark.parametrize(
    ("clock", "spoken"),
    [
        (dt.time(0, 0), "오전 열두 시"),
        (dt.time(9, 5), "오전 아홉 시 오 분"),
        (dt.time(12, 0), "오후 열두 시"),
        (dt.time(15, 30), "오후 세 시 삼십 분"),
        (dt.time(23, 59), "오후 열한 시 오십구 분"),
    ],
)
def test_times(clock: dt.time, spoken: str) -> None:
    assert phrases.time_spoken(clock) == spoken


def test_case_numbers_are_read_by_groups_character_by_character() -> None:
    assert phrases.code_spoken("2026-ACRC110-15") == "이 영 이 육, 에이 씨 알 씨 일 일 영, 일 오"
    assert phrases.code_spoken("R-2026-000123") == "알, 이 영 이 육, 영 영 영 일 이 삼"


def test_queue_wait_announcement() -> None:
    assert (
        phrases.queue_wait(QueueWait(ahead=3, seconds=110))
        == "고객님 앞에 세 분이 기다리고 계시며, 예상 대기 시간은 약 이 분입니다."
    )
    assert (
        phrases.queue_wait(QueueWait(ahead=0, seconds=5)) == "곧 상담원과 연결됩니다. 예상 대기 시간은 약 일 분입니다."
    )
    assert phrases.wait_minutes(0) == 1 and phrases.wait_minutes(61) == 2


def test_bill_and_certificate_phrases() -> None:
    assert (
        phrases.bill_statement("자동차세", 12340, dt.date(2026, 3, 10))
        == "고객님의 자동차세 납부하실 금액은 만 이천삼백사십 원이며, 납부 기한은 이천이십육 년 삼월 십 일입니다."
    )
    assert phrases.certificate_receipt("납세증명서", "R-2026-000001").startswith(
        "납세증명서 재발급 신청이 접수되었습니다."
    )
