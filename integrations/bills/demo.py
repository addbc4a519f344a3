"""The demo citizens' notices: every kind family and every status, deterministic, as of ``DEMO_TODAY`` (pure).

As before, every even demo citizen owes 종합소득세, 부가가치세 and 자동차세 (the IVR's three kinds, amounts
varied per citizen) and no odd one has them open (their 종합소득세 is paid). Besides (i: the citizen's index):

- 건강보험료 2026년 4월분, due 2026-05-10 (a Sunday: payable without charge until Monday 05-11):
  paid when i % 3 == 0, overdue when 1, partly paid (50,000원 on 05-15) and overdue when 2;
- 국민연금보험료 2026년 4월분: overdue when i % 5 == 4, else paid;
- 재산세 2025년 9월분: overdue with the monthly 0.66% when i % 5 == 0, overdue under 45만원 (3% only) when 2;
- 주민세 2025년 개인분: overdue (3%) when i % 7 == 6, else paid;
- 양도소득세: overdue with the daily 0.022% when i % 10 == 3, under 150만원 (3% only) when 7, partly paid when 9;
- 고용보험료 and 산재보험료 (self-employed): 고용 overdue and 산재 paid when i % 8 == 5, both paid when 1;
- 자동차 정기검사: 40 days late and not inspected when i % 4 == 1 (100,000원), window still open when 3,
  inspected on time when i % 8 == 2, inspected 47 days late with the 140,000원 fine paid when 6, unpaid when 0 or 4.

``demo_records_on(day)`` moves every date by whole days so that ``day`` stands where ``DEMO_TODAY`` does: the
reference service (``sori refsvc``) serves that, so unpaid, overdue and paid notices exist whatever day the demo
runs (a weekend or holiday may move an effective due date by a day or two; the period labels stay as printed,
except an inspection's window, which is stated in dates and follows its due date).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from integrations.bills.model import KINDS, Channel, Family, NoticeRecord, Payment, VirtualAccount
from integrations.demo_citizens import demo_citizens

DEMO_TODAY = dt.date(2026, 5, 20)

DEMO_BILL_KINDS: Mapping[str, tuple[int, dt.date]] = {
    "종합소득세": (1_234_560, dt.date(2026, 5, 31)),
    "부가가치세": (387_200, dt.date(2026, 7, 25)),
    "자동차세": (142_340, dt.date(2026, 6, 30)),
}
_IVR_PERIODS = {"종합소득세": "2025년 귀속", "부가가치세": "2026년 1기 확정", "자동차세": "2026년 1기"}

_CHOSEN = (Channel.KAKAOTALK, Channel.NAVER, Channel.EMAIL, Channel.SMS, Channel.POST)
_TAX_OFFICES = ("강남세무서", "종로세무서", "부산진세무서", "대전세무서", "광주세무서")
_LOCAL = ("서울특별시 강남구", "서울특별시 종로구", "부산광역시 부산진구", "대전광역시 서구", "광주광역시 북구")
_BANKS = ("국민은행", "신한은행", "우리은행", "하나은행", "농협은행", "기업은행")


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class _Citizen:
    """Builds one citizen's notices, numbering them and giving each its own virtual account."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.records: list[NoticeRecord] = []

    def agency(self, kind: str) -> str:
        family = KINDS[kind].family
        if family is Family.NATIONAL_TAX:
            return f"국세청 {_TAX_OFFICES[self.index % 5]}"
        if family is Family.SOCIAL_INSURANCE:
            return "국민건강보험공단"
        return _LOCAL[self.index % 5]

    def add(
        self, kind: str, period: str, principal: int, issued: str, due: str, *payments: Payment, inspected: str = ""
    ) -> None:
        number = len(self.records) + 1
        agency = self.agency(kind)
        bank = _BANKS[(self.index + number) % len(_BANKS)]
        check = (self.index * 7 + number) % 10
        account = f"{560 + (self.index + number) % len(_BANKS)}2605{self.index:04d}{number:02d}{check}"
        holder = "국세청" if agency.startswith("국세청") else agency
        self.records.append(
            NoticeRecord(
                id=f"N-{self.index:04d}-{number:02d}",
                kind=kind,
                agency=agency,
                period=period,
                principal_won=principal,
                issued_on=_d(issued),
                due=_d(due),
                virtual_account=VirtualAccount(bank, account, holder),
                notice_channel=_CHOSEN[self.index % 5],
                payments=payments,
                fulfilled_on=_d(inspected) if inspected else None,
            )
        )


def _paid(on: str, amount: int, channel: str = "가상계좌") -> Payment:
    return Payment(_d(on), amount, channel)


