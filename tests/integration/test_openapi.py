"""The OpenAPI 3.1 document is valid, matches docs/openapi.json, and real responses conform to it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from crm.cases.model import Channel
from telephony.cti.bus import CtiKind
from tests.conftest import PASSWORD
from tests.support.api import ApiClient, RunningApi
from tests.support.contacts import connect_call

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def _operation(doc: dict[str, Any], method: str, path: str) -> tuple[str, dict[str, Any]]:
    for template, operations in doc["paths"].items():
        pattern = "^" + re.sub(r"\{\w+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            return template, operations[method.lower()]
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def check(doc: dict[str, Any], response: requests.Response) -> None:
    request = response.request
    path = requests.utils.urlparse(request.url).path  # type: ignore[attr-defined]
    template, operation = _operation(doc, str(request.method), path)
    declared = operation["responses"].get(str(response.status_code))
    assert declared is not None, f"{request.method} {template} answered {response.status_code}, not declared"
    if response.status_code == 204:
        assert response.content == b""
        return
    schema = declared["content"]["application/json"]["schema"]
    validator = Draft202012Validator({**schema, "components": doc["components"]})
    errors = sorted(validator.iter_errors(response.json()), key=str)
    assert not errors, f"{request.method} {template} {response.status_code}: {errors[0].message}"


def test_document_is_valid_and_committed(api: RunningApi) -> None:
    doc = api.client().get("/openapi.json").json()
    validate(doc)
    committed = json.loads((REPO / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == doc, "docs/openapi.json is stale: run `sori openapi > docs/openapi.json`"


def test_real_responses_conform(api: RunningApi) -> None:
    anonymous = api.client()
    doc = anonymous.get("/openapi.json").json()
    seen: list[requests.Response] = []

    def record(response: requests.Response) -> requests.Response:
        seen.append(response)
        return response

    kim = anonymous.login("kim", PASSWORD)
    park = anonymous.login("park", PASSWORD)
    sup = anonymous.login("sup", PASSWORD)
    record(anonymous.get("/healthz"))
    record(anonymous.post("/api/v1/auth/login", {"login": "kim", "password": "nope"}))
    record(anonymous.get("/api/v1/me"))
    record(kim.get("/api/v1/me"))
    record(kim.get("/api/v1/centers"))
    record(kim.get("/api/v1/centers/ACRC110"))
    record(kim.get("/api/v1/centers/NOPE"))
    record(kim.get("/api/v1/agents", {"center": "ACRC110"}))
    call = connect_call(api.system, "kim", "010-5678-1234")
    iid = call["interaction"]["id"]
    citizen = record(
        kim.post(
            "/api/v1/citizens",
            {"interaction_id": iid, "name": "홍길동", "phones": ["010-5678-1234"], "resident_number": "850315-2345678"},
        )
    ).json()
    record(kim.post("/api/v1/citizens", {"nickname": "x"}))
    record(kim.post("/api/v1/interactions", {"channel": "inbound-call", "phone": "010-5678-1234"}))
    record(
        sup.post(
            "/api/v1/attestations",
            {"agent_id": 1, "citizen_id": citizen["id"], "kind": "walk-in", "reason": "방문 민원"},
        )
    )
    record(kim.post(f"/api/v1/interactions/{iid}/verify/sms-code", {}))
    record(kim.get(f"/api/v1/interactions/{iid}"))
    record(kim.post(f"/api/v1/interactions/{iid}/citizen", {"citizen_id": citizen["id"]}))
    record(
        kim.post(
            f"/api/v1/interactions/{iid}/verify", {"method": "resident-number", "resident_number": "850315-2345678"}
        )
    )
    record(kim.post(f"/api/v1/citizens/{citizen['id']}/consents", {"recording": True}))
    record(kim.get("/api/v1/citizens", {"phone": "010-5678-1234"}))
    record(kim.get(f"/api/v1/citizens/{citizen['id']}"))
    case = record(
        kim.post("/api/v1/cases", {"citizen_id": citizen["id"], "summary": "문의", "interaction_id": iid})
    ).json()
    number = case["number"]
    record(kim.get(f"/api/v1/cases/{number}"))
    record(kim.get("/api/v1/cases"))
    record(kim.patch(f"/api/v1/cases/{number}", {"category": "행정"}))
    record(kim.post(f"/api/v1/cases/{number}/status", {"status": "in-progress"}))
    record(kim.post(f"/api/v1/cases/{number}/status", {"status": "closed"}))
    record(kim.post(f"/api/v1/cases/{number}/contacts", {"channel": "sms", "notes": "안내 문자 발송"}))
    record(kim.post(f"/api/v1/interactions/{iid}/end", {"disposition": "answered"}))
    record(kim.post(f"/api/v1/interactions/{iid}/wrap-up", {"notes": "완료", "wrap_up_code": "resolved"}))
    call2 = connect_call(api.system, "kim", "010-5678-1234", channel=Channel.CALLBACK)
    record(kim.post(f"/api/v1/interactions/{call2['interaction']['id']}/continue", {"case_number": number}))
    record(
        kim.post(
            "/api/v1/complaints",
            {
                "sinmungo_id": "1AA-1",
                "received_at": "2026-03-01T00:00:00Z",
                "title": "민원",
                "citizen_id": citizen["id"],
            },
        )
    )
    record(kim.post(f"/api/v1/cases/{number}/complaints", {"sinmungo_id": "1AA-1"}))
    handoff = record(
        kim.post(f"/api/v1/cases/{number}/handoffs", {"to_center": "SEOUL120", "reason": "이관", "summary": "요약"})
    ).json()
    record(park.post(f"/api/v1/cases/{number}/handoffs/{handoff['id']}/accept"))
    record(kim.post(f"/api/v1/cases/{number}/merge", {"source_number": number}))
    record(kim.get("/api/v1/callbacks"))
    api.system.cti.publish(CtiKind.CALL_OFFERED, "ACRC110", "c@edge", dialled="110")
    record(kim.get("/api/v1/cti/events"))
    record(sup.get("/api/v1/access-log"))
    record(kim.get("/api/v1/access-log"))
    record(kim.session.put(api.base + "/api/v1/cases", headers={"authorization": f"Bearer {kim.token}"}))
    record(kim.post("/api/v1/auth/logout"))
    statuses = {r.status_code for r in seen}
    assert {200, 201, 204, 401, 403, 404, 409, 422} <= statuses
    for response in seen:
        if response.status_code == 405:
            assert response.json()["error"] == "method-not-allowed"
            continue
        check(doc, response)
    assert isinstance(kim, ApiClient)
