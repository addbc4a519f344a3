"""급증 키워드: the z-score of a word's daily share against its trailing baseline (hand-computed cases)."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from analytics.trends.surge import EPSILON, surging

BASELINE = [(100, Counter({"마스크": 2, "백신": 10, "세금": 5})) for _ in range(27)] + [
    (100, Counter({"마스크": 4, "백신": 10, "세금": 5}))
]


def test_a_word_jumping_from_2_percent_to_30_percent_surges_with_the_documented_score() -> None:
    day = (200, Counter({"마스크": 60, "백신": 20, "세금": 10}))
    (surge,) = surging(day, BASELINE)
    shares = [0.02] * 27 + [0.04]
    mean = sum(shares) / 28
    var = sum((x - mean) ** 2 for x in shares) / 27
    expected = (0.30 - mean) / math.sqrt(var + mean * (1 - mean) / 200 + EPSILON)
    assert surge.token == "마스크" and surge.z == pytest.approx(expected)
    assert (surge.docs, surge.share) == (60, 0.30) and surge.ratio == pytest.approx(0.30 / mean)


def test_steady_words_do_not_surge_and_rare_words_need_support() -> None:
    steady = (100, Counter({"백신": 11, "세금": 4, "신조어": 2}))
    assert surging(steady, BASELINE) == [], "10% → 11% is noise; 2 documents are below the minimum"


def test_a_new_word_surges_with_a_finite_score_and_an_infinite_ratio() -> None:
    (surge,) = surging((50, Counter({"재난지원금": 10})), BASELINE)
    assert surge.token == "재난지원금" and math.isfinite(surge.z) and surge.ratio == math.inf


def test_more_documents_outrank_the_same_share_on_fewer() -> None:
    small = surging((40, Counter({"마스크": 12})), BASELINE)[0]
    large = surging((4000, Counter({"마스크": 1200})), BASELINE)[0]
    assert large.z > small.z


def test_an_empty_day_or_baseline_is_handled() -> None:
    assert surging((0, Counter()), BASELINE) == []
    assert [s.token for s in surging((10, Counter({"세금": 5})), [])] == ["세금"]