def _citizen_notices(i: _Citizen) -> None:
    n = i.index
    if n % 2 == 0:
        for kind, (amount, due) in DEMO_BILL_KINDS.items():
            i.add(kind, _IVR_PERIODS[kind], amount + n * 1_010, "2026-05-01", due.isoformat())
    else:
        income = 845_000 + n * 1_010
        i.add("종합소득세", "2025년 귀속", income, "2026-05-01", "2026-05-31", _paid("2026-05-12", income))

    health = 98_760 + n * 130
    health_paid = {0: (_paid("2026-05-08", health, "자동이체"),), 1: (), 2: (_paid("2026-05-15", 50_000, "계좌이체"),)}
    i.add("건강보험료", "2026년 4월분", health, "2026-04-20", "2026-05-10", *health_paid[n % 3])
    pension = () if n % 5 == 4 else (_paid("2026-05-08", 182_250, "자동이체"),)
    i.add("국민연금보험료", "2026년 4월분", 182_250, "2026-04-20", "2026-05-10", *pension)

    if n % 5 == 0:
        i.add("재산세", "2025년 9월분(주택 2기)", 612_400 + n * 1_000, "2025-09-10", "2025-09-30")
    elif n % 5 == 2:
        i.add("재산세", "2025년 9월분(주택 2기)", 128_300, "2025-09-10", "2025-09-30")
    else:
        i.add("재산세", "2025년 9월분(주택 2기)", 96_500, "2025-09-10", "2025-09-30", _paid("2025-09-25", 96_500))
    resident = () if n % 7 == 6 else (_paid("2025-08-20", 11_000),)
    i.add("주민세", "2025년 개인분", 11_000, "2025-08-10", "2025-08-31", *resident)

    if n % 10 == 3:
        i.add("양도소득세", "2025년 귀속", 8_450_000, "2026-03-02", "2026-03-31")
    elif n % 10 == 7:
        i.add("양도소득세", "2025년 귀속", 1_120_000, "2026-03-02", "2026-03-31")
    elif n % 10 == 9:
        i.add("양도소득세", "2025년 귀속", 2_300_000, "2026-03-02", "2026-03-31", _paid("2026-04-15", 1_000_000))

    if n % 8 in (1, 5):
        employment = () if n % 8 == 5 else (_paid("2026-05-08", 54_000, "자동이체"),)
        i.add("고용보험료", "2026년 4월분", 54_000, "2026-04-20", "2026-05-10", *employment)
        i.add("산재보험료", "2026년 4월분", 31_200, "2026-04-20", "2026-05-10", _paid("2026-05-08", 31_200, "자동이체"))

    inspection = "자동차 정기검사"
    if n % 4 == 1:
        i.add(inspection, "2026년 정기검사 (검사기간 03-11 ~ 04-10)", 0, "2026-02-25", "2026-04-10")
    elif n % 4 == 3:
        i.add(inspection, "2026년 정기검사 (검사기간 05-16 ~ 06-15)", 0, "2026-05-01", "2026-06-15")
    elif n % 8 == 2:
        period = "2026년 정기검사 (검사기간 02-03 ~ 03-05)"
        i.add(inspection, period, 0, "2026-01-20", "2026-03-05", inspected="2026-02-20")
    else:  # n % 8 in (0, 4, 6): inspected 47 days late, the fine paid only when 6
        fine = (_paid("2026-03-10", 140_000),) if n % 8 == 6 else ()
        period = "2026년 정기검사 (검사기간 12-10 ~ 01-09)"
        i.add(inspection, period, 0, "2025-11-25", "2026-01-09", *fine, inspected="2026-02-25")


def demo_records() -> list[tuple[str, NoticeRecord]]:
    """(citizen_ref, notice) for every demo citizen, in citizen order."""
    found: list[tuple[str, NoticeRecord]] = []
    for index, ref in enumerate(demo_citizens()):
        citizen = _Citizen(index)
        _citizen_notices(citizen)
        found.extend((ref, record) for record in citizen.records)
    return found


def demo_records_on(day: dt.date) -> list[tuple[str, NoticeRecord]]:
    """``demo_records()`` moved by whole days so that ``day`` stands where ``DEMO_TODAY`` does."""
    shift = day - DEMO_TODAY
    return [(ref, _moved(record, shift)) for ref, record in demo_records()]


def _moved(record: NoticeRecord, shift: dt.timedelta) -> NoticeRecord:
    due = record.due + shift
    period = record.period
    if record.kind == "자동차 정기검사":  # the window's dates are in the label: it ends on the due date
        start = due - dt.timedelta(days=30)
        period = f"{due.year}년 정기검사 (검사기간 {start:%m-%d} ~ {due:%m-%d})"
    return dataclasses.replace(
        record,
        period=period,
        issued_on=record.issued_on + shift,
        due=due,
        payments=tuple(dataclasses.replace(p, paid_on=p.paid_on + shift) for p in record.payments),
        fulfilled_on=record.fulfilled_on + shift if record.fulfilled_on is not None else None,
    )


def demo_channels() -> dict[str, set[Channel]]:
    """Each demo citizen's channels on file: the one they chose, post (their address), and 문자 for every third."""
    return {
        ref: {_CHOSEN[index % 5], Channel.POST} | ({Channel.SMS} if index % 3 == 0 else set())
        for index, ref in enumerate(demo_citizens())
    }
