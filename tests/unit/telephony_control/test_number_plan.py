"""The edge's number plan from the real centers file: which centers a dialled number may reach."""

from __future__ import annotations

import pytest

from sori.seed.demo import CENTERS_FILE, read_centers_file
from telephony.edge.numbers import NumberPlan, caller_area_code

CENTERS, _ = read_centers_file(CENTERS_FILE)
PLAN = NumberPlan.from_centers(CENTERS)


def test_every_active_center_is_reachable_by_its_number() -> None:
    for center in CENTERS:
        assert center.code in PLAN.candidates(center.public_number.replace("-", ""), "01012345678")


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        ("0212345678", ("SEOUL120",)),
        ("0311234567", ("GYEONGGI120",)),
        ("0511234567", ("BUSAN120",)),
        ("0421234567", None),  # 대전 has no 120 center in the file: every 120 center is a candidate
        ("01012345678", None),  # mobile: the region menu decides
        ("+82212345678", ("SEOUL120",)),
    ],
)
def test_the_shared_120_is_narrowed_by_the_callers_area_code(caller: str, expected: tuple[str, ...] | None) -> None:
    found = PLAN.candidates("120", caller)
    all_120 = tuple(c.code for c in CENTERS if c.public_number == "120")
    assert found == (expected if expected is not None else all_120)
    assert len(all_120) == 7


def test_unknown_numbers_have_no_candidates() -> None:
    assert PLAN.candidates("999", "0212345678") == ()
    assert PLAN.candidates("", "0212345678") == ()


@pytest.mark.parametrize(
    ("caller", "area"),
    [
        ("0212345678", "02"),
        ("021234567", "02"),
        ("0311234567", "031"),
        ("0641234567", "064"),
        ("01012345678", None),
        ("07012345678", None),
        ("15881234", None),
        ("", None),
    ],
)
def test_caller_area_code(caller: str, area: str | None) -> None:
    assert caller_area_code(caller) == area
