"""Korean normalisation for scoring and indexing, and the character error rate, on hand-computed cases."""

from __future__ import annotations

import pytest

from analytics.stt.normalize import (
    CharErrors,
    cer,
    char_errors,
    corpus_cer,
    edit_distance,
    for_indexing,
    for_scoring,
    spell_numbers,
)


@pytest.mark.parametrize(
    ("text", "spelled"),
    [
        ("지난해 3월", "지난해 삼월"),
        ("2018년 완공", "이천십팔년 완공"),
        ("10대 자녀", "십대 자녀"),  # 대 is ambiguous, so Sino-Korean
        ("110번", "백십번"),
        ("1,500원", "천오백원"),
        ("12,340명", "만이천삼백사십명"),  # over 99: Sino-Korean even before a native counter
        ("10000원", "만원"),
        ("100000000원", "일억원"),
        ("0", "영"),
        ("3명이 1잔씩", "세명이 한잔씩"),
        ("20살", "스무살"),
        ("2 시간", "두 시간"),
        ("3개월", "삼개월"),
        ("6월과 10월", "유월과 시월"),
        ("3.5%", "삼점오퍼센트"),
        ("2.05배", "이점영오배"),
        ("50 %", "오십퍼센트"),
        ("010-1234-5678", "영일영 일이삼사 오육칠팔"),
        ("007", "영영칠"),
        ("KTX 1호선", "KTX 일호선"),
        ("숫자 없음", "숫자 없음"),
    ],
)
def test_numbers_are_spelled_in_hangul(text: str, spelled: str) -> None:
    assert spell_numbers(text) == spelled


def test_scoring_form_keeps_only_letters_and_numbers() -> None:
    assert for_scoring("지난해 3월, 김 전 장관의 동료인…") == "지난해삼월김전장관의동료인"
    assert for_scoring("안철수 대표와 국민의당은 어떤 선택을 할까요?") == "안철수대표와국민의당은어떤선택을할까요"
    assert for_scoring("KTX·SRT 'Express'") == "ktxsrtexpress"
    assert for_scoring("２０１８년") == "이천십팔년"  # full-width digits through NFKC


def test_index_form_collapses_spaces_and_keeps_words() -> None:
    assert for_indexing("  2018년   완공을\n목표로. ") == "이천십팔년 완공을 목표로."


def test_reference_and_recogniser_spellings_meet() -> None:
    """The reference spells the year in Hangul with spaces between morphemes, Whisper writes digits."""
    reference = "공사는 이천 십 팔 년 완공 을 목표로 진행돼 왔다"
    hypothesis = "공사는 2018년 완공을 목표로 진행돼 왔다."
    assert for_scoring(reference) == for_scoring(hypothesis)
    assert cer(reference, hypothesis) == 0.0


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("abc", "", 3),
        ("", "abc", 3),
        ("kitten", "sitting", 3),  # k→s, e→i, +g
        ("flaw", "lawn", 2),  # -f, +n
        ("가나다라", "가다라", 1),
        ("가나다", "다나가", 2),
        ("동백꽃", "동백꽃", 0),
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


def test_cer_counts_substitutions_deletions_and_insertions_over_the_reference() -> None:
    # 장동련 홍익대 (6 syllables) heard as 장동량 홍입대: two substitutions
    assert cer("장동 련 홍익대", "장동량 홍입대") == pytest.approx(2 / 6)
    # deletion of one of 5
    assert cer("바람에나의", "바람에의") == pytest.approx(1 / 5)
    # insertions can push the rate past 1
    assert cer("가", "가나다") == pytest.approx(2.0)
    assert cer("", "") == 0.0
    assert cer("", "아") == 1.0


def test_cer_ignores_spacing_and_punctuation() -> None:
    assert cer("그 바람 에 나 의 몸 도", "그 바람에 나의 몸도.") == 0.0


def test_corpus_cer_weighs_clips_by_length() -> None:
    pairs = [("가나다라마바사아자차", "가나다라마바사아자카"), ("가나", "다라")]  # 1 of 10, 2 of 2
    assert char_errors(*pairs[0]) == CharErrors(1, 10)
    assert char_errors(*pairs[1]) == CharErrors(2, 2)
    assert corpus_cer(pairs) == pytest.approx(3 / 12)  # not the mean of 0.1 and 1.0
    assert corpus_cer([]) == 0.0
