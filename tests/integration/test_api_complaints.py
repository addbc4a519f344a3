"""The 신문고 inbox over HTTP: record with text and 처리기한, the center's list (earliest due first, overdue
flagged, no text), the detail with its access-log row, claim, answer, close, hand-off, and another center's 404."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert, select

from crm.store import tables
from tests.conftest import PASSWORD
from tests.support.api import ApiClient, RunningApi
from tests.support.contacts import connect_call

pytestmark = pytest.mark.integration

BODY = "저는 홍길동입니다. 주민등록번호 900101-1234567, 연락처 010-2345-6789 로 연락 주세요. 버스가 30분씩 늦습니다."


def record(client: ApiClient, sinmungo_id: str, received_at: str, **extra: Any) -> dict[str, Any]:
    body = {"sinmungo_id": sinmungo_id, "received_at": received_at, "title": f"민원 {sinmungo_id}", **extra}
    response = client.post("/api/v1/complaints", body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_inbox_detail_claim_answer_close(api: RunningApi) -> None:
    """The clock is Tuesday 2026-03-10 10:00 Seoul."""
    kim, lee, park = (api.client().login(name, PASSWORD) for name in ("kim", "lee", "park"))
    citizen_id = connect_call(api.system, "kim", "010-4567-8901")["citizen_candidates"][0]
    late = record(kim, "1AA-2602-0001", "2026-02-20T10:00:00+09:00", body=BODY, citizen_id=citizen_id)
    fresh = record(kim, "1AA-2603-0002", "2026-03-09T10:00:00+09:00", body="배차 간격 문의")
    record(park, "1AA-2603-0003", "2026-03-02T10:00:00+09:00", body="서울 민원")
    # 20 Feb (Fri) + 7 working days: 23-27 Feb, then 2 March is 삼일절's 대체공휴일: 3, 4 March (18:00 Seoul)
    assert (late["status"], late["due_at"]) == ("received", "2026-03-04T09:00:00Z")
    assert fresh["due_at"] == "2026-03-18T09:00:00Z"
    with api.system.engine.connect() as conn:
        stored = conn.execute(select(tables.complaints.c.body, tables.complaints.c.body_masked)
                              .where(tables.complaints.c.id == late["id"])).one()  # fmt: skip
    assert stored.body == BODY
    for secret in ("900101", "2345-6789", "홍길동"):  # analytics' masker, wired in by the composition root
        assert secret not in stored.body_masked

    listed = kim.get("/api/v1/complaints").json()
    assert [c["sinmungo_id"] for c in listed["complaints"]] == ["1AA-2602-0001", "1AA-2603-0002"]
    assert [c["overdue"] for c in listed["complaints"]] == [True, False]
    assert "body" not in listed["complaints"][0] and listed["next_cursor"] is None
    overdue = kim.get("/api/v1/complaints", {"overdue": "true"}).json()["complaints"]
    assert [c["id"] for c in overdue] == [late["id"]]
    page = kim.get("/api/v1/complaints", {"limit": 1}).json()
    assert [c["id"] for c in page["complaints"]] == [late["id"]] and page["next_cursor"]
    rest = kim.get("/api/v1/complaints", {"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [c["id"] for c in rest["complaints"]] == [fresh["id"]]

    detail = kim.get(f"/api/v1/complaints/{late['id']}")
    assert detail.status_code == 200
    shown = detail.json()["body"]
    assert detail.json()["origin"] is None, "a 신문고 complaint was not filed through Open311"
    assert "900101" not in shown and "[주민등록번호]" in shown and "010-2345-6789" in shown
    sup = api.client().login("sup", PASSWORD)
    log = sup.get("/api/v1/access-log", {"citizen_id": citizen_id, "agent": "kim"}).json()["entries"]
    reads = [e for e in log if e["via"] == "GET /api/v1/complaints/{id}"]
    assert len(reads) == 1 and reads[0]["purpose"] == "worklist"

    for outsider, path in ((park, f"/api/v1/complaints/{late['id']}"), (park, "/api/v1/complaints/999999")):
        hidden = outsider.get(path)
        assert hidden.status_code == 404 and hidden.json()["error"] == "complaint-not-found"
    refused = park.post(f"/api/v1/complaints/{late['id']}/claim", {})
    assert refused.status_code == 404 and refused.json()["error"] == "complaint-not-found"
    assert [c["sinmungo_id"] for c in park.get("/api/v1/complaints").json()["complaints"]] == ["1AA-2603-0003"]

    early = kim.post(f"/api/v1/complaints/{late['id']}/answer", {"answer": "답변"})
    assert early.status_code == 409 and early.json()["error"] == "complaint-not-claimed"
    claimed = kim.post(f"/api/v1/complaints/{late['id']}/claim", {})
    assert claimed.status_code == 200 and (claimed.json()["status"], claimed.json()["claimed_by"]) == ("claimed", "kim")
    assert kim.post(f"/api/v1/complaints/{late['id']}/claim", {}).json() == claimed.json() | {
        "events": claimed.json()["events"]
    }
    taken = lee.post(f"/api/v1/complaints/{late['id']}/claim", {})
    assert taken.status_code == 409 and taken.json()["error"] == "complaint-claimed-by-other"
    assert lee.get("/api/v1/complaints", {"status": "claimed"}).json()["complaints"][0]["claimed_by"] == "kim"

    empty = kim.post(f"/api/v1/complaints/{late['id']}/answer", {"answer": ""})
    assert empty.status_code == 422
    answered = kim.post(f"/api/v1/complaints/{late['id']}/answer", {"answer": "배차 간격을 조정하였습니다."})
    assert answered.status_code == 200
    assert (answered.json()["status"], answered.json()["answer"], answered.json()["overdue"]) == (
        "answered",
        "배차 간격을 조정하였습니다.",
        False,
    )
    again = kim.post(f"/api/v1/complaints/{late['id']}/answer", {"answer": "배차 간격을 조정하였습니다."})
    assert again.status_code == 200 and again.json()["answered_at"] == answered.json()["answered_at"]
    other = kim.post(f"/api/v1/complaints/{late['id']}/answer", {"answer": "다른 답변"})
    assert other.status_code == 409 and other.json()["error"] == "complaint-state-conflict"
    closed = kim.post(f"/api/v1/complaints/{late['id']}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert kim.post(f"/api/v1/complaints/{late['id']}/close").status_code == 200
    kinds = [e["kind"] for e in closed.json()["events"]]
    assert kinds == ["received", "claimed", "answered", "closed"]
    assert kim.get("/api/v1/complaints", {"overdue": "true"}).json()["complaints"] == []


def test_hand_off_moves_the_complaint_to_the_other_centers_inbox(api: RunningApi) -> None:
    kim, lee, choi = (api.client().login(name, PASSWORD) for name in ("kim", "lee", "choi"))
    complaint = record(kim, "1AA-2603-0010", "2026-03-09T10:00:00+09:00", body="종합소득세 환급 문의")
    kim.post(f"/api/v1/complaints/{complaint['id']}/claim", {})
    path = f"/api/v1/complaints/{complaint['id']}/handoff"
    no_summary = kim.post(path, {"to_center": "NTS126", "summary": ""})
    assert no_summary.status_code == 422
    nowhere = kim.post(path, {"to_center": "NOPE1", "summary": "요약"})
    assert nowhere.status_code == 404 and nowhere.json()["error"] == "center-not-found"
    blocked = lee.post(path, {"to_center": "NTS126", "summary": "세금"})
    assert blocked.status_code == 409 and blocked.json()["error"] == "complaint-claimed-by-other"
    moved = kim.post(path, {"to_center": "NTS126", "summary": "환급 관련: 국세청 상담 필요"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["assigned_center"], moved.json()["status"], moved.json()["claimed_by"]) == (
        "NTS126",
        "received",
        None,
    )
    gone = kim.get(f"/api/v1/complaints/{complaint['id']}")
    assert gone.status_code == 404 and kim.get("/api/v1/complaints").json()["complaints"] == []
    inbox = choi.get("/api/v1/complaints").json()["complaints"]
    assert [c["id"] for c in inbox] == [complaint["id"]] and inbox[0]["due_at"] == complaint["due_at"]
    detail = choi.get(f"/api/v1/complaints/{complaint['id']}").json()
    handoff = [e for e in detail["events"] if e["kind"] == "handed-off"]
    assert handoff == [
        {
            "at": handoff[0]["at"],
            "kind": "handed-off",
            "actor": "kim",
            "center": "ACRC110",
            "to_center": "NTS126",
            "note": "환급 관련: 국세청 상담 필요",
        }
    ]
    assert detail["body"] == "종합소득세 환급 문의" and detail["handed_off_to"] == "NTS126"
    assert choi.post(f"/api/v1/complaints/{complaint['id']}/claim", {}).json()["claimed_by"] == "choi"


def test_only_agents_and_supervisors_use_the_inbox(api: RunningApi) -> None:
    ana = api.client().login("ana", PASSWORD)
    assert ana.get("/api/v1/complaints").status_code == 403
    sup = api.client().login("sup", PASSWORD)
    complaint = record(sup, "1AA-2603-0020", "2026-03-09T10:00:00+09:00")
    kim = api.client().login("kim", PASSWORD)
    kim.post(f"/api/v1/complaints/{complaint['id']}/claim", {})
    with api.system.uow() as uow:
        lee_id = next(a.id for a in uow.agents.list("ACRC110") if a.login == "lee")
    reassigned = sup.post(f"/api/v1/complaints/{complaint['id']}/claim", {"agent_id": lee_id})
    assert reassigned.status_code == 200 and reassigned.json()["claimed_by"] == "lee"
    bad = sup.post(f"/api/v1/complaints/{complaint['id']}/claim", {"agent_id": 999999})
    assert bad.status_code == 404
    assert kim.get("/api/v1/complaints", {"cursor": "x-1"}).status_code == 422


def test_a_complaint_without_deadline_is_listed_last_and_never_overdue(api: RunningApi) -> None:
    """A row a bulk load wrote without 처리기한 (the column is nullable): after every dated one, pages still walk."""
    kim = api.client().login("kim", PASSWORD)
    with api.system.engine.begin() as conn:
        conn.execute(
            insert(tables.complaints).values(
                sinmungo_id="1AA-2601-0001", received_at=api.system.clock(), title="기한 없음",
                assigned_center="ACRC110",
            )
        )  # fmt: skip
    dated = record(kim, "1AA-2603-0030", "2026-01-05T10:00:00+09:00")
    seen, cursor = [], None
    while True:
        page = kim.get("/api/v1/complaints", {"limit": 1, **({"cursor": cursor} if cursor else {})}).json()
        seen += [(c["sinmungo_id"], c["overdue"]) for c in page["complaints"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [(dated["sinmungo_id"], True), ("1AA-2601-0001", False)]
