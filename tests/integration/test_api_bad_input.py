"""Bad input gets a 4xx with a stable code and a message, and nothing is half-written."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from crm.store import tables
from tests.conftest import PASSWORD
from tests.support.api import RunningApi
from tests.support.contacts import connect_call

pytestmark = pytest.mark.integration


def snapshot(api: RunningApi) -> dict[str, int]:
    with api.system.engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
            for t in tables.metadata.sorted_tables
            if t.name not in ("auth_tokens", "access_log")
        }


CASES = [
    # (description, raw body, content type, expected status, expected code)
    ("malformed JSON", b'{"name": ', "application/json", 400, "malformed-json"),
    ("not an object", b"[1, 2]", "application/json", 400, "malformed-json"),
    ("not UTF-8", b'{"name": "\xff"}', "application/json", 400, "malformed-json"),
    (
        "unknown field",
        json.dumps({"name": "a", "nickname": "b"}).encode(),
        "application/json",
        422,
        "validation-failed",
    ),
    ("wrong type", json.dumps({"name": 5}).encode(), "application/json", 422, "validation-failed"),
    ("string for int", json.dumps({"birth_year": "1990"}).encode(), "application/json", 422, "validation-failed"),
    ("impossible phone", json.dumps({"phones": ["010-123"]}).encode(), "application/json", 422, "invalid-phone-number"),
    (
        "bad RRN date",
        json.dumps({"resident_number": "901301-1234567"}).encode(),
        "application/json",
        422,
        "invalid-resident-number",
    ),
    ("form body", b"name=a", "application/x-www-form-urlencoded", 415, "unsupported-media-type"),
]


@pytest.mark.parametrize(("what", "raw", "content_type", "status", "code"), CASES, ids=[c[0] for c in CASES])
def test_bad_citizen_bodies(api: RunningApi, what: str, raw: bytes, content_type: str, status: int, code: str) -> None:
    kim = api.client().login("root", PASSWORD)  # an admin registers without a contact: the body is all there is
    before = snapshot(api)
    response = kim.post("/api/v1/citizens", data=raw, headers={"content-type": content_type})
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code and body["message"]
    assert snapshot(api) == before


def test_validation_errors_name_the_fields(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    response = kim.post("/api/v1/cases", {"citizen_id": "7", "colour": "red"})
    fields = {e["field"] for e in response.json()["details"]["errors"]}
    assert fields == {"citizen_id", "colour"}


def test_body_over_the_limit_is_refused_unread(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    before = snapshot(api)
    huge = json.dumps({"name": "가" * 300_000}).encode()
    response = kim.post("/api/v1/citizens", data=huge, headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["error"] == "body-too-large"
    assert snapshot(api) == before


def test_unknown_ids_routes_and_methods(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    assert kim.get("/api/v1/cases/2026-ACRC110-999").json()["error"] == "case-not-found"
    assert kim.get("/api/v1/cases/not-a-number").json()["error"] == "validation-failed"
    assert kim.get("/api/v1/citizens/abc", {"reason": "확인 필요"}).json()["error"] == "validation-failed"
    assert kim.get("/api/v1/citizens/424242", {"reason": "확인 필요"}).status_code == 404
    assert kim.get("/api/v1/nowhere").json()["error"] == "route-not-found"
    wrong = kim.session.delete(api.base + "/api/v1/cases", headers={"authorization": f"Bearer {kim.token}"})
    assert wrong.status_code == 405 and wrong.json()["error"] == "method-not-allowed"
    assert kim.get("/api/v1/cases", {"limit": "lots"}).status_code == 422
    assert kim.get("/api/v1/cases", {"limit": "100000"}).status_code == 422
    assert kim.get("/api/v1/cases", {"status": "sleeping"}).status_code == 422
    assert kim.get("/api/v1/citizens", {"phone": "call me", "reason": "확인 필요"}).json()["error"] == (
        "invalid-phone-number"
    )


def test_illegal_handoff_writes_nothing(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    call = connect_call(api.system, "kim", "010-1111-2222")
    case = kim.post(
        "/api/v1/cases", {"citizen_id": call["citizen_candidates"][0], "interaction_id": call["interaction"]["id"]}
    ).json()
    before = snapshot(api)
    response = kim.post(
        f"/api/v1/cases/{case['number']}/handoffs", {"to_center": "NOWHERE", "reason": "x", "summary": "y"}
    )
    assert response.status_code == 404 and response.json()["error"] == "center-not-found"
    response = kim.post(
        f"/api/v1/cases/{case['number']}/handoffs",
        {"to_center": "SEOUL120", "reason": "x", "summary": "y", "to_agent_id": 1},
    )
    assert response.status_code == 422  # agent 1 (kim) is not in SEOUL120
    assert snapshot(api) == before


@pytest.mark.parametrize("opener", [b"[", b'{"a":'], ids=["arrays", "objects"])
def test_deeply_nested_json_is_a_400_not_a_500(api: RunningApi, opener: bytes) -> None:
    kim = api.client().login("kim", PASSWORD)
    closer = b"]" if opener == b"[" else b"}"
    before = snapshot(api)
    for raw in (opener * 10_000 + closer * 10_000, b'{"name": ' + opener * 10_000):  # closed, and left open
        for path in ("/api/v1/citizens", "/api/v1/auth/login"):  # authenticated, and the login (no token)
            response = kim.post(path, data=raw, headers={"content-type": "application/json"})
            assert response.status_code == 400, response.text
            body = response.json()
            assert body["error"] == "json-too-deep" and "64" in body["message"]
            assert body["details"] == {"max_depth": 64}
    assert kim.get("/healthz").status_code == 200, "the reactor thread survived"
    assert snapshot(api) == before


def test_nesting_just_under_the_limit_and_brackets_inside_strings_are_fine(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    deep_but_legal = b'{"name": ' + b"[" * 63 + b"]" * 63 + b"}"
    response = kim.post("/api/v1/citizens", data=deep_but_legal, headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["error"] == "validation-failed"
    brackets = json.dumps({"name": "[" * 5000 + '{\\"' * 100}).encode()
    response = kim.post("/api/v1/citizens", data=brackets, headers={"content-type": "application/json"})
    assert response.json()["error"] != "json-too-deep", response.text
