"""Smoke: the API comes up on a free port, logs in and answers the health check."""

from __future__ import annotations

import pytest

from crm.store import migrate
from tests.conftest import PASSWORD
from tests.support.api import RunningApi

pytestmark = pytest.mark.integration


def test_health_and_login(api: RunningApi) -> None:
    client = api.client()
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "schema_revision": migrate.head_revision()}
    kim = client.login("kim", PASSWORD)
    me = kim.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["center_code"] == "ACRC110"
