"""The in-memory self-service ports (the integrations' own) and the IVR's helper that turns a SelfService action
into a PortResult."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from integrations.bills.memory import InMemoryBillLedger, demo_bill_ledger
from integrations.bills.port import Bill, BillLedger, BillLedgerUnavailable
from integrations.certificates.memory import InMemoryCertificateIssuer, demo_certificate_issuer
from integrations.certificates.port import CertificateIssuer, CertificateIssuerUnavailable
from integrations.errors import ServiceUnavailable
from telephony.ivr.actions import SelfService
from telephony.ivr.ports import run_self_service


def test_demo_ledger_has_bills_for_even_demo_citizens() -> None:
    ledger: BillLedger = demo_bill_ledger()
    bill = ledger.lookup_bill("010-5000-0002", "종합소득세")
    assert bill == Bill("종합소득세", 1_236_580, dt.date(2026, 5, 31))
    assert ledger.lookup_bill("010-5000-0001", "종합소득세") is None


def test_demo_issuer_numbers_receipts_in_sequence() -> None:
    issuer: CertificateIssuer = demo_certificate_issuer()
    first = issuer.reissue("납세증명서", "010-5000-0003")
    second = issuer.reissue("소득금액증명", "010-5000-0003")
    assert first is not None and re.fullmatch(r"R-\d{4}-000001", first.receipt_number)
    assert second is not None and re.fullmatch(r"R-\d{4}-000002", second.receipt_number)  # the year issued
    assert issuer.reissue("납세증명서", "010-9999-9999") is None
    assert issuer.reissue("가족관계증명서", "010-5000-0003") is None


def test_run_self_service_maps_answers_and_outages() -> None:
    ledger, issuer = demo_bill_ledger(), demo_certificate_issuer()
    found = run_self_service(SelfService("bill-inquiry", "자동차세", "010-5000-0000"), ledger, issuer)
    assert isinstance(found.value, Bill) and found.error is None
    receipt = run_self_service(SelfService("certificate-reissue", "납세증명서", "010-5000-0000"), ledger, issuer)
    assert receipt.value is not None and receipt.error is None
    down = run_self_service(
        SelfService("bill-inquiry", "자동차세", "010-5000-0000"), InMemoryBillLedger(available=False), issuer
    )
    assert down.value is None and down.error == "bill ledger unavailable"
    down = run_self_service(
        SelfService("certificate-reissue", "납세증명서", "x"), ledger, InMemoryCertificateIssuer(available=False)
    )
    assert down.error == "certificate issuer unavailable"
    unknown = run_self_service(SelfService("parking-fine", "주차", "x"), ledger, issuer)
    assert unknown.error is not None


def test_an_outage_is_each_system_s_own_error_with_a_stable_code() -> None:
    with pytest.raises(BillLedgerUnavailable) as bills:
        InMemoryBillLedger(available=False).lookup_bill("010-5000-0000", "자동차세")
    with pytest.raises(CertificateIssuerUnavailable) as certificates:
        InMemoryCertificateIssuer(available=False).reissue("납세증명서", "010-5000-0000")
    assert isinstance(bills.value, ServiceUnavailable) and isinstance(certificates.value, ServiceUnavailable)
    assert (bills.value.code, certificates.value.code) == ("bill-ledger-unavailable", "certificate-issuer-unavailable")
