"""Schemathesis over the Open311 operations of the OpenAPI document, against the real service tree of ``sori up``.

The approach of ``tests/integration/test_schemathesis.py`` (schemathesis 4's engine, every check, a fixed seed,
about 25 examples per operation, no stateful phase), restricted to ``/open311/v2/``. Positive cases carry a real
API key (a random one would only ever meet 403). One difference, on purpose: a schema-valid request may be
answered 400, because the specification's 400 also covers rules across fields that no single schema can state
(a service's required attributes, the location inside the jurisdiction, a date window of at most 90 days);
everything else — no 5xx, declared statuses and content types, conforming bodies, invalid input refused,
405 with Allow — is checked as for the main API.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis.engine import from_schema

from sori.wiring import System
from tests.conftest import PASSWORD, build_test_world
from tests.support.api import RunningApi
from tests.support.fuzz import failures
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration

SEED = 20261207
MAX_EXAMPLES = 25
BUDGET_S = 150
GENEROUS = {
    "rate_per_minute_key": 100_000,
    "burst_key": 100_000,
    "rate_per_minute_address": 100_000,
    "burst_address": 100_000,
}


@pytest.fixture
def system(database_url: str, tmp_path: Path, clock: FakeClock, password_hash: str) -> Iterator[System]:
    built = build_test_world(database_url, tmp_path / "state", clock, password_hash, open311=GENEROUS)
    yield built
    built.engine.dispose()


def _api_key(base: str) -> str:
    login = requests.post(base + "/api/v1/auth/login", json={"login": "root", "password": PASSWORD}, timeout=30)
    token = login.json()["token"]
    created = requests.post(
        base + "/api/v1/open311/apps", json={"name": "fuzzer"}, headers={"authorization": f"Bearer {token}"}, timeout=30
    )
    assert created.status_code == 201, created.text
    return str(created.json()["api_key"])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_schemathesis_finds_nothing_in_open311(api: RunningApi, database_url: str) -> None:
    document = requests.get(api.base + "/openapi.json", timeout=30).json()
    api_key = _api_key(api.base)
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "base-url": api.base,
            "generation": {"max-examples": MAX_EXAMPLES, "mode": "all", "database": "none"},
            "phases": {"stateful": {"enabled": False}},
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "403", "404"]}},
        }
    )
    schema = schemathesis.openapi.from_dict(document, config=config).include(path_regex="^/open311/v2/")

    @schema.hook("map_case")
    def with_the_key(context: Any, case: Any) -> Any:
        """A valid case gets the fuzzer's real key where the document asks for one (reads: half of them, so the
        public view is fuzzed too)."""
        if case.meta is None or not case.meta.generation.mode.is_positive:
            return case
        query = case.query if case.query is not None else {}
        if "api_key" in query and (case.method == "POST" or len(str(query["api_key"])) % 2 == 0):
            case.query = {**query, "api_key": api_key}
        return case

    findings, per_check, sent = failures(from_schema(schema).execute(), time.monotonic() + BUDGET_S)
    print(f"schemathesis over Open311: {sent} requests, {len(findings)} findings, by check {dict(per_check)}")
    assert sent > 0
    assert not findings, f"{len(findings)} findings:\n" + "\n\n".join(findings)
