"""The 고지서 (notice) a citizen receives — 국세, 지방세, 4대보험, 자동차 정기검사 — and where it stands on a
given day: unpaid, paid or overdue, with the late charge of its kind family and the amount due then (pure).

A ``NoticeRecord`` is what a ledger keeps: what was issued and what was paid. ``NoticeRecord.as_of(today)``
gives a ``Notice``: the record with its ``Standing`` on that day. Reading never changes an amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from integrations.bills.surcharge import (
    INSPECTION_FINE,
    LOCAL_TAX_SURCHARGE,
    NATIONAL_TAX_SURCHARGE,
    ONE_DAY,
    SOCIAL_INSURANCE_ARREARS,
    Arrears,
    SurchargeRule,
)
from kernel.calendar import WorkCalendar


class Family(StrEnum):
    NATIONAL_TAX = "국세"
    LOCAL_TAX = "지방세"
    SOCIAL_INSURANCE = "4대보험"
    VEHICLE_INSPECTION = "자동차검사"


class Status(StrEnum):
    UNPAID = "unpaid"  # open, not yet due
    PAID = "paid"  # nothing left to pay (for an inspection: inspected, and any fine paid)
    OVERDUE = "overdue"  # open after the due date: the late charge runs


class Channel(StrEnum):
    """How the citizen receives electronic notices (전자고지), or by post."""

    KAKAOTALK = "kakaotalk"
    NAVER = "naver"
    EMAIL = "email"
    SMS = "sms"
    POST = "post"

    @property
    def label(self) -> str:
        return CHANNEL_LABELS[self]


CHANNEL_LABELS: Mapping[Channel, str] = {
    Channel.KAKAOTALK: "카카오톡",
    Channel.NAVER: "네이버",
    Channel.EMAIL: "이메일",
    Channel.SMS: "문자",
    Channel.POST: "우편",
}


@dataclass(frozen=True)
class KindInfo:
    family: Family
    agency: str  # who usually issues it; a record names the actual office (강남세무서, 서울특별시 강남구 …)


# 4대보험 are collected together by 국민건강보험공단 (사회보험 통합징수, since 2011), so it issues all four.
# The 자동차검사 notice comes from 한국교통안전공단; the late-inspection fine is imposed by the 시·군·구.
KINDS: Mapping[str, KindInfo] = {
    "종합소득세": KindInfo(Family.NATIONAL_TAX, "국세청"),
    "부가가치세": KindInfo(Family.NATIONAL_TAX, "국세청"),
    "양도소득세": KindInfo(Family.NATIONAL_TAX, "국세청"),
    "자동차세": KindInfo(Family.LOCAL_TAX, "시·군·구"),
    "재산세": KindInfo(Family.LOCAL_TAX, "시·군·구"),
    "주민세": KindInfo(Family.LOCAL_TAX, "시·군·구"),
    "건강보험료": KindInfo(Family.SOCIAL_INSURANCE, "국민건강보험공단"),
    "국민연금보험료": KindInfo(Family.SOCIAL_INSURANCE, "국민건강보험공단"),
    "고용보험료": KindInfo(Family.SOCIAL_INSURANCE, "국민건강보험공단"),
    "산재보험료": KindInfo(Family.SOCIAL_INSURANCE, "국민건강보험공단"),
    "자동차 정기검사": KindInfo(Family.VEHICLE_INSPECTION, "시·군·구"),
}

RULES: Mapping[Family, SurchargeRule] = {
    Family.NATIONAL_TAX: NATIONAL_TAX_SURCHARGE,
    Family.LOCAL_TAX: LOCAL_TAX_SURCHARGE,
    Family.SOCIAL_INSURANCE: SOCIAL_INSURANCE_ARREARS,
    Family.VEHICLE_INSPECTION: INSPECTION_FINE,
}


class WorkingDays(Protocol):
    def is_working_day(self, day: dt.date) -> bool: ...


def effective_due(due: dt.date, calendar: WorkingDays) -> dt.date:
    """A due date on a Saturday, Sunday or public holiday moves to the next working day (국세기본법 제5조,
    지방세기본법 제24조; for the others 행정기본법 제6조 and 민법 제161조)."""
    while not calendar.is_working_day(due):
        due += ONE_DAY
    return due


@dataclass(frozen=True)
class Payment:
    paid_on: dt.date
    amount_won: int
    channel: str  # how it was paid: 가상계좌, 계좌이체, 자동이체, 신용카드 …

    def __post_init__(self) -> None:
        if self.amount_won <= 0:
            raise ValueError(f"a payment is a positive amount of won, not {self.amount_won}")


@dataclass(frozen=True)
class VirtualAccount:
    """The notice's own account to pay into (가상계좌): the agency's, not the citizen's."""

    bank: str
    number: str
    holder: str


