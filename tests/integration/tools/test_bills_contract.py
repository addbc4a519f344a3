"""The bill ledger port's contract, run against every adapter: the in-memory ledger, and the HTTP adapter talking
to the reference service (``sori refsvc``) over real loopback HTTP. The reference serves the demo notices moved to
today (Seoul), so both are compared on notices built the same way: the demo moved to the same day.

HTTP only, beside: resends survive a restart of the reference service, its API refuses a resend without an
``Idempotency-Key`` and a call without the citizen header, and an answer the adapter cannot read (or a wrong API
key) is the ledger failing."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from integrations.bills.demo import demo_channels, demo_records_on
from integrations.bills.http_adapter import HttpBillLedger
from integrations.bills.memory import InMemoryBillLedger
from integrations.bills.model import Channel, Family, Status
from integrations.bills.port import (
    BillLedger,
    BillLedgerUnavailable,
    ChannelNotOnFile,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    NoticeNotFound,
)
from integrations.bills.reference_api import seoul_today
from integrations.settings import ToolConfig
from tests.support.postgres import free_port
from tests.support.refsvc import RefSvc, _spawn, key_of, write_keys

pytestmark = pytest.mark.integration

EVEN, ODD = "010-5000-0000", "010-5000-0001"  # demo citizens 0 and 1 (see integrations.bills.demo)
CONFIG = ToolConfig(read_timeout_s=10, deadline_s=20)


def expected() -> InMemoryBillLedger:
    """The notices as the reference service builds them, today."""
    today = seoul_today()
    return InMemoryBillLedger(demo_records_on(today), today=today, channels=demo_channels())


def http_ledger(refsvc: RefSvc, key: str | None = None) -> HttpBillLedger:
    return HttpBillLedger(refsvc.base("bills"), key or key_of("bills"), CONFIG)


@pytest.fixture(params=["in-memory", "http"])
def ledger(request: pytest.FixtureRequest) -> BillLedger:
    if request.param == "in-memory":
        return expected()
    return http_ledger(request.getfixturevalue("refsvc"))


def fresh_key() -> str:
    return f"contract-{uuid.uuid4()}"


def test_the_notices_are_the_demo_s_as_of_today_in_due_order(ledger: BillLedger) -> None:
    truth = expected()
    for ref in (EVEN, ODD, "010-5000-0013", "010-5000-0039"):
        found = ledger.notices(ref)
        assert found == truth.notices(ref)
        assert [n.record.due for n in found] == sorted(n.record.due for n in found)
        for status in Status:
            assert ledger.notices(ref, status=status) == [n for n in found if n.status is status]
    assert ledger.notices("010-9999-9999") == []


def test_every_status_occurs_and_the_ivr_s_kinds_are_open_for_an_even_citizen(ledger: BillLedger) -> None:
    mine = ledger.notices(EVEN)
    assert {n.status for n in mine} == set(Status)
    unpaid = {n.kind for n in ledger.notices(EVEN, status=Status.UNPAID)}
    assert {"종합소득세", "부가가치세", "자동차세"} <= unpaid
    assert {n.kind for n in ledger.notices(ODD, status=Status.UNPAID)} & {
        "종합소득세",
        "부가가치세",
        "자동차세",
    } == set()


def test_one_notice_states_its_amounts_and_late_charge(ledger: BillLedger) -> None:
    truth = expected()
    property_tax = next(n for n in truth.notices(EVEN) if n.kind == "재산세")  # 612,400원, overdue since 2025-09
    found = ledger.notice(EVEN, property_tax.id)
    assert found == property_tax
    assert found is not None and found.status is Status.OVERDUE and found.record.family is Family.LOCAL_TAX
    standing = found.standing
    assert standing.surcharge_won > found.record.principal_won * 3 // 100  # 3% and the monthly 0.66% besides
    assert standing.amount_due_won == found.record.principal_won + standing.surcharge_won - standing.paid_won
    assert found.record.rule.name == "납부지연가산세" and "지방세기본법" in found.record.rule.source
    health = next(n for n in truth.notices(EVEN) if n.kind == "건강보험료")  # paid on time by 자동이체
    assert ledger.notice(EVEN, health.id) == health and health.amount_due_won == 0


def test_an_unknown_notice_and_another_citizen_s_are_not_found(ledger: BillLedger) -> None:
    theirs = ledger.notices(EVEN)[0].id
    assert ledger.notice(ODD, theirs) is None
    assert ledger.notice(EVEN, "N-9999-99") is None
    assert ledger.notice(EVEN, "없는 고지서") is None
    for channel in (None, Channel.POST):
        with pytest.raises(NoticeNotFound):
            ledger.resend(ODD, theirs, channel, fresh_key())
        with pytest.raises(NoticeNotFound):
            ledger.resend(EVEN, "N-9999-99", channel, fresh_key())
    with pytest.raises(NoticeNotFound):
        ledger.resends(ODD, theirs)
    with pytest.raises(NoticeNotFound):
        ledger.resends(EVEN, "N-9999-99")


def test_lookup_bill_answers_the_open_notice_of_the_kind(ledger: BillLedger) -> None:
    car = next(n for n in expected().notices(EVEN) if n.kind == "자동차세")
    bill = ledger.lookup_bill(EVEN, "자동차세")
    assert bill is not None
    assert (bill.kind, bill.amount_won, bill.due) == ("자동차세", car.amount_due_won, car.record.due)
    assert ledger.lookup_bill(ODD, "종합소득세") is None  # paid
    assert ledger.lookup_bill(EVEN, "없는세목") is None
    assert ledger.lookup_bill("010-9999-9999", "자동차세") is None


def test_the_same_key_twice_sends_once(ledger: BillLedger) -> None:
    notice = ledger.notices(EVEN)[0]
    before = ledger.resends(EVEN, notice.id)
    key = fresh_key()
    first = ledger.resend(EVEN, notice.id, None, key)
    again = ledger.resend(EVEN, notice.id, None, key)
    assert again == first
    assert first.channel is notice.record.notice_channel and first.notice_id == notice.id
    assert first.idempotency_key == key and str(first.status) == "queued"
    assert ledger.resends(EVEN, notice.id) == [*before, first]
    other = ledger.resend(EVEN, notice.id, Channel.POST, fresh_key())  # a new key is a new resend
    assert other.id != first.id and ledger.resends(EVEN, notice.id) == [*before, first, other]


def test_the_same_key_with_another_request_is_refused_and_sends_nothing(ledger: BillLedger) -> None:
    first, second = ledger.notices(EVEN)[:2]
    key = fresh_key()
    ledger.resend(EVEN, first.id, Channel.POST, key)
    count = len(ledger.resends(EVEN, first.id)), len(ledger.resends(EVEN, second.id))
    with pytest.raises(IdempotencyKeyReused):
        ledger.resend(EVEN, first.id, first.record.notice_channel, key)  # another channel
    with pytest.raises(IdempotencyKeyReused):
        ledger.resend(EVEN, second.id, Channel.POST, key)  # another notice
    assert (len(ledger.resends(EVEN, first.id)), len(ledger.resends(EVEN, second.id))) == count


def test_a_channel_not_on_file_or_a_bad_key_is_refused(ledger: BillLedger) -> None:
    notice = ledger.notices(ODD)[0]  # citizen 1: 네이버 and post on file, no 문자
    with pytest.raises(ChannelNotOnFile) as refused:
        ledger.resend(ODD, notice.id, Channel.SMS, fresh_key())
    assert refused.value.details == {"channel": "sms"}
    for bad in ("", "x" * 201):
        with pytest.raises(IdempotencyKeyInvalid):
            ledger.resend(ODD, notice.id, None, bad)
    assert all(r.channel is not Channel.SMS for r in ledger.resends(ODD, notice.id))


# HTTP only -----------------------------------------------------------------------------------------------------


@pytest.fixture
def own_refsvc(tmp_path: Path) -> Iterator[list[RefSvc]]:
    """A reference service of this test's own playing only the ledger (it is restarted)."""
    write_keys(tmp_path)
    port = free_port()
    argv = [sys.executable, "-m", "integrations.refsvc", "--port", str(port), "--state-dir", str(tmp_path),
            "--only", "bills"]  # fmt: skip
    running = [_spawn(argv, port, tmp_path)]
    yield running
    running[-1].stop()


