"""Korean number reading: Sino-Korean (일, 이, 삼 … 만, 억) and native Korean counters (한, 두, 세 …).

Sino-Korean numbers group by four digits (만 = 10^4, 억 = 10^8, 조 = 10^12, 경 = 10^16), and
the groups are written with a space between them (만 단위 띄어쓰기): 12,340 → "만 이천삼백사십".
The digit 일 is left out before 십, 백 and 천 (110 → "백십"), and before 만 when 만 leads the
number (10,000 → "만", 10,001 → "만 일"); it stays before 억 and larger units ("일억").
"""

from __future__ import annotations

SINO_DIGITS = ("영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구")
_SMALL_UNITS = ((1000, "천"), (100, "백"), (10, "십"))
_GROUP_UNITS = ("", "만", "억", "조", "경")

# Native Korean numbers 1-99, in the attributive form used before counters (한 분, 두 분, 스무 분).
_NATIVE_ONES = ("", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉")
_NATIVE_TENS = ("", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔")


def _group(value: int) -> str:
    """A number 1-9999 in Sino-Korean, without spaces ("이천삼백사십")."""
    words: list[str] = []
    for size, unit in _SMALL_UNITS:
        digit = value // size % 10
        if digit:
            words.append(unit if digit == 1 else SINO_DIGITS[digit] + unit)
    ones = value % 10
    if ones:
        words.append(SINO_DIGITS[ones])
    return "".join(words)


def sino(value: int) -> str:
    """``value`` (0 to 10^20 - 1) read as a Sino-Korean number: 110000 → "십일만"."""
    if value < 0:
        raise ValueError("negative numbers are not read aloud")
    if value == 0:
        return SINO_DIGITS[0]
    groups: list[int] = []
    rest = value
    while rest:
        groups.append(rest % 10000)
        rest //= 10000
    if len(groups) > len(_GROUP_UNITS):
        raise ValueError(f"{value} is too large to read")
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        amount = groups[index]
        if not amount:
            continue
        unit = _GROUP_UNITS[index]
        leading = not words
        if amount == 1 and unit == "만" and leading:
            words.append("만")
        else:
            words.append(_group(amount) + unit)
    return " ".join(words)


def native(value: int) -> str:
    """``value`` in native Korean before a counter (세 분, 스무 명); 100 and above fall back to Sino-Korean."""
    if value < 1:
        raise ValueError("native Korean counters start at one")
    if value >= 100:
        return sino(value)
    tens, ones = divmod(value, 10)
    if tens == 2 and ones == 0:
        return "스무"
    return _NATIVE_TENS[tens] + _NATIVE_ONES[ones]


def digits(text: str) -> str:
    """A digit string read digit by digit, 영 for zero: "2026" → "이 영 이 육"."""
    if not text.isascii() or not text.isdigit():
        raise ValueError(f"{text!r} is not a digit string")
    return " ".join(SINO_DIGITS[int(ch)] for ch in text)
