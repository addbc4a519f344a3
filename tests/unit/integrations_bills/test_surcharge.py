"""Each family's late charge against hand-computed cases: day 0, day 1, a few days in, partial payments, the
threshold under which only the one-off part applies, and the cap."""

from __future__ import annotations

import datetime as dt

import pytest

from integrations.bills.surcharge import (
    INSPECTION_FINE,
    LOCAL_TAX_SURCHARGE,
    NATIONAL_TAX_SURCHARGE,
    SOCIAL_INSURANCE_ARREARS,
    Arrears,
    add_months,
)

D = dt.date


def on(rule_due: dt.date, principal: int, today: dt.date, *payments: tuple[dt.date, int]) -> Arrears:
    return Arrears(principal, rule_due, today, tuple(payments))


# 국세: 2,000,000원 due 2026-03-31 (a Tuesday).
NT_DUE = D(2026, 3, 31)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 3, 30), 0),
        (D(2026, 3, 31), 0),  # day 0: the due date itself costs nothing
        (D(2026, 4, 1), 60_000 + 440),  # 3% once + 2,000,000 × 22/100,000 × 1 day
        (D(2026, 4, 10), 60_000 + 4_400),  # 10 days
        (D(2031, 3, 30), 60_000 + 803_000),  # 1,825 days
        (D(2031, 3, 31), 60_000 + 803_440),  # 5 years = 1,826 days (2028 is a leap year): the cap
        (D(2040, 1, 1), 60_000 + 803_440),  # no more after 5 years
    ],
)
def test_national_tax_surcharge(today: dt.date, expected: int) -> None:
    assert NATIONAL_TAX_SURCHARGE.accrued(on(NT_DUE, 2_000_000, today)) == expected
    assert NATIONAL_TAX_SURCHARGE.cap_won(2_000_000, NT_DUE) == 863_440


def test_national_tax_under_1_5_million_has_only_the_3_percent_cut_down_to_the_won() -> None:
    # 1,499,990 × 3% = 44,999.7 → 44,999 (절사); no daily part under 150만원.
    assert NATIONAL_TAX_SURCHARGE.accrued(on(NT_DUE, 1_499_990, D(2026, 7, 9))) == 44_999
    assert NATIONAL_TAX_SURCHARGE.accrued(on(NT_DUE, 1_500_000, D(2026, 4, 1))) == 45_000 + 330


def test_national_tax_payments_reduce_what_accrues_from_the_next_day() -> None:
    # 1,000,000 paid on 04-05 (day 5): days 1–5 on 2,000,000, days 6–10 on 1,000,000.
    late = on(NT_DUE, 2_000_000, D(2026, 4, 10), (D(2026, 4, 5), 1_000_000))
    assert NATIONAL_TAX_SURCHARGE.accrued(late) == 60_000 + (5 * 2_000_000 + 5 * 1_000_000) * 22 // 100_000
    # 500,000 paid before the due date: the 체납액 is 1,500,000 (3% = 45,000; daily part applies).
    early = on(NT_DUE, 2_000_000, D(2026, 4, 1), (D(2026, 3, 20), 500_000))
    assert NATIONAL_TAX_SURCHARGE.accrued(early) == 45_000 + 330
    assert NATIONAL_TAX_SURCHARGE.accrued(on(NT_DUE, 2_000_000, D(2026, 5, 1), (NT_DUE, 2_000_000))) == 0


# 지방세: 1,000,000원 due 2025-09-30.
LT_DUE = D(2025, 9, 30)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2025, 9, 30), 0),  # day 0
        (D(2025, 10, 1), 30_000),  # day 1: 3% once
        (D(2025, 10, 30), 30_000),  # a month has not passed in full
        (D(2025, 10, 31), 36_600),  # + 0.66% (1/10,000 × 66)
        (D(2026, 1, 1), 49_800),  # 3 months: 30,000 + 3 × 6,600
        (D(2030, 9, 30), 30_000 + 59 * 6_600),
        (D(2030, 10, 1), 426_000),  # 60 months: 3% + 39.6% — the cap
        (D(2045, 1, 1), 426_000),
    ],
)
def test_local_tax_surcharge(today: dt.date, expected: int) -> None:
    assert LOCAL_TAX_SURCHARGE.accrued(on(LT_DUE, 1_000_000, today)) == expected
    assert LOCAL_TAX_SURCHARGE.cap_won(1_000_000, LT_DUE) == 426_000