def test_resends_survive_a_restart_of_the_reference_service(own_refsvc: list[RefSvc]) -> None:
    ledger = http_ledger(own_refsvc[0])
    notice = ledger.notices(EVEN)[0]
    key = fresh_key()
    made = ledger.resend(EVEN, notice.id, Channel.POST, key)
    own_refsvc.append(own_refsvc[0].restart())
    again = http_ledger(own_refsvc[-1])
    assert again.resends(EVEN, notice.id) == [made]
    assert again.resend(EVEN, notice.id, Channel.POST, key) == made  # the key still answers its first resend
    with pytest.raises(IdempotencyKeyReused):
        again.resend(EVEN, notice.id, None, key)
    assert again.resend(EVEN, notice.id, Channel.POST, fresh_key()).id != made.id


def _call(refsvc: RefSvc, method: str, path: str, headers: dict[str, str], body: Any = None) -> requests.Response:
    return requests.request(method, refsvc.base("bills") + path, json=body, timeout=10,
                            headers={"x-api-key": key_of("bills"), **headers})  # fmt: skip


def test_the_reference_api_takes_the_citizen_in_a_header_and_a_resend_only_with_a_key(refsvc: RefSvc) -> None:
    notice = expected().notices(EVEN)[0]
    citizen = {"X-Citizen-Ref": EVEN}
    assert _call(refsvc, "GET", "/v1/notices", citizen).status_code == 200
    missing = _call(refsvc, "GET", "/v1/notices", {})
    assert missing.status_code == 422 and missing.json()["details"]["parameter"] == "X-Citizen-Ref"
    path = f"/v1/notices/{notice.id}/resends"
    keyless = _call(refsvc, "POST", path, citizen, {"channel": None})
    assert keyless.status_code == 400 and keyless.json()["error"] == "idempotency-key-required"
    key = {**citizen, "Idempotency-Key": fresh_key()}
    made, again = (_call(refsvc, "POST", path, key, {"channel": "post"}) for _ in range(2))
    assert (made.status_code, again.status_code) == (201, 200) and made.json() == again.json()
    reused = _call(refsvc, "POST", path, key, {"channel": None})
    assert reused.status_code == 422 and reused.json()["error"] == "bill-idempotency-key-reused"
    assert _call(refsvc, "GET", "/v1/bills/vehicle-tax", citizen).json()["kind"] == "자동차세"
    none = _call(refsvc, "GET", "/v1/bills/income-tax", {"X-Citizen-Ref": ODD})
    assert none.status_code == 404 and none.json()["error"] == "bill-not-found"
    assert _call(refsvc, "GET", "/v1/bills/소득세", citizen).status_code == 422


def test_a_wrong_key_or_an_unreadable_answer_is_the_ledger_failing(refsvc: RefSvc) -> None:
    with pytest.raises(BillLedgerUnavailable) as failed:
        http_ledger(refsvc, "wrong-key-0123456789abcdef").notices(EVEN)
    assert failed.value.details["reason"] == "unauthorized" and "고지·납부" in failed.value.message
    garbled = http_ledger(refsvc)
    garbled.client.call = lambda *args, **kwargs: {"items": [{"id": "N-0000-01"}]}  # type: ignore[method-assign]
    with pytest.raises(BillLedgerUnavailable) as unreadable:
        garbled.notices(EVEN)
    assert unreadable.value.details["reason"] == "protocol"
    garbled.client.call = lambda *args, **kwargs: {"kind": "자동차세", "amount_won": -1, "due": "2026-06-30"}  # type: ignore[method-assign]
    with pytest.raises(BillLedgerUnavailable):
        garbled.lookup_bill(EVEN, "자동차세")
