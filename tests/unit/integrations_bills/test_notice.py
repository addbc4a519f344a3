"""A notice's standing on a day: status across the due date (moved past weekends and holidays), payments
(full → paid, partial), the late charge in the amount due, the inspection notice, and the JSON shapes."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from integrations.bills.codec import bill_from_json, bill_to_json, notice_from_json, notice_to_json
from integrations.bills.model import Channel, Family, NoticeRecord, Payment, Status, VirtualAccount
from integrations.bills.port import Bill
from kernel.calendar import WorkCalendar

D = dt.date
CALENDAR = WorkCalendar()
ACCOUNT = VirtualAccount("국민은행", "56226050002011", "국세청")


DUE = D(2026, 3, 31)


def record(kind: str = "양도소득세", principal: int = 2_000_000, due: dt.date = DUE, *payments: Payment,
           fulfilled_on: dt.date | None = None) -> NoticeRecord:  # fmt: skip
    return NoticeRecord(
        id="N-1", kind=kind, agency="국세청 강남세무서", period="2025년 귀속", principal_won=principal,
        issued_on=D(2026, 3, 2), due=due, virtual_account=ACCOUNT, notice_channel=Channel.KAKAOTALK,
        payments=payments, fulfilled_on=fulfilled_on,
    )  # fmt: skip


def test_status_turns_overdue_the_day_after_the_due_date_and_the_amount_grows() -> None:
    notice = record()
    before, on_due = (notice.as_of(D(2026, 3, d), CALENDAR) for d in (30, 31))
    assert before.status is Status.UNPAID and before.amount_due_won == 2_000_000
    assert on_due.status is Status.UNPAID and on_due.standing.days_overdue == 0
    late = notice.as_of(D(2026, 4, 1), CALENDAR)
    assert late.status is Status.OVERDUE and late.standing.days_overdue == 1
    assert (late.standing.surcharge_won, late.amount_due_won) == (60_440, 2_060_440)
    assert on_due.is_open and late.is_open


def test_a_due_date_on_a_sunday_moves_to_monday() -> None:
    notice = record("종합소득세", 1_236_580, D(2026, 5, 31))  # a Sunday
    monday = notice.as_of(D(2026, 6, 1), CALENDAR)
    assert monday.status is Status.UNPAID and monday.standing.effective_due == D(2026, 6, 1)
    tuesday = notice.as_of(D(2026, 6, 2), CALENDAR)
    assert tuesday.status is Status.OVERDUE and tuesday.amount_due_won == 1_236_580 + 37_097  # 3%, no daily part


def test_full_payment_before_the_due_date_is_paid_and_stays_paid() -> None:
    notice = record("양도소득세", 2_000_000, D(2026, 3, 31), Payment(D(2026, 3, 20), 2_000_000, "가상계좌"))
    assert notice.as_of(D(2026, 3, 19), CALENDAR).status is Status.UNPAID  # the payment is not made yet
    for day in (D(2026, 3, 20), D(2026, 4, 1), D(2030, 1, 1)):
        standing = notice.as_of(day, CALENDAR).standing
        assert (standing.status, standing.amount_due_won, standing.surcharge_won) == (Status.PAID, 0, 0)


def test_partial_payment_leaves_the_rest_open_and_charged() -> None:
    notice = record("양도소득세", 2_000_000, D(2026, 3, 31), Payment(D(2026, 3, 20), 500_000, "계좌이체"))
    before = notice.as_of(D(2026, 3, 25), CALENDAR).standing
    assert (before.status, before.paid_won, before.principal_unpaid_won, before.amount_due_won) == (
        Status.UNPAID, 500_000, 1_500_000, 1_500_000)  # fmt: skip
    assert before.partly_paid
    after = notice.as_of(D(2026, 4, 1), CALENDAR).standing
    assert (after.status, after.surcharge_won, after.amount_due_won) == (Status.OVERDUE, 45_330, 1_545_330)


def test_paying_the_principal_late_leaves_the_charge_due_until_it_is_paid() -> None:
    late = Payment(D(2026, 4, 1), 2_000_000, "가상계좌")
    notice = record("양도소득세", 2_000_000, D(2026, 3, 31), late)
    standing = notice.as_of(D(2026, 6, 1), CALENDAR).standing
    assert (standing.status, standing.principal_unpaid_won, standing.amount_due_won) == (Status.OVERDUE, 0, 60_440)
    settled = record("양도소득세", 2_000_000, D(2026, 3, 31), late, Payment(D(2026, 4, 2), 60_440, "가상계좌"))
    assert settled.as_of(D(2026, 6, 1), CALENDAR).status is Status.PAID


def test_an_inspection_notice_owes_nothing_until_late_and_is_paid_once_inspected() -> None:
    window_end = D(2026, 4, 10)
    open_ = record("자동차 정기검사", 0, window_end)
    assert open_.family is Family.VEHICLE_INSPECTION
    assert (open_.as_of(D(2026, 4, 1), CALENDAR).status, open_.as_of(D(2026, 4, 1), CALENDAR).amount_due_won) == (
        Status.UNPAID, 0)  # fmt: skip
    assert open_.as_of(D(2026, 5, 20), CALENDAR).amount_due_won == 100_000  # 40 days late
    on_time = record("자동차 정기검사", 0, window_end, fulfilled_on=D(2026, 4, 3))
    assert on_time.as_of(D(2026, 5, 20), CALENDAR).status is Status.PAID
    late = record("자동차 정기검사", 0, window_end, fulfilled_on=D(2026, 5, 20))
    assert late.as_of(D(2026, 12, 1), CALENDAR).standing.amount_due_won == 100_000
    fine_paid = record("자동차 정기검사", 0, window_end, Payment(D(2026, 5, 21), 100_000, "가상계좌"),
                       fulfilled_on=D(2026, 5, 20))  # fmt: skip
    assert fine_paid.as_of(D(2026, 12, 1), CALENDAR).status is Status.PAID


def test_a_record_refuses_what_cannot_be() -> None:
    with pytest.raises(ValueError, match="kind"):
        record("주차위반")
    with pytest.raises(ValueError, match="positive"):
        Payment(D(2026, 1, 1), 0, "가상계좌")
    with pytest.raises(ValueError, match="inspection"):
        record("양도소득세", fulfilled_on=D(2026, 1, 1))


def test_a_notice_round_trips_through_json_with_its_rule_written_out() -> None:
    notice = record("양도소득세", 2_000_000, D(2026, 3, 31), Payment(D(2026, 4, 5), 1_000_000, "가상계좌"))
    standing = notice.as_of(D(2026, 4, 10), CALENDAR)
    body = json.loads(json.dumps(notice_to_json(standing), ensure_ascii=False))
    assert body["standing"] == {
        "as_of": "2026-04-10", "status": "overdue", "effective_due": "2026-03-31", "days_overdue": 10,
        "paid_won": 1_000_000, "principal_unpaid_won": 1_000_000, "surcharge_won": 63_300,
        "amount_due_won": 1_063_300, "partly_paid": True,
    }  # fmt: skip
    assert body["virtual_account"] == {"bank": "국민은행", "number": "56226050002011", "holder": "국세청"}
    assert body["surcharge_rule"]["name"] == "납부지연가산세" and "제47조의4" in body["surcharge_rule"]["source"]
    assert (body["family"], body["notice_channel"]) == ("국세", "kakaotalk")
    assert notice_from_json(body) == standing
    bill = Bill("자동차세", 142_340, D(2026, 6, 30))
    assert bill_from_json(json.loads(json.dumps(bill_to_json(bill)))) == bill


@pytest.mark.parametrize(
    "broken",
    [{}, {"principal_won": -1}, {"principal_won": True}, {"due": 20260331}, {"notice_channel": "fax"},
     {"standing": {"status": "late"}}],
)  # fmt: skip
def test_a_malformed_notice_document_is_a_value_error(broken: dict[str, object]) -> None:
    body = notice_to_json(record().as_of(D(2026, 4, 1), CALENDAR))
    body = {} if not broken else {**body, **broken}
    with pytest.raises(ValueError):
        notice_from_json(body)
