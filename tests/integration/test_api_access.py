"""Access rules over HTTP: serving is a server-side fact, reasons are required and logged, other centers'
detail needs an identity check, and every read of citizen data leaves an access-log row."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.store import tables
from sori.wiring import System
from tests.conftest import PASSWORD
from tests.support.api import RunningApi
from tests.support.contacts import connect_call

pytestmark = pytest.mark.integration
PHONE = "010-3456-7890"
RRN = "900101-1234567"


def log_rows(system: System) -> list[dict[str, object]]:
    with system.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(tables.access_log).order_by(tables.access_log.c.id))]


def start_call(api: RunningApi, login: str, phone: str = PHONE) -> dict[str, object]:
    """A call from ``phone`` that telephony connected to ``login`` (see tests.support.contacts)."""
    return connect_call(api.system, login, phone)


@pytest.fixture
def history(api: RunningApi) -> dict[str, object]:
    """A citizen with a case at NTS126 (국세청, with notes) and one at ACRC110."""
    choi = api.client().login("choi", PASSWORD)
    call = start_call(api, "choi")
    iid = call["interaction"]["id"]  # type: ignore[index]
    created = choi.post(
        "/api/v1/citizens", {"interaction_id": iid, "name": "홍길동", "phones": [PHONE], "resident_number": RRN}
    )
    assert created.status_code == 201, created.text
    citizen_id = created.json()["id"]
    case = choi.post(
        "/api/v1/cases", {"citizen_id": citizen_id, "summary": "종합소득세 체납 문의", "interaction_id": iid}
    )
    assert case.status_code == 201, case.text
    assert choi.post(f"/api/v1/interactions/{iid}/end", {"disposition": "answered"}).status_code == 200
    wrap_up = {"notes": "분납 안내, 세무서 방문 예정", "wrap_up_code": "informed"}
    assert choi.post(f"/api/v1/interactions/{iid}/wrap-up", wrap_up).status_code == 200
    kim = api.client().login("kim", PASSWORD)
    call = start_call(api, "kim")
    iid = call["interaction"]["id"]  # type: ignore[index]
    kim_case = kim.post("/api/v1/cases", {"citizen_id": citizen_id, "summary": "여권 문의", "interaction_id": iid})
    kim.post(f"/api/v1/interactions/{iid}/end", {"disposition": "answered"})
    kim.post(f"/api/v1/interactions/{iid}/wrap-up", {"notes": "여권 안내", "wrap_up_code": "informed"})
    return {"citizen_id": citizen_id, "nts_case": case.json()["number"], "acrc_case": kim_case.json()["number"]}


def test_rrn_is_stored_only_hashed_and_masked(api: RunningApi, history: dict[str, object]) -> None:
    with api.system.engine.connect() as conn:
        row = conn.execute(select(tables.citizens).where(tables.citizens.c.id == history["citizen_id"])).one()
        dump = " ".join(str(v) for v in row)
    assert row.rrn_masked == "900101-1******"
    assert "1234567" not in dump and RRN.replace("-", "") not in dump
    assert len(row.rrn_hash) == 64


def test_without_serving_a_search_needs_a_reason_and_sees_own_center_only(
    api: RunningApi, history: dict[str, object]
) -> None:
    lee = api.client().login("lee", PASSWORD)
    before = len(log_rows(api.system))
    denied = lee.get("/api/v1/citizens", {"phone": PHONE})
    assert denied.status_code == 403 and denied.json()["error"] == "reason-required"
    assert len(log_rows(api.system)) == before, "a refused read logs nothing and reads nothing"
    found = lee.get("/api/v1/citizens", {"phone": PHONE, "reason": "민원인 재문의 확인"})
    assert found.status_code == 200
    citizen = found.json()["citizens"][0]
    assert citizen["access"] == {"purpose": "search", "scope": "own-center", "interaction_id": None}
    assert {c["center_code"] for c in citizen["contacts"]} == {"ACRC110"}
    assert [c["number"] for c in citizen["cases"]] == [history["acrc_case"]]
    assert citizen["hidden_contacts"] == 1
    row = log_rows(api.system)[-1]
    assert (row["agent_login"], row["citizen_id"], row["purpose"], row["reason"], row["via"]) == (
        "lee",
        history["citizen_id"],
        "search",
        "민원인 재문의 확인",
        "GET /api/v1/citizens",
    )


def test_a_forged_serving_claim_is_refused(api: RunningApi, history: dict[str, object]) -> None:
    lee = api.client().login("lee", PASSWORD)
    response = lee.get("/api/v1/citizens", {"phone": PHONE, "purpose": "serving"})
    assert response.status_code == 403 and response.json()["error"] == "not-serving"
    response = lee.get(f"/api/v1/citizens/{history['citizen_id']}", {"purpose": "serving"})
    assert response.status_code == 403 and response.json()["error"] == "not-serving"
    # Another agent's contact with the citizen does not make lee "serving" either.
    start_call(api, "kim")
    response = lee.get(f"/api/v1/citizens/{history['citizen_id']}", {"purpose": "serving"})
    assert response.status_code == 403


def test_serving_unverified_shows_other_centers_as_summary_and_verified_in_full(
    api: RunningApi, history: dict[str, object]
) -> None:
    lee = api.client().login("lee", PASSWORD)
    call = start_call(api, "lee")
    iid = call["interaction"]["id"]  # type: ignore[index]
    assert [c["number"] for c in call["continuable_cases"]] == [  # type: ignore[index]
        history["acrc_case"],
        history["nts_case"],
    ]
    pop = lee.get("/api/v1/citizens", {"phone": PHONE}).json()["citizens"][0]
    assert pop["access"]["purpose"] == "serving" and pop["access"]["scope"] == "all-centers-summary"
    nts = [c for c in pop["contacts"] if c["center_code"] == "NTS126"]
    assert nts and nts[0]["detail"] == "summary" and nts[0]["notes"] is None
    nts_case = next(c for c in pop["cases"] if c["owner_center"] == "NTS126")
    assert nts_case["summary"] is None and nts_case["detail"] == "summary"
    wrong = lee.post(
        f"/api/v1/interactions/{iid}/verify", {"method": "resident-number", "resident_number": "900101-1234568"}
    )
    assert wrong.status_code == 422 and wrong.json()["error"] == "identity-check-failed"
    ok = lee.post(f"/api/v1/interactions/{iid}/verify", {"method": "resident-number", "resident_number": RRN})
    assert ok.status_code == 200 and ok.json()["identity_verified"] is True
    pop = lee.get("/api/v1/citizens", {"phone": PHONE}).json()["citizens"][0]
    assert pop["access"]["scope"] == "all-centers" and pop["identity_verified"] is True
    nts = next(c for c in pop["contacts"] if c["center_code"] == "NTS126")
    assert nts["detail"] == "full" and nts["notes"] == "분납 안내, 세무서 방문 예정"
    case = lee.get(f"/api/v1/cases/{history['nts_case']}")
    assert case.status_code == 200 and case.json()["case"]["summary"] == "종합소득세 체납 문의"
    row = log_rows(api.system)[-1]
    assert (row["purpose"], row["scope"], row["interaction_id"], row["case_id"] is not None) == (
        "serving",
        "all-centers",
        iid,
        True,
    )
    # After wrap-up lee no longer serves the citizen: the other center's case is closed to lee again.
    lee.post(f"/api/v1/interactions/{iid}/end", {"disposition": "answered"})
    lee.post(f"/api/v1/interactions/{iid}/wrap-up", {"notes": "세금 문의 이관 필요 없음", "wrap_up_code": "other"})
    again = lee.get(f"/api/v1/cases/{history['nts_case']}")
    assert again.status_code == 404 and again.json()["error"] == "case-not-found"
    again = lee.get(f"/api/v1/cases/{history['nts_case']}", {"reason": "재확인 필요"})
    assert again.status_code == 404 and again.json()["error"] == "case-not-found"


def test_every_read_of_citizen_data_is_logged(api: RunningApi, history: dict[str, object]) -> None:
    kim = api.client().login("kim", PASSWORD)
    before = len(log_rows(api.system))
    assert kim.get(f"/api/v1/cases/{history['acrc_case']}").status_code == 200
    assert kim.get("/api/v1/cases").status_code == 200
    assert kim.get(f"/api/v1/citizens/{history['citizen_id']}", {"reason": "처리 결과 확인"}).status_code == 200
    rows = log_rows(api.system)[before:]
    assert [(r["via"], r["purpose"]) for r in rows] == [
        ("GET /api/v1/cases/{number}", "worklist"),
        ("GET /api/v1/cases", "worklist"),
        ("GET /api/v1/citizens/{citizen_id}", "search"),
    ]
    assert all(r["agent_login"] == "kim" and r["citizen_id"] == history["citizen_id"] for r in rows)
    sup = api.client().login("sup", PASSWORD)
    audit = sup.get("/api/v1/access-log", {"citizen_id": history["citizen_id"]})
    assert audit.status_code == 200
    assert {e["agent_login"] for e in audit.json()["entries"]} >= {"kim"}
    assert kim.get("/api/v1/access-log").status_code == 403


def test_analysts_never_read_citizen_records(api: RunningApi, history: dict[str, object]) -> None:
    ana = api.client().login("ana", PASSWORD)
    response = ana.get("/api/v1/citizens", {"phone": PHONE, "reason": "분석용 조회"})
    assert response.status_code == 403
    assert ana.get(f"/api/v1/cases/{history['acrc_case']}").status_code == 403
    assert ana.get("/api/v1/centers").status_code == 200


def test_other_centers_cannot_change_a_case(api: RunningApi, history: dict[str, object]) -> None:
    park = api.client().login("park", PASSWORD)
    response = park.post(f"/api/v1/cases/{history['acrc_case']}/status", {"status": "in-progress"})
    missing = park.post(f"/api/v1/cases/{history['acrc_case']}9/status", {"status": "in-progress"})
    assert response.status_code == missing.status_code == 404
    assert response.json()["error"] == missing.json()["error"] == "case-not-found"
    response = park.get("/api/v1/cases", {"center": "ACRC110"})
    assert response.status_code == 403


def test_supervisor_review_needs_a_reason_and_stays_in_the_center(api: RunningApi, history: dict[str, object]) -> None:
    sup = api.client().login("sup", PASSWORD)
    kim = api.client().login("kim", PASSWORD)
    citizen = f"/api/v1/citizens/{history['citizen_id']}"
    assert sup.get(citizen, {"purpose": "review"}).json()["error"] == "reason-required"
    review = sup.get(citizen, {"purpose": "review", "reason": "품질 점검 2026-03"})
    assert review.status_code == 200
    assert review.json()["access"] == {"purpose": "review", "scope": "own-center", "interaction_id": None}
    assert {c["center_code"] for c in review.json()["contacts"]} == {"ACRC110"}
    assert kim.get(citizen, {"purpose": "review", "reason": "품질 점검"}).status_code == 403
    admin = api.client().login("root", PASSWORD)
    full = admin.get(citizen, {"purpose": "review", "reason": "감사 요청 2026-17"})
    assert full.json()["access"]["scope"] == "all-centers"
    assert {c["center_code"] for c in full.json()["contacts"]} == {"ACRC110", "NTS126"}
