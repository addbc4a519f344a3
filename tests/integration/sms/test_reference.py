"""The reference SMS gateway over raw HTTP: every answer matches ``integrations/sms/openapi.json``; bad
numbers, lengths, keys and bodies get 4xx with a reason; the API key comes only from a private file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests
from openapi_spec_validator import validate

import integrations.sms
from tests.support.postgres import free_port
from tests.support.sms import KEY, Reference, start_reference, write_key

pytestmark = pytest.mark.integration

DOC = json.loads((Path(integrations.sms.__file__).parent / "openapi.json").read_text(encoding="utf-8"))
AUTH = {"authorization": f"Bearer {KEY}"}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reference]:
    service = start_reference(tmp_path_factory.mktemp("sms"))
    yield service
    service.stop()


def conforms(response: requests.Response, path: str, method: str) -> Any:
    """The response's status is documented for the operation and its body matches the documented schema."""
    operation = DOC["paths"][path][method]
    assert str(response.status_code) in operation["responses"], (path, method, response.status_code)
    documented = operation["responses"][str(response.status_code)]
    if "$ref" in documented:
        documented = DOC["components"]["responses"][documented["$ref"].rsplit("/", 1)[1]]
    schema = {**documented["content"]["application/json"]["schema"], "components": DOC["components"]}
    body = response.json()
    jsonschema.validate(body, schema, format_checker=jsonschema.FormatChecker())
    return body


def post(reference: Reference, body: Any, key: str | None = "k1", headers: dict[str, str] | None = None,
         raw: bytes | None = None) -> requests.Response:  # fmt: skip
    sent = {**AUTH, **({"idempotency-key": key} if key else {}), **(headers or {})}
    if raw is not None:
        return requests.post(f"{reference.url}/v1/messages", data=raw, headers=sent, timeout=5)
    return requests.post(f"{reference.url}/v1/messages", json=body, headers=sent, timeout=5)


def test_the_document_is_valid_openapi() -> None:
    validate(DOC)


def test_send_status_replay_and_handset_match_the_document(reference: Reference) -> None:
    created = post(reference, {"to": "01050000001", "text": "인증번호 654321"}, key="doc-1")
    assert created.status_code == 201
    message = conforms(created, "/v1/messages", "post")
    assert message["to"] == "010-****-0001" and "01050000001" not in created.text
    replay = post(reference, {"to": "01050000001", "text": "인증번호 654321"}, key="doc-1")
    assert replay.status_code == 200 and replay.headers["idempotent-replayed"] == "true"
    assert conforms(replay, "/v1/messages", "post")["id"] == message["id"]
    status = requests.get(f"{reference.url}/v1/messages/{message['id']}", headers=AUTH, timeout=5)
    assert conforms(status, "/v1/messages/{id}", "get")["status"] == "delivered"
    inbox = requests.get(f"{reference.url}/v1/handsets/01050000001/messages", headers=AUTH, timeout=5)
    assert [m["text"] for m in conforms(inbox, "/v1/handsets/{number}/messages", "get")["messages"]] == [
        "인증번호 654321"
    ]
    health = requests.get(f"{reference.url}/v1/health", timeout=5)
    assert conforms(health, "/v1/health", "get") == {"status": "ok"}


@pytest.mark.parametrize(
    ("body", "key", "status", "code"),
    [
        ({"to": "010-5000-0001", "text": "안내"}, "b1", 400, "invalid-number"),
        ({"to": "0215771234", "text": "안내"}, "b2", 400, "invalid-number"),
        ({"to": "01050000002", "text": "가" * 1001}, "b3", 400, "text-too-long"),
        ({"to": "01050000002", "text": ""}, "b4", 400, "text-empty"),
        ({"to": "01050000002", "text": "🙂"}, "b5", 400, "text-encoding"),
        ({"to": "01050000002"}, "b6", 400, "bad-request"),
        ({"to": "01050000002", "text": "안내", "from": "0212345678"}, "b7", 400, "bad-request"),
        ({"to": 1050000002, "text": "안내"}, "b8", 400, "bad-request"),
        ({"to": "01050000002", "text": "안내"}, None, 400, "idempotency-key-required"),
        ({"to": "01050000002", "text": "안내"}, "한글키", 400, "idempotency-key-invalid"),
    ],
)
def test_bad_requests_get_a_4xx_with_the_reason(reference: Reference, body: Any, key: str | None, status: int,
                                                 code: str) -> None:  # fmt: skip
    headers = {"idempotency-key": key.encode().decode("latin-1")} if key and not key.isascii() else None
    response = post(reference, body, key=key if key is None or key.isascii() else None, headers=headers)
    assert (response.status_code, conforms(response, "/v1/messages", "post")["error"]) == (status, code)
    assert reference.handset("01050000002") == []


