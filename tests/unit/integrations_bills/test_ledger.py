"""The in-memory ledger honours the port: notices as of its injected today, one citizen never sees another's,
``lookup_bill`` keeps its meaning, resends are idempotent and refused on a channel not on file, an outage is
the ledger's own error; and the demo ledger covers every family and status."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

import pytest

from integrations.bills.http_status import STATUS
from integrations.bills.memory import InMemoryBillLedger, demo_bill_ledger
from integrations.bills.model import Channel, Family, NoticeRecord, Payment, Status, VirtualAccount
from integrations.bills.outbox import ResendStatus
from integrations.bills.port import (
    Bill,
    BillLedger,
    BillLedgerUnavailable,
    ChannelNotOnFile,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    NoticeNotFound,
)
from integrations.demo_citizens import demo_citizens
from integrations.http_status import STATUS as INTEGRATIONS_STATUS
from kernel.errors import DomainError

D = dt.date
ME, OTHER = "010-5000-0010", "010-5000-0011"


def notice(id_: str, kind: str, principal: int, due: dt.date, *payments: Payment) -> NoticeRecord:
    return NoticeRecord(id_, kind, "서울특별시 강남구", "2026년 1기", principal, D(2026, 3, 2), due,
                        VirtualAccount("신한은행", "56126050001011", "서울특별시 강남구"), Channel.KAKAOTALK,
                        payments)  # fmt: skip


TODAY = D(2026, 5, 20)


def ledger(today: dt.date = TODAY, *, available: bool = True) -> InMemoryBillLedger:
    records = [
        (ME, notice("N-1", "자동차세", 500_000, D(2026, 3, 31))),
        (ME, notice("N-2", "자동차세", 142_340, D(2026, 6, 30))),
        (ME, notice("N-3", "재산세", 96_500, D(2025, 9, 30), Payment(D(2025, 9, 25), 96_500, "가상계좌"))),
        (OTHER, notice("N-9", "주민세", 11_000, D(2026, 8, 31))),
    ]
    channels = {ME: {Channel.KAKAOTALK, Channel.POST}, OTHER: {Channel.SMS}}
    return InMemoryBillLedger(records, today=today, channels=channels, available=available)


def test_notices_are_as_of_the_injected_today_sorted_by_due_and_filterable() -> None:
    mine = ledger().notices(ME)
    assert [(n.id, n.status) for n in mine] == [("N-3", Status.PAID), ("N-1", Status.OVERDUE), ("N-2", Status.UNPAID)]
    # 500,000 due 03-31, as of 05-20: 3% (15,000) + one full month of 0.66% (3,300).
    assert mine[1].amount_due_won == 518_300
    assert [n.id for n in ledger().notices(ME, status=Status.OVERDUE)] == ["N-1"]
    assert [n.status for n in ledger(D(2026, 3, 1)).notices(ME)] == [Status.PAID, Status.UNPAID, Status.UNPAID]
    days = iter([D(2026, 3, 31), D(2026, 4, 1)])
    moving = InMemoryBillLedger([(ME, notice("N-1", "자동차세", 500_000, D(2026, 3, 31)))], today=lambda: next(days))
    assert [moving.notices(ME)[0].amount_due_won for _ in range(2)] == [500_000, 515_000]


def test_a_citizen_never_sees_another_citizen_s_notice() -> None:
    books = ledger()
    assert books.notice(ME, "N-1") is not None and books.notice(OTHER, "N-1") is None
    assert books.notices("010-9999-9999") == []
    with pytest.raises(NoticeNotFound) as missing:
        books.resend(OTHER, "N-1", None, "k1")
    assert missing.value.code == "bill-notice-not-found" and missing.value.message == "해당 고지서를 찾을 수 없습니다."
    with pytest.raises(NoticeNotFound):
        books.resends(OTHER, "N-1")


def test_lookup_bill_answers_the_earliest_open_notice_of_the_kind_with_the_amount_due_now() -> None:
    books: BillLedger = ledger()
    assert books.lookup_bill(ME, "자동차세") == Bill("자동차세", 518_300, D(2026, 3, 31))
    assert books.lookup_bill(ME, "재산세") is None  # paid
    assert books.lookup_bill(ME, "종합소득세") is None and books.lookup_bill(ME, "주차위반") is None
    assert ledger(D(2026, 3, 1)).lookup_bill(ME, "자동차세") == Bill("자동차세", 500_000, D(2026, 3, 31))


def test_a_double_click_resends_once() -> None:
    books = ledger()
    first = books.resend(ME, "N-1", None, "click-1")
    again = books.resend(ME, "N-1", Channel.KAKAOTALK, "click-1")  # same request: the chosen channel, named
    assert again == first and (first.channel, first.status, first.requested_on) == (
        Channel.KAKAOTALK, ResendStatus.QUEUED, D(2026, 5, 20))  # fmt: skip
    assert books.outbox() == [first] and books.resends(ME, "N-1") == [first]
    second = books.resend(ME, "N-1", Channel.POST, "click-2")
    assert second.id != first.id and books.resends(ME, "N-1") == [first, second]


def test_the_same_key_with_another_request_is_refused_and_sends_nothing() -> None:
    books = ledger()
    books.resend(ME, "N-1", None, "k")
    for citizen, notice_id, channel in [(ME, "N-2", None), (ME, "N-1", Channel.POST), (OTHER, "N-9", Channel.SMS)]:
        with pytest.raises(IdempotencyKeyReused) as reused:
            books.resend(citizen, notice_id, channel, "k")
        assert reused.value.code == "bill-idempotency-key-reused" and "요청 키" in reused.value.message
    assert len(books.outbox()) == 1
    for bad in ("", "x" * 201, "tab\there"):
        with pytest.raises(IdempotencyKeyInvalid):
            books.resend(ME, "N-1", None, bad)


def test_a_channel_not_on_file_is_refused() -> None:
    books = ledger()
    with pytest.raises(ChannelNotOnFile) as refused:
        books.resend(ME, "N-1", Channel.EMAIL, "k")
    assert refused.value.code == "bill-channel-not-on-file" and refused.value.message.startswith("이메일")
    with pytest.raises(ChannelNotOnFile):  # OTHER chose 카카오톡 on the notice but has only 문자 on file
        books.resend(OTHER, "N-9", None, "k2")
    assert books.outbox() == [] and books.resend(OTHER, "N-9", Channel.SMS, "k").channel is Channel.SMS


def test_the_outbox_moves_a_resend_along_and_a_repeat_answers_its_current_state() -> None:
    books = ledger()
    resend = books.resend(ME, "N-1", None, "k")
    books.advance(resend.id, ResendStatus.SENT)
    assert books.outbox() == []
    delivered = books.advance(resend.id, ResendStatus.DELIVERED)
    assert books.resend(ME, "N-1", None, "k") == delivered and delivered.status is ResendStatus.DELIVERED
    with pytest.raises(ValueError):
        books.advance(resend.id, ResendStatus.FAILED)
    failed = books.advance(books.resend(ME, "N-2", None, "k2").id, ResendStatus.FAILED)
    assert failed.status is ResendStatus.FAILED


def test_an_outage_is_the_ledger_s_own_error_on_every_method() -> None:
    books = ledger(available=False)
    calls: list[Callable[[], object]] = [
        lambda: books.lookup_bill(ME, "자동차세"),
        lambda: books.notices(ME),
        lambda: books.notice(ME, "N-1"),
        lambda: books.resend(ME, "N-1", None, "k"),
        lambda: books.resends(ME, "N-1"),
    ]
    for call in calls:
        with pytest.raises(BillLedgerUnavailable):
            call()


def test_every_error_code_has_an_http_status_and_is_a_domain_error() -> None:
    for error in (NoticeNotFound("N-1"), ChannelNotOnFile(Channel.NAVER), IdempotencyKeyReused("k"),
                  IdempotencyKeyInvalid(), BillLedgerUnavailable("down")):  # fmt: skip
        assert isinstance(error, DomainError) and error.code in {**STATUS, **INTEGRATIONS_STATUS}


def test_the_demo_ledger_covers_every_family_and_status_and_keeps_the_ivr_s_bills() -> None:
    books = demo_bill_ledger()
    seen: Counter[tuple[Family, Status]] = Counter()
    partly, charged = 0, 0
    for index, ref in enumerate(demo_citizens()):
        for kind in ("종합소득세", "부가가치세", "자동차세"):
            assert (books.lookup_bill(ref, kind) is not None) is (index % 2 == 0), (ref, kind)
        for found in books.notices(ref):
            seen[(found.record.family, found.status)] += 1
            partly += found.standing.partly_paid
            charged += found.status is Status.OVERDUE and found.standing.surcharge_won > 0
            account = found.record.virtual_account
            assert account.bank.endswith("은행") and account.number.isdigit() and len(account.number) == 14
    for family in Family:
        assert seen[(family, Status.PAID)] and seen[(family, Status.OVERDUE)], family
    assert seen[(Family.NATIONAL_TAX, Status.UNPAID)] and seen[(Family.VEHICLE_INSPECTION, Status.UNPAID)]
    assert partly >= 10 and charged >= 40
    assert books.lookup_bill("010-5000-0002", "종합소득세") == Bill("종합소득세", 1_236_580, D(2026, 5, 31))
    later = demo_bill_ledger(D(2026, 6, 2)).lookup_bill("010-5000-0002", "종합소득세")
    assert later == Bill("종합소득세", 1_236_580 + 37_097, D(2026, 5, 31))  # overdue: 3% once, under 150만원


def test_the_demo_s_hand_checked_notices() -> None:
    books = demo_bill_ledger()
    transfer = books.notice("010-5000-0003", "N-0003-06")  # 양도소득세 8,450,000 due 03-31, 50 days late
    assert transfer is not None and transfer.standing.surcharge_won == 253_500 + 8_450_000 * 22 * 50 // 100_000
    # 010-5000-0001's inspection window ended 04-10 and the car is not inspected: 40 days late.
    (inspection,) = [n for n in books.notices("010-5000-0001") if n.record.family is Family.VEHICLE_INSPECTION]
    assert (inspection.status, inspection.amount_due_won) == (Status.OVERDUE, 100_000)
