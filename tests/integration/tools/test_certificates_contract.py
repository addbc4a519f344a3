"""The certificate issuer's contract, run against every adapter: in memory, over SQLite (what the reference
service keeps its register in), and the HTTP adapter talking to the reference service (``sori refsvc``) over
real loopback HTTP. All must give the same answers; then what only the stored ones promise: a restart of the
reference service loses nothing (old certificates still verify), and deliveries move on as time passes."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import stat
import sys
import uuid
from argparse import Namespace
from pathlib import Path

import pypdf
import pytest
import requests

from integrations.certificates import errors
from integrations.certificates.demo_data import demo_citizen_records
from integrations.certificates.document import KST
from integrations.certificates.http_adapter import HttpCertificateIssuer
from integrations.certificates.kinds import default_kinds
from integrations.certificates.memory import InMemoryCertificateIssuer
from integrations.certificates.port import CertificateIssuer, IssueRequest, Verdict
from integrations.certificates.reference_api import KEYS_DIR, key_ring
from integrations.certificates.signing import KeyRing
from integrations.certificates.sqlite_store import SqliteCertificateIssuer
from integrations.certificates.verify_cli import run as verify_offline
from integrations.refsvc.main import open_store
from integrations.settings import ToolConfig
from tests.support.postgres import free_port
from tests.support.refsvc import RefSvc, _spawn, key_of, write_keys

pytestmark = pytest.mark.integration
ALL_ON_FILE = "010-5000-0000"  # 김민준: address, e-mail, fax and 전자문서지갑 on file
POST_ONLY = "010-5000-0001"  # an address and nothing else


def http_issuer(refsvc: RefSvc) -> HttpCertificateIssuer:
    config = ToolConfig(read_timeout_s=10, deadline_s=20)
    return HttpCertificateIssuer(refsvc.base("certificates"), key_of("certificates"), config)


@pytest.fixture(params=["memory", "sqlite", "http"])
def issuer(request: pytest.FixtureRequest, tmp_path: Path) -> CertificateIssuer:
    if request.param == "memory":
        return InMemoryCertificateIssuer(demo_citizen_records(), keys=KeyRing.generate())
    if request.param == "sqlite":
        store = open_store(tmp_path / "refsvc.sqlite3")
        return SqliteCertificateIssuer(store, demo_citizen_records(), keys=KeyRing.generate())
    return http_issuer(request.getfixturevalue("refsvc"))


def key() -> str:
    return f"test-{uuid.uuid4()}"


def test_the_kinds_on_offer_are_the_configured_table(issuer: CertificateIssuer) -> None:
    kinds = issuer.kinds()
    assert [kind.to_dict() for kind in kinds] == default_kinds().to_dict()["kinds"]
    copy = next(kind for kind in kinds if kind.name == "주민등록표 등본")
    assert (copy.fee("counter"), copy.fee("online"), copy.fee("phone")) == (400, 0, None)


def test_one_key_issues_once_and_another_request_under_it_is_refused(issuer: CertificateIssuer) -> None:
    request = IssueRequest(ALL_ON_FILE, "납세증명서", "phone", "email", "대출 신청용", key())
    first, again = issuer.issue(request), issuer.issue(request)
    assert first == again
    assert re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{4}", first.issue_number)
    assert re.fullmatch(r"R-\d{4}-\d{6}", first.receipt_number)
    assert (first.kind, first.kind_name, first.fee, first.name, first.citizen_ref) == (
        "tax-payment", "납세증명서", 0, "김*준", ALL_ON_FILE,
    )  # fmt: skip
    assert first.verify_url.endswith(f"/verify?no={first.issue_number}&code={first.verification_code}")
    with pytest.raises(errors.IdempotencyConflict):
        issuer.issue(IssueRequest(ALL_ON_FILE, "납세증명서", "phone", "fax", "대출 신청용", request.idempotency_key))
    other = issuer.issue(IssueRequest(ALL_ON_FILE, "납세증명서", "phone", "email", "대출 신청용", key()))
    assert other.issue_number != first.issue_number
    assert other.receipt_number != first.receipt_number


def test_deliveries_go_only_to_contact_points_on_file(issuer: CertificateIssuer) -> None:
    with pytest.raises(errors.NoContactPoint):
        issuer.issue(IssueRequest(POST_ONLY, "납세증명서", "phone", "email", None, key()))
    with pytest.raises(errors.DeliveryNotAllowed):
        issuer.issue(IssueRequest(ALL_ON_FILE, "주민등록표 등본", "online", "email", None, key()))
    with pytest.raises(errors.ChannelNotOffered):
        issuer.issue(IssueRequest(ALL_ON_FILE, "가족관계증명서", "phone", "post", None, key()))
    with pytest.raises(errors.UnknownKind):
        issuer.issue(IssueRequest(ALL_ON_FILE, "재직증명서", "online", "post", None, key()))
    with pytest.raises(errors.UnknownCitizen):
        issuer.issue(IssueRequest("010-9999-9999", "납세증명서", "phone", "post", None, key()))
    posted = issuer.issue(IssueRequest(POST_ONLY, "납세증명서", "phone", "post", None, key()))
    [delivery] = issuer.deliveries(posted.issue_number)
    assert (delivery.method, delivery.status, delivery.issue_number) == ("post", "queued", posted.issue_number)
    assert delivery.destination.endswith(" ***") and "호" not in delivery.destination  # the address, masked


def test_a_certificate_its_pdf_and_its_deliveries(issuer: CertificateIssuer) -> None:
    issued = issuer.issue(IssueRequest(ALL_ON_FILE, "주민등록표 등본", "online", "wallet", "은행 제출용", key()))
    assert issuer.get(issued.issue_number) == issued
    pdf = issuer.pdf(issued.issue_number)
    assert pdf.startswith(b"%PDF-") and issuer.pdf(issued.issue_number) == pdf
    text = "".join("".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
    assert "주민등록표등본" in text and issued.issue_number in text and "김민준" in text
    [delivery] = issuer.deliveries(issued.issue_number)
    assert (delivery.delivery_id, delivery.method, delivery.destination) == (
        f"{issued.issue_number}/1", "wallet", "전자문서지갑",
    )  # fmt: skip
    missing = "0000-0000-0000-0001"
    for read in (issuer.get, issuer.pdf, issuer.deliveries):
        with pytest.raises(errors.CertificateNotFound):
            read(missing)


def test_verification_by_number_and_code(issuer: CertificateIssuer) -> None:
    issued = issuer.issue(IssueRequest(ALL_ON_FILE, "납세증명서", "phone", "email", None, key()))
    valid = issuer.verify(issued.issue_number, issued.verification_code)
    assert valid == Verdict("valid", "납세증명서", issued.issued_at.date(), "김*준")
    assert issuer.verify(issued.issue_number, f" {issued.verification_code.lower()} ").valid
    wrong = "A" * 8 if issued.verification_code != "A" * 8 else "B" * 8
    assert issuer.verify(issued.issue_number, wrong) == Verdict("unknown")
    assert issuer.verify("9999-9999-9999-9999", issued.verification_code) == Verdict("unknown")
    assert issuer.verify("not a number", "?") == Verdict("unknown")


def _swap_name(pdf: bytes) -> bytes:
    """The PDF re-saved with the last two glyphs of its 성명 line swapped (김민준 → 김준민), as an editor would."""
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(pdf)))
    contents = writer.pages[0].get_contents()
    assert contents is not None
    stream = contents.get_data()
    start, end = list(re.finditer(rb"Td \((.*?)\) Tj", stream, re.DOTALL))[2].span(1)  # title, 발급번호, 성명
    codes = stream[start:end]
    contents.set_data(stream[:start] + codes[:-4] + codes[-2:] + codes[-4:-2] + stream[end:])
    writer.pages[0].replace_contents(contents)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_verification_of_the_pdf(issuer: CertificateIssuer) -> None:
    issued = issuer.issue(IssueRequest(ALL_ON_FILE, "주민등록표 초본", "online", "post", "제출용", key()))
    pdf = issuer.pdf(issued.issue_number)
    assert issuer.verify_pdf(pdf) == Verdict("valid", "주민등록표 초본", issued.issued_at.date(), "김*준")
    at = len(pdf) // 2
    flipped = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]
    assert issuer.verify_pdf(flipped) == Verdict("altered")
    edited = _swap_name(pdf)
    assert "김준민" in "".join(pypdf.PdfReader(io.BytesIO(edited)).pages[0].extract_text().split())
    assert issuer.verify_pdf(edited) == Verdict("altered")
    for garbage in (b"", b"hello", b"\x89PNG\r\n"):
        with pytest.raises(errors.UnreadableDocument):
            issuer.verify_pdf(garbage)


def test_the_published_keys_verify_offline(
    issuer: CertificateIssuer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    issued = issuer.issue(IssueRequest(ALL_ON_FILE, "건강보험자격득실확인서", "phone", "fax", None, key()))
    keys = issuer.public_keys()
    assert [entry["kid"] for entry in keys["keys"]] and all(entry["alg"] == "Ed25519" for entry in keys["keys"])
    assert issued.key_id in [entry["kid"] for entry in keys["keys"]]
    (tmp_path / "keys.json").write_text(json.dumps(keys), encoding="utf-8")
    (tmp_path / "cert.pdf").write_bytes(issuer.pdf(issued.issue_number))
    assert verify_offline(Namespace(file=tmp_path / "cert.pdf", public_keys=tmp_path / "keys.json")) == 0
    said = json.loads(capsys.readouterr().out)
    assert said == {"verdict": "valid", "kind": "건강보험자격득실확인서", "issued_on": str(issued.issued_at.date()),
                    "name": "김*준"}  # fmt: skip


def test_the_ivr_reissues_by_post(issuer: CertificateIssuer) -> None:
    receipt = issuer.reissue("납세증명서", POST_ONLY)
    assert receipt is not None and receipt.kind == "납세증명서" and receipt.issue_number is not None
    assert issuer.get(receipt.issue_number).delivery == "post"
    assert issuer.reissue("가족관계증명서", POST_ONLY) is None  # not offered by phone
    assert issuer.reissue("납세증명서", "010-9999-9999") is None
    assert issuer.reissue("재직증명서", POST_ONLY) is None


def certificates_only(state_dir: Path) -> RefSvc:
    """A reference service playing the issuer alone (no catalog to load: it starts in well under a second)."""
    write_keys(state_dir)
    port = free_port()
    argv = [sys.executable, "-m", "integrations.refsvc", "--port", str(port), "--state-dir", str(state_dir),
            "--verify-base-url", "http://127.0.0.1:8080", "--only", "certificates"]  # fmt: skip
    return _spawn(argv, port, state_dir)


def test_a_restart_of_the_reference_service_loses_nothing(tmp_path: Path) -> None:
    service = certificates_only(tmp_path / "refsvc")
    try:
        before = http_issuer(service)
        request = IssueRequest(ALL_ON_FILE, "가족관계증명서", "online", "post", "제출용", key())
        issued = before.issue(request)
        pdf, keys = before.pdf(issued.issue_number), before.public_keys()
        ring = service.state_dir / KEYS_DIR
        assert [stat.S_IMODE(p.stat().st_mode) for p in ring.glob("*.key")] == [0o600]
        service = service.restart()
        after = http_issuer(service)
        assert after.verify(issued.issue_number, issued.verification_code).valid
        assert after.verify_pdf(pdf).valid
        assert after.public_keys() == keys
        assert after.issue(request) == issued  # the idempotency key outlives the restart too
        assert after.get(issued.issue_number) == issued and after.pdf(issued.issue_number) == pdf
    finally:
        service.stop()


def test_the_reference_refuses_an_issue_without_its_key(refsvc: RefSvc) -> None:
    body = {"citizen_ref": ALL_ON_FILE, "kind": "납세증명서", "channel": "phone", "delivery": "email"}
    url, headers = refsvc.base("certificates") + "/v1/certificates", {"x-api-key": key_of("certificates")}
    refused = requests.post(url, json=body, headers=headers, timeout=10)
    assert refused.status_code == 400 and refused.json()["error"] == "idempotency-key-required"
    keyed = {**headers, "idempotency-key": key()}
    made = requests.post(url, json=body, headers=keyed, timeout=10)
    again = requests.post(url, json=body, headers=keyed, timeout=10)
    assert (made.status_code, again.status_code) == (201, 200) and made.json() == again.json()
    pdf = requests.get(f"{url}/{made.json()['issue_number']}/pdf", headers=headers, timeout=10)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


class _Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 7, 9, 0, tzinfo=KST)

    def __call__(self) -> dt.datetime:
        return self.now


def test_stored_deliveries_move_on_as_time_passes_and_stay_moved(tmp_path: Path) -> None:
    clock, path = _Clock(), tmp_path / "refsvc.sqlite3"
    keys = key_ring(tmp_path / KEYS_DIR)
    stored = SqliteCertificateIssuer(open_store(path), demo_citizen_records(), keys=keys, clock=clock)
    issued = stored.issue(IssueRequest(ALL_ON_FILE, "납세증명서", "phone", "email", None, key()))
    seen = [stored.deliveries(issued.issue_number)[0].status]
    for minutes in (1, 3):
        clock.now += dt.timedelta(minutes=minutes)
        seen.append(stored.deliveries(issued.issue_number)[0].status)
    assert seen == ["queued", "sent", "delivered"]
    [delivered] = stored.deliveries(issued.issue_number)
    assert delivered.updated_at == issued.issued_at + dt.timedelta(minutes=2)  # when it came due, not when read
    reopened = SqliteCertificateIssuer(open_store(path), demo_citizen_records(), keys=key_ring(tmp_path / KEYS_DIR),
                                       clock=lambda: issued.issued_at)  # fmt: skip
    assert reopened.deliveries(issued.issue_number) == [delivered]  # written down, never moved back
    assert reopened.keys.kids() == keys.kids()