@dataclass(frozen=True)
class NoticeRecord:
    """A 고지서 as the ledger keeps it: what was issued, and the payments received since.

    ``due`` is the date printed on the notice (for an inspection: the last day of the inspection window);
    ``principal_won`` is the amount issued (0 for an inspection, which owes only its fine when late);
    ``fulfilled_on`` is the day the car was inspected (inspections only)."""

    id: str
    kind: str
    agency: str
    period: str  # 귀속 기간, as printed: "2025년 귀속", "2026년 4월분", "2026년 1기" …
    principal_won: int
    issued_on: dt.date
    due: dt.date
    virtual_account: VirtualAccount
    notice_channel: Channel  # the electronic-notice channel the citizen chose
    payments: tuple[Payment, ...] = ()
    fulfilled_on: dt.date | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown notice kind {self.kind!r}")
        if self.principal_won < 0:
            raise ValueError("a notice's principal is never negative")
        if self.fulfilled_on is not None and self.family is not Family.VEHICLE_INSPECTION:
            raise ValueError("only an inspection notice is fulfilled by an inspection")

    @property
    def family(self) -> Family:
        return KINDS[self.kind].family

    @property
    def rule(self) -> SurchargeRule:
        return RULES[self.family]

    def as_of(self, today: dt.date, calendar: WorkingDays | None = None) -> Notice:
        """The notice with its standing on ``today``; payments dated after ``today`` are not counted."""
        due = effective_due(self.due, calendar or WorkCalendar())
        payments = tuple((p.paid_on, p.amount_won) for p in self.payments if p.paid_on <= today)
        arrears = Arrears(self.principal_won, due, today, payments, self.fulfilled_on)
        surcharge = self.rule.accrued(arrears)
        paid = sum(amount for _, amount in payments)
        unpaid_principal = max(0, self.principal_won - paid)
        amount_due = max(0, self.principal_won + surcharge - paid)
        inspected = self.fulfilled_on is not None and self.fulfilled_on <= today
        if amount_due == 0 and (self.family is not Family.VEHICLE_INSPECTION or inspected):
            status = Status.PAID
        elif today > due:
            status = Status.OVERDUE
        else:
            status = Status.UNPAID
        days_overdue = (today - due).days if status is Status.OVERDUE else 0
        standing = Standing(today, status, due, days_overdue, paid, unpaid_principal, surcharge, amount_due)
        return Notice(self, standing)


@dataclass(frozen=True)
class Standing:
    """Where a notice stands on ``as_of``; ``surcharge_won`` is the late charge accrued so far (paid or not)."""

    as_of: dt.date
    status: Status
    effective_due: dt.date
    days_overdue: int
    paid_won: int
    principal_unpaid_won: int
    surcharge_won: int
    amount_due_won: int

    @property
    def partly_paid(self) -> bool:
        return self.status is not Status.PAID and self.paid_won > 0


@dataclass(frozen=True)
class Notice:
    """A notice and its standing on the ledger's today: what the port answers."""

    record: NoticeRecord
    standing: Standing

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def kind(self) -> str:
        return self.record.kind

    @property
    def status(self) -> Status:
        return self.standing.status

    @property
    def amount_due_won(self) -> int:
        return self.standing.amount_due_won

    @property
    def is_open(self) -> bool:
        return self.standing.status is not Status.PAID
