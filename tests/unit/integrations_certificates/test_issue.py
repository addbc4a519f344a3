"""Issuing through the in-memory issuer: the port's answers, idempotency, deliveries only to contact points on
file, the stable errors, online verification by number and code, and the IVR's reissue."""

from __future__ import annotations

import json
import re

import pytest

from integrations.certificates import citizens, document, errors, kinds, signing
from integrations.certificates.http_status import STATUS
from integrations.certificates.memory import InMemoryCertificateIssuer, demo_certificate_issuer
from integrations.certificates.port import (
    CertificateIssuer,
    CertificateReceipt,
    Delivery,
    IssuedCertificate,
    IssueRequest,
    Verdict,
)
from integrations.http_status import STATUS as INTEGRATIONS_STATUS
from kernel.errors import DomainError
from tests.unit.integrations_certificates.conftest import NOW, make_issuer

HANGUL = re.compile(r"[가-힣]")


def test_issue_answers_a_json_serialisable_certificate(issuer: InMemoryCertificateIssuer) -> None:
    port: CertificateIssuer = issuer
    issued = port.issue(IssueRequest("010-5000-0003", "납세증명서", "phone", "email", "대출 신청용"))
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{4}", issued.issue_number)
    assert re.fullmatch(r"[A-Z2-9]{8}", issued.verification_code)
    assert (issued.kind, issued.kind_name, issued.fee, issued.receipt_number) == (
        "tax-payment",
        "납세증명서",
        0,
        "R-2026-000001",
    )
    assert issued.name == "최*은" and issued.issued_at.isoformat() == "2026-03-02T09:30:15+09:00"
    assert issued.verify_url == (
        f"https://verify.example.kr/gov24/verify?no={issued.issue_number}&code={issued.verification_code}"
    )
    assert IssuedCertificate.from_dict(json.loads(json.dumps(issued.to_dict()))) == issued
    request = IssueRequest("010-5000-0003", "납세증명서", "phone", "email", None, "k-1")
    assert IssueRequest.from_dict(json.loads(json.dumps(request.to_dict()))) == request
    assert port.get(issued.issue_number) == issued


def test_the_counter_fee_is_charged_on_the_counter_channel(issuer: InMemoryCertificateIssuer) -> None:
    counter = issuer.issue(IssueRequest("010-5000-0002", "주민등록표 초본", "counter", "post"))
    online = issuer.issue(IssueRequest("010-5000-0002", "주민등록표 초본", "online", "post"))
    assert (counter.fee, online.fee) == (400, 0)
    assert counter.issue_number != online.issue_number


def test_the_same_idempotency_key_issues_once(issuer: InMemoryCertificateIssuer) -> None:
    request = IssueRequest("010-5000-0000", "가족관계증명서", "online", "wallet", idempotency_key="call-77/1")
    first, again = issuer.issue(request), issuer.issue(request)
    assert first == again
    assert len(issuer.deliveries(first.issue_number)) == 1
    different = IssueRequest("010-5000-0000", "기본증명서", "online", "wallet", idempotency_key="call-77/1")
    with pytest.raises(errors.IdempotencyConflict):
        issuer.issue(different)
    unkeyed = IssueRequest("010-5000-0000", "가족관계증명서", "online", "wallet")
    assert issuer.issue(unkeyed).issue_number != issuer.issue(unkeyed).issue_number


def test_deliveries_go_only_to_contact_points_on_file(issuer: InMemoryCertificateIssuer) -> None:
    # 010-5000-0000: e-mail, fax, wallet on file; 010-5000-0001: none of them (address only).
    by_fax = issuer.issue(IssueRequest("010-5000-0000", "건강보험자격득실확인서", "phone", "fax"))
    [entry] = issuer.deliveries(by_fax.issue_number)
    assert (entry.method, entry.destination, entry.status) == ("fax", "***-5000", "queued")
    assert Delivery.from_dict(json.loads(json.dumps(entry.to_dict()))) == entry
    for method in ("email", "fax", "wallet"):
        with pytest.raises(errors.NoContactPoint) as refused:
            issuer.issue(IssueRequest("010-5000-0001", "건강보험자격득실확인서", "phone", method))
        assert refused.value.code == "certificate-no-contact-point"
    by_post = issuer.issue(IssueRequest("010-5000-0001", "건강보험자격득실확인서", "phone", "post"))
    assert issuer.deliveries(by_post.issue_number)[0].destination.endswith("***")


def test_a_delivery_moves_through_the_outbox(issuer: InMemoryCertificateIssuer) -> None:
    issued = issuer.issue(IssueRequest("010-5000-0003", "납세증명서", "online", "email"))
    [entry] = issuer.deliveries(issued.issue_number)
    assert entry.destination == "c***@example.kr"
    issuer.advance_delivery(entry.delivery_id, "sent")
    issuer.advance_delivery(entry.delivery_id, "delivered")
    assert issuer.deliveries(issued.issue_number)[0].status == "delivered"
    with pytest.raises(ValueError):
        issuer.advance_delivery(entry.delivery_id, "failed")


