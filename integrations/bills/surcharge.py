"""Late charges per kind family, as data with their Korean description and legal source, and what has accrued
by a given day (pure).

- 국세 납부지연가산세 (``DailyTaxSurcharge``): 3% once, then 0.022% a day for at most 5 years, the daily part
  only on a notice of 150만원 or more.
- 지방세 납부지연가산세 (``MonthlyTaxSurcharge``): 3% once, then 0.66% per full month for at most 60 months,
  the monthly part only on a notice of 45만원 or more.
- 4대보험 연체금 (``InsuranceArrears``): 1/1500 a day up to 2% for 30 days, then 1/6000 a day, 5% in all.
- 자동차검사 지연 과태료 (``InspectionFine``): 4만원, then 2만원 per 3 days from day 31, at most 60만원.

Each rule reads an ``Arrears``: the principal, the effective due date (already moved past weekends and
holidays), the payments made by the day asked about, and for an inspection the day the car was inspected.
Payments pay the principal first and the charge after (국세징수법 제3조 and 지방세징수법 제4조 rank the tax
itself before its 가산세; the in-memory ledger applies the same order to 연체금 and 과태료). A charge accrues
on what was still unpaid on each day: a payment made on day d stops the accrual from d + 1 (the law counts
"납부일까지"). Amounts are integer won; each component is computed exactly and cut down to the won (절사) once.
Collectors further drop amounts under 10원 on what they receive (국고금 관리법 제47조); that is not applied
here so every figure can be checked by hand.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

ONE_DAY = dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's last day (1월 31일 + 1개월 = 2월 28일/29일)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _share(amount: int, rate: Fraction) -> int:
    """``amount × rate`` cut down to the won."""
    return amount * rate.numerator // rate.denominator


@dataclass(frozen=True)
class Arrears:
    """What a late charge is computed from, as of ``today``: only payments made on or before ``today`` count."""

    principal_won: int
    due: dt.date  # the effective due date: the last day on which paying costs nothing extra
    today: dt.date
    payments: tuple[tuple[dt.date, int], ...] = ()  # (paid_on, amount_won)
    fulfilled_on: dt.date | None = None  # 자동차검사: the day the car was inspected

    def unpaid_on(self, day: dt.date) -> int:
        """The principal still unpaid during ``day``: payments made before that day count, principal first."""
        paid = sum(amount for paid_on, amount in self.payments if paid_on < day and paid_on <= self.today)
        return max(0, self.principal_won - paid)

    @property
    def unpaid_at_due(self) -> int:
        """The principal left unpaid when the due date ended: the 체납액 the charge is stated on."""
        return self.unpaid_on(self.due + ONE_DAY)

    def unpaid_day_sum(self, first: dt.date, last: dt.date) -> int:
        """Σ unpaid_on(d) for every day d from ``first`` to ``last`` inclusive (0 when last < first)."""
        if last < first:
            return 0
        changes = sorted({paid_on + ONE_DAY for paid_on, _ in self.payments if first < paid_on + ONE_DAY <= last})
        total, day = 0, first
        for change in [*changes, last + ONE_DAY]:
            total += self.unpaid_on(day) * (change - day).days
            day = change
        return total


@dataclass(frozen=True)
class SurchargeRule:
    """A late charge: its Korean name, what it is (read to the citizen), and the law it comes from."""

    name: str
    description: str
    source: str

    def accrued(self, arrears: Arrears) -> int:
        """The charge accrued by ``arrears.today`` (won, never negative)."""
        raise NotImplementedError

    def cap_won(self, principal_won: int, due: dt.date) -> int:
        """The most this charge can ever reach on that principal and due date."""
        raise NotImplementedError


@dataclass(frozen=True)
class DailyTaxSurcharge(SurchargeRule):
    """국세: ``once_rate`` of the 체납액 at once, then ``daily_rate`` a day for ``max_months`` (threshold applies)."""

    once_rate: Fraction = Fraction(3, 100)
    daily_rate: Fraction = Fraction(22, 100_000)
    max_months: int = 60
    daily_threshold_won: int = 1_500_000

    def accrued(self, arrears: Arrears) -> int:
        owed = arrears.unpaid_at_due
        if arrears.today <= arrears.due or owed == 0:
            return 0
        charge = _share(owed, self.once_rate)
        if owed >= self.daily_threshold_won:
            last = min(arrears.today, add_months(arrears.due, self.max_months))
            charge += _share(arrears.unpaid_day_sum(arrears.due + ONE_DAY, last), self.daily_rate)
        return charge

    def cap_won(self, principal_won: int, due: dt.date) -> int:
        days = (add_months(due, self.max_months) - due).days
        daily = _share(principal_won * days, self.daily_rate) if principal_won >= self.daily_threshold_won else 0
        return _share(principal_won, self.once_rate) + daily


@dataclass(frozen=True)
class MonthlyTaxSurcharge(SurchargeRule):
    """지방세: ``once_rate`` at once, then ``monthly_rate`` each full month for ``max_months`` (threshold applies).

    Month k is added on the day after ``due`` + k months (the month has then passed in full; "1개월 미만은
    없는 것으로 본다"), on the principal unpaid that day."""

    once_rate: Fraction = Fraction(3, 100)
    monthly_rate: Fraction = Fraction(66, 10_000)
    max_months: int = 60
    monthly_threshold_won: int = 450_000

    def months_passed(self, due: dt.date, today: dt.date) -> int:
        months = 0
        while months < self.max_months and add_months(due, months + 1) < today:
            months += 1
        return months

    def accrued(self, arrears: Arrears) -> int:
        owed = arrears.unpaid_at_due
        if arrears.today <= arrears.due or owed == 0:
            return 0
        charge = _share(owed, self.once_rate)
        if owed >= self.monthly_threshold_won:
            months = self.months_passed(arrears.due, arrears.today)
            base = sum(arrears.unpaid_on(add_months(arrears.due, k) + ONE_DAY) for k in range(1, months + 1))
            charge += _share(base, self.monthly_rate)
        return charge

    def cap_won(self, principal_won: int, due: dt.date) -> int:
        monthly = _share(principal_won * self.max_months, self.monthly_rate)
        return _share(principal_won, self.once_rate) + (monthly if principal_won >= self.monthly_threshold_won else 0)


@dataclass(frozen=True)
class InsuranceArrears(SurchargeRule):
    """4대보험 연체금: ``first_rate`` a day for ``first_days`` (at most ``first_cap``), then ``later_rate`` a day,
    at most ``total_cap`` in all — each cap a share of the 체납액 at the due date."""

    first_days: int = 30
    first_rate: Fraction = Fraction(1, 1500)
    first_cap: Fraction = Fraction(20, 1000)
    later_rate: Fraction = Fraction(1, 6000)
    total_cap: Fraction = Fraction(50, 1000)

    def accrued(self, arrears: Arrears) -> int:
        owed = arrears.unpaid_at_due
        if arrears.today <= arrears.due or owed == 0:
            return 0
        switch = arrears.due + dt.timedelta(days=self.first_days)
        first = _share(arrears.unpaid_day_sum(arrears.due + ONE_DAY, min(arrears.today, switch)), self.first_rate)
        later = _share(arrears.unpaid_day_sum(switch + ONE_DAY, arrears.today), self.later_rate)
        return min(min(first, _share(owed, self.first_cap)) + later, _share(owed, self.total_cap))

    def cap_won(self, principal_won: int, due: dt.date) -> int:
        return _share(principal_won, self.total_cap)


@dataclass(frozen=True)
class InspectionFine(SurchargeRule):
    """자동차검사 지연 과태료: ``base_won`` when up to ``grace_days`` late; from day ``grace_days`` + 1,
    ``step_won`` more each time another ``step_days`` have passed in full; at most ``max_won``. Days late run from
    the end of the inspection window to the inspection (or to today, while the car is not inspected)."""

    base_won: int = 40_000
    grace_days: int = 30
    step_days: int = 3
    step_won: int = 20_000
    max_won: int = 600_000

    def fine_for(self, days_late: int) -> int:
        if days_late <= 0:
            return 0
        steps = max(0, days_late - self.grace_days - 1) // self.step_days
        return min(self.base_won + steps * self.step_won, self.max_won)

    def accrued(self, arrears: Arrears) -> int:
        end = arrears.today
        if arrears.fulfilled_on is not None and arrears.fulfilled_on <= arrears.today:
            end = arrears.fulfilled_on
        return self.fine_for((end - arrears.due).days)

    def cap_won(self, principal_won: int, due: dt.date) -> int:
        return self.max_won


NATIONAL_TAX_SURCHARGE = DailyTaxSurcharge(
    name="납부지연가산세",
    description=(
        "고지서의 납부기한까지 내지 않은 세액에 3%가 한 번 더해지고, 납부기한 다음 날부터 내는 날까지 하루 "
        "0.022%(10만분의 22)가 더해집니다. 하루 단위 가산은 5년까지이며, 고지서별·세목별 체납액이 150만원 "
        "미만이면 하루 단위 가산은 없습니다."
    ),
    source=(
        "국세기본법 제47조의4(납부지연가산세) 제1항 제1호·제3호, 같은 조의 5년 한도와 150만원 미만 적용 "
        "제외; 같은 법 시행령 제27조의4(1일 10만분의 22)"
    ),
)

LOCAL_TAX_SURCHARGE = MonthlyTaxSurcharge(
    name="납부지연가산세",
    description=(
        "고지서의 납부기한까지 내지 않은 세액에 3%가 한 번 더해지고, 체납액이 45만원 이상이면 납부기한이 "
        "지난 뒤 1개월이 지날 때마다 0.66%(1만분의 66)가 60개월까지 더해집니다. 1개월 미만은 셈하지 않습니다."
    ),
    source=(
        "지방세기본법 제55조(납부지연가산세) 제1항 제3호·제4호(60개월 한도, 45만원 미만 적용 제외), "
        "같은 법 시행령 제34조(월 1만분의 66); 2024년 1월 1일 가산금·중가산금 통합"
    ),
)

SOCIAL_INSURANCE_ARREARS = InsuranceArrears(
    name="연체금",
    description=(
        "납부기한이 지난 날부터 30일까지는 하루에 체납액의 1,500분의 1(최대 2%)이, 그 뒤로는 하루에 "
        "6,000분의 1이 더해지며, 모두 합해 체납액의 5%를 넘지 않습니다."
    ),
    source=(
        "국민건강보험법 제80조(건강보험료), 국민연금법 제97조(연금보험료), 고용보험 및 산업재해보상보험의 "
        "보험료징수 등에 관한 법률 제25조(고용·산재보험료)"
    ),
)

INSPECTION_FINE = InspectionFine(
    name="검사 지연 과태료",
    description=(
        "검사기간이 끝난 뒤 30일까지는 과태료 4만원이고, 31일째부터 3일이 지날 때마다 2만원이 더해져 "
        "최고 60만원(115일째부터)입니다."
    ),
    source="자동차관리법 제84조(과태료), 같은 법 시행령 별표 2(과태료의 부과기준, 2022년 4월 14일 시행)",
)
