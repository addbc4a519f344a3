"""Agents' SIP passwords through the API: random, shown once, stored only as HA1, rotated by the agent, a
supervisor of their center or an admin."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from crm.store import tables
from tests.conftest import PASSWORD
from tests.support.api import RunningApi

pytestmark = pytest.mark.integration


def _ha1(api: RunningApi, login: str) -> str | None:
    with api.system.engine.connect() as conn:
        found = conn.execute(select(tables.agents.c.sip_ha1).where(tables.agents.c.login == login)).scalar()
    return None if found is None else str(found)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def test_an_agent_rotates_their_phone_password_shown_once_and_kept_as_ha1_only(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    first = kim.post("/api/v1/agents/kim/sip-password")
    assert first.status_code == 200, first.text
    assert first.headers["cache-control"] == "no-store"
    body = first.json()
    password = body["sip_password"]
    assert body["login"] == "kim" and body["realm"] == "sori" and len(password) >= 20
    assert _ha1(api, "kim") == _md5(f"kim:sori:{password}") != _md5(f"kim:sori:{PASSWORD}")
    with api.system.engine.connect() as conn:  # the password itself is nowhere in the agents' rows
        rows = conn.execute(select(tables.agents)).all()
    assert password not in repr(rows)

    again = kim.post("/api/v1/agents/kim/sip-password", headers={"idempotency-key": "k-1"})
    replay = kim.post("/api/v1/agents/kim/sip-password", headers={"idempotency-key": "k-1"})
    assert again.status_code == replay.status_code == 200
    newest = replay.json()["sip_password"]
    assert len({password, again.json()["sip_password"], newest}) == 3  # never shown twice, even to a replay
    assert _ha1(api, "kim") == _md5(f"kim:sori:{newest}")


def test_who_may_rotate_a_phone_password(api: RunningApi) -> None:
    client = api.client()
    assert client.post("/api/v1/agents/kim/sip-password").status_code == 401
    lee, sup, root = (client.login(login, PASSWORD) for login in ("lee", "sup", "root"))
    before = _ha1(api, "kim")
    for who, login in ((lee, "kim"), (lee, "nobody"), (sup, "park")):  # another agent's, none, another center's
        refused = who.post(f"/api/v1/agents/{login}/sip-password")
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden", refused.text
    assert _ha1(api, "kim") == before
    assert sup.post("/api/v1/agents/kim/sip-password").status_code == 200  # a supervisor of kim's center
    assert root.post("/api/v1/agents/park/sip-password").status_code == 200  # an admin, any center
    missing = root.post("/api/v1/agents/nobody/sip-password")
    assert missing.status_code == 404 and missing.json()["error"] == "agent-not-found"
