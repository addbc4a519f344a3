"""Korean text normalisation for scoring and indexing transcripts, and the character error rate.

Whisper writes some numbers as digits ("2018년"), people and reference transcripts write them in Hangul
("이천 십 팔 년"); the same call must read the same way wherever it is compared or searched, so digits are
always turned into their Hangul reading, never the reverse:

- Sino-Korean by default (``kernel.korean_numbers.sino``): "2018년" → "이천십팔년", "1,500원" → "천오백원";
- native Korean before the counters that take it, for 1-99: "3명" → "세명", "1잔" → "한잔", "2시간" → "두시간";
- the months whose reading changes: "6월" → "유월", "10월" → "시월";
- digit by digit (영 for zero) for a number with a leading zero or digit groups joined by hyphens
  (telephone and account numbers): "010-1234" → "영일영 일이삼사";
- decimals with 점 ("3.5" → "삼점오") and "%" as 퍼센트.

A reading is written without inner spaces ("만이천삼백사십"), so it stays one token for an index.
``for_scoring`` then drops everything but letters and numbers (spaces and punctuation, which references and
recognisers place differently) and ``cer`` is the Levenshtein distance over the remaining characters (Hangul
syllables) divided by the reference length.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kernel.korean_numbers import SINO_DIGITS, native, sino

#: Counters read with native Korean numbers (한 명, 두 잔, 세 시, 네 시간). Ambiguous ones are left out on
#: purpose: 번 (1번 출구 / 한 번), 대 (10대 청소년), 장, 통, 달 (3달러); 개월 takes Sino-Korean (삼 개월).
NATIVE_COUNTERS = ("시간", "마리", "가지", "군데", "켤레", "송이", "그루", "사람", "개", "명", "잔", "살", "시", "곳")
_MONTHS = {6: "유", 10: "시"}

_NUMBER = re.compile(
    r"(?<![\d.,-])"
    r"(?:(?P<hyphenated>\d+(?:-\d+)+)"
    r"|(?P<integer>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<fraction>\d+))?(?P<percent>\s?%)?)"
)
_COUNTER = re.compile(r"\s?(?!개월)(" + "|".join(NATIVE_COUNTERS) + ")")  # 3개월: 삼 개월
_MONTH = re.compile(r"\s?월")
_SPACES = re.compile(r"\s+")


def spell_numbers(text: str) -> str:
    """``text`` with every number written in Hangul (see the module's rules); everything else unchanged."""
    return _NUMBER.sub(lambda match: _reading(match, text), text)


def for_indexing(text: str) -> str:
    """The form a transcript is indexed and searched in: NFC, numbers in Hangul, single spaces."""
    return _SPACES.sub(" ", spell_numbers(unicodedata.normalize("NFC", text))).strip()


def for_scoring(text: str) -> str:
    """The form compared by ``cer``: numbers in Hangul, then only letters and numbers, lower case."""
    spelled = spell_numbers(unicodedata.normalize("NFKC", text))
    return "".join(ch for ch in spelled.lower() if unicodedata.category(ch)[0] in "LN")


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Levenshtein distance: the fewest substitutions, deletions and insertions turning one into the other."""
    if len(reference) < len(hypothesis):
        reference, hypothesis = hypothesis, reference
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, start=1):
        current = [i]
        for j, hyp in enumerate(hypothesis, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class CharErrors:
    """Character edits against a reference of ``reference_chars`` characters (both after ``for_scoring``)."""

    edits: int
    reference_chars: int

    @property
    def rate(self) -> float:
        if self.reference_chars == 0:
            return 0.0 if self.edits == 0 else 1.0
        return self.edits / self.reference_chars

    def __add__(self, other: CharErrors) -> CharErrors:
        return CharErrors(self.edits + other.edits, self.reference_chars + other.reference_chars)


def char_errors(reference: str, hypothesis: str) -> CharErrors:
    ref, hyp = for_scoring(reference), for_scoring(hypothesis)
    return CharErrors(edit_distance(ref, hyp), len(ref))


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate of ``hypothesis`` against ``reference``, both through ``for_scoring``: edits divided
    by the reference's characters (can exceed 1; an empty reference scores 0 against nothing, else 1)."""
    return char_errors(reference, hypothesis).rate


def corpus_cer(pairs: Iterable[tuple[str, str]]) -> float:
    """CER over many (reference, hypothesis) pairs: all edits over all reference characters, so long clips
    weigh more than short ones (the usual way to aggregate, not a mean of per-clip rates)."""
    return sum((char_errors(ref, hyp) for ref, hyp in pairs), CharErrors(0, 0)).rate


def _reading(match: re.Match[str], text: str) -> str:
    if match["hyphenated"]:
        return " ".join(_digit_by_digit(group) for group in match["hyphenated"].split("-"))
    integer = match["integer"].replace(",", "")
    fraction, percent = match["fraction"], match["percent"]
    if (len(integer) > 1 and integer.startswith("0")) or len(integer) > 20:  # a code, not an amount
        spoken = _digit_by_digit(integer)
    else:
        spoken = _before(int(integer), text[match.end():] if not (fraction or percent) else "")
    if fraction:
        spoken += "점" + _digit_by_digit(fraction)
    if percent:
        spoken += "퍼센트"
    return spoken


def _before(value: int, following: str) -> str:
    """``value`` read as the word after it asks: native before a native counter, 유/시 before 월."""
    if 1 <= value <= 99 and _COUNTER.match(following):
        return native(value)
    if value in _MONTHS and _MONTH.match(following):
        return _MONTHS[value]
    return sino(value).replace(" ", "")


def _digit_by_digit(digits: str) -> str:
    return "".join(SINO_DIGITS[int(ch)] for ch in digits)
