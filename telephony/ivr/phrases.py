"""Korean phrases for the dynamic parts of prompts: amounts, dates, times, case numbers, queue waits.

Each function returns Hangul text ready for synthesis (numbers already spelled out, so the
synthesiser never has to guess how to read "3" or "12,340"). ``*_text`` functions give the
written form shown on screens; the other functions give the spoken form.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from kernel.korean_numbers import digits, native, sino

_LETTERS = {
    "A": "에이", "B": "비", "C": "씨", "D": "디", "E": "이", "F": "에프", "G": "지", "H": "에이치",
    "I": "아이", "J": "제이", "K": "케이", "L": "엘", "M": "엠", "N": "엔", "O": "오", "P": "피",
    "Q": "큐", "R": "알", "S": "에스", "T": "티", "U": "유", "V": "브이", "W": "더블유", "X": "엑스",
    "Y": "와이", "Z": "제트",
}  # fmt: skip
_MONTHS = {6: "유월", 10: "시월"}  # the two months whose reading drops a final consonant


@dataclass(frozen=True)
class QueueWait:
    """What the ACD predicts for a caller joining a queue: callers ahead and expected wait."""

    ahead: int
    seconds: int


def won(amount: int) -> str:
    """An amount in won, spoken: 12340 → "만 이천삼백사십 원"."""
    return f"{sino(amount)} 원"


def won_text(amount: int) -> str:
    """An amount in won, written: 12340 → "12,340원"."""
    return f"{amount:,}원"


def date_text(day: dt.date) -> str:
    """A date, written: "2026년 3월 10일"."""
    return f"{day.year}년 {day.month}월 {day.day}일"


def date_spoken(day: dt.date) -> str:
    """A date, spoken: "이천이십육 년 삼월 십 일" (6월 유월, 10월 시월)."""
    month = _MONTHS.get(day.month, f"{sino(day.month)}월")
    return f"{sino(day.year)} 년 {month} {sino(day.day)} 일"


def time_spoken(moment: dt.time) -> str:
    """A clock time, spoken with native hours and Sino minutes: 15:30 → "오후 세 시 삼십 분"."""
    half = "오전" if moment.hour < 12 else "오후"
    hour = moment.hour % 12 or 12
    spoken = f"{half} {native(hour)} 시"
    if moment.minute:
        spoken += f" {sino(moment.minute)} 분"
    return spoken


def code_spoken(code: str) -> str:
    """A case or receipt number read group by group, each character on its own.

    "2026-ACRC110-15" → "이 영 이 육, 에이 씨 알 씨 일 일 영, 일 오": callers write these
    down, so digits are never merged into numbers.
    """
    groups: list[str] = []
    for group in code.upper().replace(" ", "-").split("-"):
        if not group:
            continue
        words = [_LETTERS.get(ch) or (digits(ch) if ch.isascii() and ch.isdigit() else "") for ch in group]
        spoken = " ".join(word for word in words if word)
        if spoken:
            groups.append(spoken)
    return ", ".join(groups)


def wait_minutes(seconds: int) -> int:
    """Whole minutes to announce for a wait: rounded up, never below one."""
    return max(1, math.ceil(seconds / 60))


def queue_wait(wait: QueueWait) -> str:
    """The queue announcement: "고객님 앞에 세 분이 기다리고 계시며, 예상 대기 시간은 약 이 분입니다."."""
    minutes = f"약 {sino(wait_minutes(wait.seconds))} 분"
    if wait.ahead <= 0:
        return f"곧 상담원과 연결됩니다. 예상 대기 시간은 {minutes}입니다."
    return f"고객님 앞에 {native(wait.ahead)} 분이 기다리고 계시며, 예상 대기 시간은 {minutes}입니다."


def bill_statement(kind: str, amount: int, due: dt.date) -> str:
    """The answer of a bill inquiry."""
    return f"고객님의 {kind} 납부하실 금액은 {won(amount)}이며, 납부 기한은 {date_spoken(due)}입니다."


def certificate_receipt(kind: str, receipt_number: str) -> str:
    """The answer of a certificate reissue."""
    return f"{kind} 재발급 신청이 접수되었습니다. 접수 번호는 {code_spoken(receipt_number)}입니다."


def open_case(case_number: str) -> str:
    """The case number of the caller's open consultation, read for the 이전 상담 이어서 하기 offer."""
    return f"접수 번호 {code_spoken(case_number)}"