@pytest.mark.parametrize(
    ("request_", "error"),
    [
        (IssueRequest("010-9999-9999", "납세증명서", "online", "post"), errors.UnknownCitizen),
        (IssueRequest("010-5000-0000", "운전경력증명서", "online", "post"), errors.UnknownKind),
        (IssueRequest("010-5000-0000", "가족관계증명서", "phone", "post"), errors.ChannelNotOffered),
        (IssueRequest("010-5000-0000", "주민등록표 등본", "online", "email"), errors.DeliveryNotAllowed),
        (IssueRequest("010-5000-0000", "기본증명서", "online", "fax"), errors.DeliveryNotAllowed),
    ],
)
def test_refusals_are_stable_errors_with_korean_messages_and_statuses(
    issuer: InMemoryCertificateIssuer, request_: IssueRequest, error: type[DomainError]
) -> None:
    with pytest.raises(error) as refused:
        issuer.issue(request_)
    assert HANGUL.search(refused.value.message) and refused.value.code in STATUS


def test_invalid_requests_and_unknown_numbers_are_refused(issuer: InMemoryCertificateIssuer) -> None:
    with pytest.raises(errors.InvalidIssueRequest):
        IssueRequest("010-5000-0000", "납세증명서", "pigeon", "post")  # type: ignore[arg-type]
    with pytest.raises(errors.InvalidIssueRequest):
        IssueRequest.from_dict({"kind": "납세증명서"})
    for call in (issuer.get, issuer.pdf, issuer.deliveries):
        with pytest.raises(errors.CertificateNotFound):
            call("0000-0000-0000-0000")


def test_every_error_class_has_a_status() -> None:
    modules = (errors, kinds, citizens, document, signing)
    codes = {
        value.code
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, DomainError) and value.__module__ == module.__name__
    }
    assert len(codes) >= 15
    assert codes <= set(STATUS) | set(INTEGRATIONS_STATUS)


def test_verify_by_number_and_code(issuer: InMemoryCertificateIssuer) -> None:
    issued = issuer.issue(IssueRequest("010-5000-0003", "납세증명서", "online", "post"))
    verdict = issuer.verify(issued.issue_number, issued.verification_code.lower())
    assert verdict == Verdict("valid", "납세증명서", NOW.date(), "최*은")
    assert verdict.to_dict() == {"verdict": "valid", "kind": "납세증명서", "issued_on": "2026-03-02", "name": "최*은"}
    assert Verdict.from_dict(verdict.to_dict()) == verdict
    assert issuer.verify(issued.issue_number, "WRONG234") == Verdict("unknown")
    assert issuer.verify("1111-2222-3333-4444", issued.verification_code) == Verdict("unknown")


def test_an_unavailable_issuer_raises_its_own_error() -> None:
    down = InMemoryCertificateIssuer(available=False)
    for call in (
        down.kinds,
        lambda: down.issue(IssueRequest("010-5000-0000", "납세증명서", "online", "post")),
        lambda: down.verify("1", "2"),
        lambda: down.reissue("납세증명서", "010-5000-0000"),
    ):
        with pytest.raises(errors.CertificateIssuerUnavailable):
            call()


def test_the_ivr_reissue_issues_by_post_to_the_address_on_file() -> None:
    issuer = make_issuer()
    first = issuer.reissue("납세증명서", "010-5000-0003")
    second = issuer.reissue("소득금액증명", "010-5000-0003")
    assert isinstance(first, CertificateReceipt) and isinstance(second, CertificateReceipt)
    assert (first.kind, first.receipt_number, second.receipt_number) == ("납세증명서", "R-2026-000001", "R-2026-000002")
    assert first.issue_number is not None
    issued = issuer.get(first.issue_number)
    assert (issued.channel, issued.delivery) == ("ivr", "post")
    [entry] = issuer.deliveries(first.issue_number)
    assert (entry.method, entry.destination) == ("post", "광주광역시 북구 ***")
    assert issuer.reissue("가족관계증명서", "010-5000-0003") is None  # not offered by phone
    assert issuer.reissue("납세증명서", "010-9999-9999") is None
    assert issuer.reissue("운전경력증명서", "010-5000-0003") is None


def test_the_demo_issuer_knows_every_demo_citizen() -> None:
    issuer = demo_certificate_issuer()
    for n in (0, 17, 39):
        assert issuer.reissue("건강보험자격득실확인서", f"010-5000-{n:04d}") is not None


def test_the_ivr_self_service_still_reissues_through_the_port() -> None:
    from integrations.bills.memory import demo_bill_ledger
    from telephony.ivr.actions import SelfService
    from telephony.ivr.ports import run_self_service

    result = run_self_service(
        SelfService("certificate-reissue", "납세증명서", "010-5000-0006"), demo_bill_ledger(), make_issuer()
    )
    assert result.error is None and isinstance(result.value, CertificateReceipt)
    assert result.value.receipt_number == "R-2026-000001"
