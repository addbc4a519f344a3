"""The certificate tool through the agents' API, over real HTTP to the reference service: the kinds need no
citizen, issuing needs the contact's citizen with identity checked (and a double click issues once), the use and
the access are recorded, deliveries show only for the contact's own citizen; and the public forgery check (API
and the Korean ``/verify`` page) answers valid / altered / unknown, rate-limited per address.

Until the lead registers them, the fixture adds the routes and the issuer the way ``crm/api/app.py`` and
``sori/tools_wiring.py`` will, and mounts the page at ``/verify`` with ``sori.runtime.mount``."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from crm.api.verify_page import CSP
from crm.store import tables
from integrations.certificates.http_adapter import HttpCertificateIssuer
from integrations.certificates.port import IssueRequest
from integrations.settings import ToolConfig
from tests.conftest import PASSWORD
from tests.integration.tools import test_public_services_api as public_services
from tests.support.api import ApiClient, RunningApi
from tests.support.contacts import connect_call
from tests.support.refsvc import RefSvc, key_of

pytestmark = pytest.mark.integration
CALLER = "010-5000-0000"  # a demo citizen the reference issuer knows (address, e-mail, fax, 전자문서지갑 on file)
OTHER = "010-5000-0003"
PUBLIC = "/api/v1/public/certificates"


def issuer_of(refsvc: RefSvc) -> HttpCertificateIssuer:
    config = ToolConfig(read_timeout_s=10, deadline_s=20)
    return HttpCertificateIssuer(refsvc.base("certificates"), key_of("certificates"), config)


def agent(api: RunningApi, login: str = "lee") -> ApiClient:
    return api.client().login(login, PASSWORD)


def verified_contact(api: RunningApi, phone: str = CALLER) -> int:
    iid: int = connect_call(api.system, "lee", phone)["interaction"]["id"]
    with api.system.uow() as uow:
        contact = uow.interactions.get(iid)
        assert contact is not None and contact.citizen_id is not None
        contact.verified_method, contact.verified_at = "resident-number", api.system.clock()
        uow.commit()
    return iid


def issue_path(iid: int) -> str:
    return f"/api/v1/interactions/{iid}/tools/certificates"


def test_the_kinds_need_no_citizen(api: RunningApi) -> None:
    found = agent(api).get("/api/v1/tools/certificates/kinds")
    assert found.status_code == 200, found.text
    kinds = {kind["id"]: kind for kind in found.json()["kinds"]}
    assert kinds["tax-payment"]["by_phone"] and not kinds["resident-register-copy"]["by_phone"]
    assert kinds["resident-register-copy"]["fees"] == {"online": 0, "counter": 400}
    assert api.client().get("/api/v1/tools/certificates/kinds").status_code == 401
    assert public_services.uses(api.system) == []


def test_issuing_needs_the_contacts_citizen_with_identity_checked(api: RunningApi) -> None:
    lee = agent(api)
    hidden = connect_call(api.system, "lee", None)["interaction"]["id"]
    refused = lee.post(issue_path(hidden), {"kind": "tax-payment", "delivery": "post"})
    assert (refused.status_code, refused.json()["error"]) == (409, "no-citizen-on-contact")
    unverified = connect_call(api.system, "lee", CALLER)["interaction"]["id"]
    refused = lee.post(issue_path(unverified), {"kind": "tax-payment", "delivery": "post"})
    assert (refused.status_code, refused.json()["error"]) == (403, "identity-not-verified")
    assert public_services.uses(api.system) == []  # refused before the issuer was asked
    iid = verified_contact(api)
    assert agent(api, "kim").post(issue_path(iid), {"kind": "tax-payment", "delivery": "post"}).status_code == 403
    assert lee.post(issue_path(iid), {"kind": "주민등록표 등본", "delivery": "post"}).status_code == 422
    not_by_phone = lee.post(issue_path(iid), {"kind": "resident-register-copy", "delivery": "post"})
    assert (not_by_phone.status_code, not_by_phone.json()["error"]) == (422, "certificate-channel-not-offered")


def test_a_double_click_issues_once_and_the_use_is_recorded(api: RunningApi) -> None:
    lee, iid = agent(api), verified_contact(api)
    body = {"kind": "tax-payment", "delivery": "post", "purpose": "대출 신청용"}
    first, again = lee.post(issue_path(iid), body), lee.post(issue_path(iid), body)
    assert first.status_code == 201, first.text
    assert again.json() == first.json()  # the same certificate: issued once
    issued = first.json()
    assert (issued["kind_name"], issued["name"], issued["delivery"], issued["fee"]) == (
        "납세증명서",
        "김*준",
        "post",
        0,
    )
    assert "verification_code" not in issued and "citizen_ref" not in issued
    records = [u for u in public_services.uses(api.system) if u["action"] == "issue"]
    assert [u["summary"] for u in records] == ["발급: 납세증명서 (우편)"] * 2
    assert {u["ref"] for u in records} == {issued["issue_number"]} and records[0]["tool"] == "certificates"
    assert records[0]["outcome"] == "ok" and issued["receipt_number"] in records[0]["outcome_detail"]
    assert records[0]["citizen_id"] is not None
    other = lee.post(issue_path(iid), {**body, "delivery": "email"})
    assert other.status_code == 201 and other.json()["issue_number"] != issued["issue_number"]
    with api.system.engine.connect() as conn:
        logged = conn.execute(select(tables.access_log).where(tables.access_log.c.interaction_id == iid)).all()
    assert any(r._mapping["purpose"] == "serving" and "tools/certificates" in r._mapping["via"] for r in logged)


def test_deliveries_show_only_for_the_contacts_own_citizen(api: RunningApi, refsvc: RefSvc) -> None:
    lee, iid = agent(api), verified_contact(api)
    issued = lee.post(issue_path(iid), {"kind": "income-amount", "delivery": "email"}).json()
    found = lee.get(f"{issue_path(iid)}/{issued['issue_number']}/deliveries")
    assert found.status_code == 200, found.text
    [delivery] = found.json()["deliveries"]
    assert (delivery["method"], delivery["status"], delivery["destination"]) == ("email", "queued",
                                                                                 "c***@example.kr")  # fmt: skip
    theirs = issuer_of(refsvc).issue(IssueRequest(OTHER, "납세증명서", "online", "post", None, "test-other-citizen"))
    hidden = lee.get(f"{issue_path(iid)}/{theirs.issue_number}/deliveries")
    assert (hidden.status_code, hidden.json()["error"]) == (404, "certificate-not-found")
    assert lee.get(f"{issue_path(iid)}/not-a-number/deliveries").status_code == 422
    asked = [u for u in public_services.uses(api.system) if u["action"] == "deliveries"]
    assert [u["outcome"] for u in asked] == ["ok", "not-found"] and asked[0]["outcome_detail"] == "이메일 발송 대기"


def test_the_public_check_by_number_and_code(api: RunningApi, refsvc: RefSvc) -> None:
    issued = issuer_of(refsvc).issue(IssueRequest(OTHER, "납세증명서", "online", "post", None, f"test-{id(api)}"))
    anyone = api.client()
    spaced = issued.issue_number.replace("-", " ")
    valid = anyone.post(f"{PUBLIC}/verify", {"issue_number": spaced, "verification_code": issued.verification_code})
    assert valid.status_code == 200, valid.text
    assert valid.json() == {"verdict": "valid", "kind": "납세증명서", "issued_on": str(issued.issued_at.date()),
                            "name": issued.name}  # fmt: skip
    unknown = {"verdict": "unknown", "kind": None, "issued_on": None, "name": None}
    wrong = "A" * 8 if issued.verification_code != "A" * 8 else "B" * 8
    for number, code in ((issued.issue_number, wrong), ("9999-9999-9999-9999", issued.verification_code),
                         ("12", "?")):  # fmt: skip
        said = anyone.post(f"{PUBLIC}/verify", {"issue_number": number, "verification_code": code})
        assert (said.status_code, said.json()) == (200, unknown)  # a wrong code and no such number alike


def test_the_public_check_of_a_pdf_and_its_rate_limit(api: RunningApi, refsvc: RefSvc) -> None:
    issuer = issuer_of(refsvc)
    issued = issuer.issue(IssueRequest(OTHER, "소득금액증명", "online", "post", None, f"test-pdf-{id(api)}"))
    pdf = issuer.pdf(issued.issue_number)
    flipped = pdf[:1000] + bytes([pdf[1000] ^ 0x01]) + pdf[1001:]
    anyone = api.client()
    verdicts = [anyone.post(f"{PUBLIC}/verify-pdf", {"pdf_base64": base64.b64encode(data).decode()}).json()
                for data in (pdf, flipped)]  # fmt: skip
    assert [v["verdict"] for v in verdicts] == ["valid", "altered"] and verdicts[1]["name"] is None
    garbage = anyone.post(f"{PUBLIC}/verify-pdf", {"pdf_base64": base64.b64encode(b"hello").decode()})
    assert (garbage.status_code, garbage.json()["verdict"]) == (200, "unknown")  # no PDF: nothing to confirm
    assert anyone.post(f"{PUBLIC}/verify-pdf", {"pdf_base64": "not base64!"}).status_code == 422  # no token taken
    body = {"issue_number": issued.issue_number, "verification_code": issued.verification_code}
    answers = [anyone.post(f"{PUBLIC}/verify", body) for _ in range(8)]  # 10 in the burst, 3 taken above
    assert [a.status_code for a in answers] == [200] * 7 + [429]
    limited = answers[-1]
    assert limited.json()["error"] == "verify-rate-limited" and int(limited.headers["retry-after"]) >= 1
    assert "초 후에 다시 시도해 주세요" in limited.json()["message"]
    shared = page(api, "?" + urlsplit(issued.verify_url).query)  # the page counts against the same limit
    assert shared.status_code == 429, shared.status_code


def page(api: RunningApi, query: str = "", **post: Any) -> requests.Response:
    if post:
        return requests.post(f"{api.base}/verify", timeout=30, **post)
    return requests.get(f"{api.base}/verify{query}", timeout=30)


def test_the_verify_page_shows_the_three_verdicts(api: RunningApi, refsvc: RefSvc) -> None:
    issuer = issuer_of(refsvc)
    issued = issuer.issue(IssueRequest(OTHER, "납세증명서", "online", "post", None, f"test-page-{id(api)}"))
    form = page(api)
    assert form.status_code == 200 and "증명서 진위 확인" in form.text and 'name="pdf"' in form.text
    assert form.headers["content-security-policy"] == CSP and "script" not in CSP and "unsafe" not in CSP
    assert form.headers["referrer-policy"] == "no-referrer" and "<script" not in form.text
    from_qr = page(api, "?" + urlsplit(issued.verify_url).query)  # what the QR code leads to
    assert from_qr.status_code == 200 and "유효한 증명서" in from_qr.text and issued.name in from_qr.text
    assert 'data-verdict="valid"' in from_qr.text
    wrong = page(api, data={"no": issued.issue_number, "code": "ZZZZ2222"})
    assert "확인할 수 없음" in wrong.text and issued.name not in wrong.text
    pdf = issuer.pdf(issued.issue_number)
    altered = pdf[:-20] + bytes([pdf[-20] ^ 0x01]) + pdf[-19:]
    forged = page(api, files={"pdf": ("certificate.pdf", altered, "application/pdf")})
    assert forged.status_code == 200 and "위조 또는 변조" in forged.text
    sealed = page(api, files={"pdf": ("certificate.pdf", pdf, "application/pdf")})
    assert "유효한 증명서" in sealed.text
    hostile = page(api, "?no=<script>alert(1)</script>&code=x")
    assert "<script>alert" not in hostile.text and "확인할 수 없음" in hostile.text