def test_too_long_says_how_long_and_the_limit(reference: Reference) -> None:
    response = post(reference, {"to": "01050000003", "text": "나" * 1200}, key="len-1")
    assert response.json()["details"] == {"bytes": 2400, "limit": 2000}


def test_not_json_oversized_and_reused_keys(reference: Reference) -> None:
    assert conforms(post(reference, None, key="j1", raw=b"{not json"), "/v1/messages", "post")["error"] == "bad-request"
    big = post(reference, None, key="j2", raw=b"x" * (17 * 1024))
    assert (big.status_code, conforms(big, "/v1/messages", "post")["error"]) == (413, "payload-too-large")
    assert post(reference, {"to": "01050000004", "text": "하나"}, key="j3").status_code == 201
    reused = post(reference, {"to": "01050000004", "text": "둘"}, key="j3")
    assert (reused.status_code, conforms(reused, "/v1/messages", "post")["error"]) == (422, "idempotency-key-reused")


def test_every_call_but_health_needs_the_api_key(reference: Reference) -> None:
    calls = [
        ("post", "/v1/messages", "/v1/messages"),
        ("get", "/v1/messages/m_x", "/v1/messages/{id}"),
        ("get", "/v1/handsets/01050000001/messages", "/v1/handsets/{number}/messages"),
    ]
    for headers in ({}, {"authorization": "Bearer wrong-key-0123456789"}, {"authorization": f"Basic {KEY}"}):
        for method, url, path in calls:
            response = requests.request(method, reference.url + url, headers={**headers, "idempotency-key": "a1"},
                                        json={"to": "01050000009", "text": "안내"}, timeout=5)  # fmt: skip
            assert response.status_code == 401 and conforms(response, path, method)["error"] == "unauthorized"
    assert reference.handset("01050000009") == []
    missing = requests.get(f"{reference.url}/v1/messages/m_missing", headers=AUTH, timeout=5)
    assert (missing.status_code, conforms(missing, "/v1/messages/{id}", "get")["error"]) == (404, "message-not-found")
    bad_number = requests.get(f"{reference.url}/v1/handsets/021234/messages", headers=AUTH, timeout=5)
    assert conforms(bad_number, "/v1/handsets/{number}/messages", "get")["error"] == "invalid-number"
    assert requests.get(f"{reference.url}/v2/other", headers=AUTH, timeout=5).status_code == 404
    wrong_method = requests.delete(f"{reference.url}/v1/messages", headers=AUTH, timeout=5)
    assert (wrong_method.status_code, wrong_method.json()["error"]) == (405, "method-not-allowed")


def test_the_key_file_must_be_private_and_the_key_never_on_argv(tmp_path: Path) -> None:
    loose = write_key(tmp_path, mode=0o644)
    command = [
        sys.executable,
        "-m",
        "integrations.sms.reference",
        "--port",
        str(free_port()),
        "--api-key-file",
        str(loose),
    ]
    refused = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert refused.returncode == 2 and "chmod 600" in refused.stderr
    env = {k: v for k, v in os.environ.items() if k != "SMS_REFERENCE_API_KEY"}
    no_key = subprocess.run(command[:5], capture_output=True, text=True, timeout=30, env=env)
    assert no_key.returncode == 2 and "API key" in no_key.stderr
    service = start_reference(tmp_path)
    try:
        cmdline = Path(f"/proc/{service.process.pid}/cmdline").read_bytes()
        assert KEY.encode() not in cmdline
    finally:
        service.stop()