def test_local_tax_under_450_thousand_has_only_the_3_percent() -> None:
    assert LOCAL_TAX_SURCHARGE.accrued(on(LT_DUE, 449_990, D(2027, 1, 1))) == 13_499  # 13,499.7 cut down
    assert LOCAL_TAX_SURCHARGE.accrued(on(LT_DUE, 450_000, D(2025, 10, 31))) == 13_500 + 2_970


def test_local_tax_monthly_part_is_on_what_is_unpaid_when_the_month_passes() -> None:
    # 600,000 paid on 10-15: month 1 (added 10-31) is on 400,000 — 30,000 + 2,640.
    paid = on(LT_DUE, 1_000_000, D(2025, 11, 1), (D(2025, 10, 15), 600_000))
    assert LOCAL_TAX_SURCHARGE.accrued(paid) == 30_000 + 2_640


# 4대보험 연체금: 100,000원 due 2026-05-11.
SI_DUE = D(2026, 5, 11)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, 0),
        (1, 66),  # 100,000 / 1,500 = 66.67 → 66
        (30, 2_000),  # 2% after 30 days
        (31, 2_016),  # + 100,000 / 6,000 = 16.67
        (209, 2_000 + 2_983),
        (210, 5_000),  # 2% + 180 × 1/6,000 = 5%: the cap
        (400, 5_000),
    ],
)
def test_social_insurance_arrears(days: int, expected: int) -> None:
    today = SI_DUE + dt.timedelta(days=days)
    assert SOCIAL_INSURANCE_ARREARS.accrued(on(SI_DUE, 100_000, today)) == expected
    assert SOCIAL_INSURANCE_ARREARS.cap_won(100_000, SI_DUE) == 5_000


def test_social_insurance_arrears_stop_when_paid() -> None:
    # Paid in full on day 9: nine days of 1/1,500 on 100,000 = 600, and no more afterwards.
    assert SOCIAL_INSURANCE_ARREARS.accrued(on(SI_DUE, 100_000, D(2026, 9, 1), (D(2026, 5, 20), 100_000))) == 600


@pytest.mark.parametrize(
    ("days_late", "fine"),
    [(0, 0), (1, 40_000), (30, 40_000), (33, 40_000), (34, 60_000), (40, 100_000), (114, 580_000),
     (115, 600_000), (500, 600_000)],
)  # fmt: skip
def test_inspection_fine(days_late: int, fine: int) -> None:
    due = D(2026, 4, 10)
    assert INSPECTION_FINE.accrued(on(due, 0, due + dt.timedelta(days=days_late))) == fine
    assert INSPECTION_FINE.fine_for(days_late) == fine


def test_inspection_fine_stops_growing_once_the_car_is_inspected() -> None:
    due = D(2026, 1, 9)
    inspected = Arrears(0, due, D(2026, 12, 1), (), fulfilled_on=D(2026, 2, 25))  # 47 days late
    assert INSPECTION_FINE.accrued(inspected) == 140_000
    future = Arrears(0, due, D(2026, 2, 1), (), fulfilled_on=D(2026, 2, 25))  # inspection after "today"
    assert INSPECTION_FINE.accrued(future) == 40_000  # 23 days late so far


def test_add_months_clamps_to_the_month_end() -> None:
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2027, 12, 31), 2) == D(2028, 2, 29)
    assert add_months(D(2025, 9, 30), 60) == D(2030, 9, 30)


def test_every_rule_states_its_name_description_and_source_in_korean() -> None:
    for rule, law in [
        (NATIONAL_TAX_SURCHARGE, "국세기본법 제47조의4"),
        (LOCAL_TAX_SURCHARGE, "지방세기본법 제55조"),
        (SOCIAL_INSURANCE_ARREARS, "국민건강보험법 제80조"),
        (INSPECTION_FINE, "자동차관리법"),
    ]:
        assert law in rule.source and rule.name and ("원" in rule.description or "%" in rule.description)
