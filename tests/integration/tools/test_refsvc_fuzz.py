"""The reference service does what its OpenAPI documents say: schemathesis against the running process, every
played system, about 25 examples per operation (more in a bench run: ``FUZZ_EXAMPLES``), every check on. A
failure is any 5xx, a status or content type the document does not list, a body off its schema, a
schema-valid request refused or an invalid one accepted, or an answer without the API key. And the committed
documents (``docs/integrations``) are exactly what the routes state."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis.engine import from_schema

from integrations.refsvc.documents import documents, rendered
from tests.support.fuzz import failures
from tests.support.refsvc import RefSvc, key_of

pytestmark = pytest.mark.integration

SEED = 20261207
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
BUDGET_S = 150
DOCS = Path(__file__).resolve().parents[3] / "docs" / "integrations"


def test_the_committed_documents_are_what_the_routes_state() -> None:
    for name, document in documents().items():
        path = DOCS / f"{name}.openapi.json"
        assert path.exists(), f"{path} is missing: python -m integrations.refsvc.documents"
        assert path.read_text(encoding="utf-8") == rendered(document), (
            f"{path} is stale: python -m integrations.refsvc.documents"
        )


def _fuzz(refsvc: RefSvc, name: str, document: dict[str, Any]) -> tuple[list[str], int]:
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "base-url": refsvc.base(name),
            "headers": {"X-API-Key": key_of(name)},
            "generation": {"max-examples": EXAMPLES, "mode": "all", "database": "none"},
            "phases": {"stateful": {"enabled": False}},
        }
    )
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(document)), config=config)
    keys = iter(range(1, 10**9))

    @schema.hook("map_case")
    def one_key_one_request(context: Any, case: Any) -> Any:
        """One Idempotency-Key names one request: a key the generator draws twice is made unique."""
        key = (case.headers or {}).get("Idempotency-Key")
        if isinstance(key, str) and case.meta is not None and case.meta.generation.mode.is_positive:
            case.headers["Idempotency-Key"] = f"{next(keys)}-{key}"[:200]
        return case

    found, per_check, sent = failures(from_schema(schema).execute(), time.monotonic() + BUDGET_S)
    print(f"schemathesis on {name}: {sent} requests, {len(found)} findings, by check {dict(per_check)}")
    return found, sent


def test_schemathesis_finds_nothing_on_the_reference_service(refsvc: RefSvc) -> None:
    report: list[str] = []
    for name, document in documents().items():
        found, sent = _fuzz(refsvc, name, document)
        assert sent > 0, name
        report += [f"[{name}] {finding}" for finding in found]
    assert not report, f"{len(report)} findings:\n" + "\n\n".join(report)


def test_the_api_key_is_checked_before_anything_else(refsvc: RefSvc) -> None:
    base = refsvc.base("public-services")
    for method, path in (
        ("GET", "/v1/services?q=아동"),
        ("GET", "/v1/nowhere"),
        ("POST", "/v1/services/X/eligibility"),
    ):
        for key in (None, "wrong-key-0123456789abcdef", key_of("bills")):
            headers = {"x-api-key": key} if key else {}
            reply = requests.request(method, base + path, headers=headers, data=b"{" * 10, timeout=10)
            assert reply.status_code == 401, (method, path, key, reply.text)
            assert reply.json()["error"] == "unauthorized"
            assert "www-authenticate" in reply.headers
    assert requests.get(refsvc.url + "/nowhere", timeout=10).status_code == 404
    assert requests.get(refsvc.url + "/health", timeout=10).json() == {"status": "ok"}
