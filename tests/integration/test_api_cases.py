"""Cases over HTTP: lifecycle, hand-off with summary, merge, 신문고 links, If-Match and Idempotency-Key."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.store import tables
from tests.conftest import PASSWORD
from tests.support.api import ApiClient, RunningApi
from tests.support.contacts import connect_call

pytestmark = pytest.mark.integration


def count(api: RunningApi, table: tables.Table) -> int:
    with api.system.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def open_case(api: RunningApi, agent: ApiClient, login: str, phone: str = "010-4567-8901") -> tuple[int, str, int]:
    body = connect_call(api.system, login, phone)
    citizen_id = body["citizen_candidates"][0]
    case = agent.post(
        "/api/v1/cases",
        {
            "citizen_id": citizen_id,
            "category": "교통",
            "summary": "버스 노선",
            "interaction_id": body["interaction"]["id"],
        },
    )
    assert case.status_code == 201, case.text
    assert case.headers["location"] == f"/api/v1/cases/{case.json()['number']}"
    return citizen_id, case.json()["number"], body["interaction"]["id"]


def test_case_lifecycle_and_listing(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    _, number, iid = open_case(api, kim, "kim")
    detail = kim.get(f"/api/v1/cases/{number}")
    assert detail.status_code == 200 and detail.headers["etag"] == '"1"'
    body = detail.json()
    assert body["case"]["status"] == "open" and [c["id"] for c in body["contacts"]] == [iid]
    for target in ("in-progress", "resolved", "closed", "reopened"):
        response = kim.post(f"/api/v1/cases/{number}/status", {"status": target, "reason": "테스트"})
        assert response.status_code == 200 and response.json()["status"] == target
    illegal = kim.post(f"/api/v1/cases/{number}/status", {"status": "closed"})
    assert illegal.status_code == 409 and illegal.json()["error"] == "illegal-status-transition"
    assert illegal.json()["details"] == {"current": "reopened", "target": "closed"}
    listed = kim.get("/api/v1/cases", {"status": "reopened"})
    assert [c["number"] for c in listed.json()["cases"]] == [number]
    note = kim.post(f"/api/v1/cases/{number}/contacts", {"channel": "agent-note", "notes": "보완 서류 요청"})
    assert note.status_code == 201 and note.json()["case_id"] == body["case"]["id"]


def test_stale_version_gets_409_and_changes_nothing(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    _, number, _ = open_case(api, kim, "kim")
    first = kim.post(f"/api/v1/cases/{number}/status", {"status": "in-progress"}, headers={"if-match": '"1"'})
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    stale = kim.patch(f"/api/v1/cases/{number}", {"summary": "덮어쓰기"}, headers={"if-match": '"1"'})
    assert stale.status_code == 409 and stale.json()["error"] == "version-conflict"
    stale = kim.post(f"/api/v1/cases/{number}/status", {"status": "resolved", "expected_version": 1})
    assert stale.status_code == 409
    case = kim.get(f"/api/v1/cases/{number}").json()["case"]
    assert (case["status"], case["summary"], case["version"]) == ("in-progress", "버스 노선", 2)


def test_idempotency_key_replays_the_first_response(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    call = connect_call(api.system, "kim", "02-987-6543")["interaction"]["id"]
    body = {"interaction_id": call, "name": "이영희", "phones": ["02-987-6543"]}
    headers = {"idempotency-key": "create-citizen-1"}
    first = kim.post("/api/v1/citizens", body, headers=headers)
    citizens = count(api, tables.citizens)
    again = kim.post("/api/v1/citizens", body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers.get("idempotent-replayed") == "true"
    assert count(api, tables.citizens) == citizens, "the replay created nothing"
    reused = kim.post("/api/v1/citizens", {"interaction_id": call, "name": "다른 사람"}, headers=headers)
    assert reused.status_code == 422 and reused.json()["error"] == "idempotency-key-reused"
    # Keys are per agent: another agent's identical key is a different request.
    lee = api.client().login("lee", PASSWORD)
    lee_call = connect_call(api.system, "lee", "02-987-6544")["interaction"]["id"]
    citizens = count(api, tables.citizens)
    lee_body = {"interaction_id": lee_call, "name": "이영희", "phones": ["02-987-6544"]}
    assert lee.post("/api/v1/citizens", lee_body, headers=headers).status_code == 201
    assert lee.post("/api/v1/citizens", lee_body, headers=headers).headers.get("idempotent-replayed") == "true"
    assert count(api, tables.citizens) == citizens, "lee's caller filled in the record telephony made"


def test_failed_request_does_not_consume_the_idempotency_key(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    headers = {"idempotency-key": "k-2"}
    bad = kim.post("/api/v1/cases", {"citizen_id": 999999, "interaction_id": 999999}, headers=headers)
    assert bad.status_code == 404
    assert count(api, tables.idempotency_keys) == 0


def test_handoff_carries_the_case_and_summary_to_the_other_center(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    park = api.client().login("park", PASSWORD)
    citizen_id, number, _ = open_case(api, kim, "kim")
    sent = kim.post(
        f"/api/v1/cases/{number}/handoffs",
        {
            "to_center": "SEOUL120",
            "to_queue": "transport",
            "reason": "서울시 소관",
            "summary": "273번 버스 배차 간격 민원, 본인 확인 완료",
        },
    )
    assert sent.status_code == 201, sent.text
    handoff_id = sent.json()["id"]
    assert kim.post(f"/api/v1/cases/{number}/handoffs/{handoff_id}/accept").status_code == 403
    accepted = park.post(f"/api/v1/cases/{number}/handoffs/{handoff_id}/accept")
    assert accepted.status_code == 200 and accepted.json()["accepted_by"] is not None
    detail = park.get(f"/api/v1/cases/{number}")
    assert detail.status_code == 200
    case = detail.json()
    assert case["case"]["number"] == number and case["case"]["owner_center"] == "SEOUL120"
    assert case["case"]["due_at"] is not None
    assert case["handoffs"][0]["summary"] == "273번 버스 배차 간격 민원, 본인 확인 완료"
    assert [e["kind"] for e in case["events"]][-2:] == ["handed-off", "handoff-accepted"]
    assert count(api, tables.cases) == 1, "a transfer never creates a second case"
    assert citizen_id


def test_merge_and_link_complaint(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    citizen_id, first, iid = open_case(api, kim, "kim")
    kim.post(f"/api/v1/interactions/{iid}/end", {"disposition": "answered"})
    kim.post(f"/api/v1/interactions/{iid}/wrap-up", {"notes": "1차 상담", "wrap_up_code": "informed"})
    _, second, _ = open_case(api, kim, "kim")
    merged = kim.post(f"/api/v1/cases/{first}/merge", {"source_number": second})
    assert merged.status_code == 200 and merged.json()["number"] == first
    source = kim.get(f"/api/v1/cases/{second}").json()["case"]
    assert (source["status"], source["merged_into"]) == ("closed", first)
    recorded = kim.post(
        "/api/v1/complaints",
        {
            "sinmungo_id": "1AA-2603-0001",
            "received_at": "2026-03-09T10:00:00+09:00",
            "title": "버스 배차 민원",
            "citizen_id": citizen_id,
        },
    )
    assert recorded.status_code == 201
    linked = kim.post(f"/api/v1/cases/{first}/complaints", {"sinmungo_id": "1AA-2603-0001"})
    assert linked.status_code == 200 and linked.json()["case_number"] == first
    assert kim.get(f"/api/v1/cases/{first}").json()["complaints"][0]["sinmungo_id"] == "1AA-2603-0001"
    missing = kim.post(f"/api/v1/cases/{first}/complaints", {"sinmungo_id": "nope"})
    assert missing.status_code == 404 and missing.json()["error"] == "complaint-not-found"


def test_dropped_call_schedules_a_callback_visible_to_the_center(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    _, number, iid = open_case(api, kim, "kim")
    ended = kim.post(f"/api/v1/interactions/{iid}/end", {"disposition": "dropped", "dropped": True})
    assert ended.status_code == 200 and ended.json()["callback"]["status"] == "pending"
    callbacks = kim.get("/api/v1/callbacks").json()["callbacks"]
    assert [c["id"] for c in callbacks] == [ended.json()["callback"]["id"]]
    assert kim.get(f"/api/v1/cases/{number}").json()["case"]["status"] == "waiting-callback"
    park = api.client().login("park", PASSWORD)
    assert park.get("/api/v1/callbacks").json()["callbacks"] == []
