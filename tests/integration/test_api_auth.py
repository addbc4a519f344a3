"""Login, token expiry and revocation, argon2id hashes, and the login rate limit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.store import tables
from tests.conftest import PASSWORD
from tests.support.api import ApiClient, RunningApi
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration


def test_passwords_are_argon2id_and_tokens_stored_hashed(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    assert kim.token is not None
    with api.system.engine.connect() as conn:
        stored = conn.execute(select(tables.agents.c.password_hash).where(tables.agents.c.login == "kim")).scalar()
        tokens = conn.execute(select(tables.auth_tokens.c.token_hash)).scalars().all()
    assert str(stored).startswith("$argon2id$")
    assert kim.token not in tokens and len(tokens) == 1


def test_token_expires_after_8_hours(api: RunningApi, clock: FakeClock) -> None:
    kim = api.client().login("kim", PASSWORD)
    clock.advance(hours=7, minutes=59)
    assert kim.get("/api/v1/me").status_code == 200
    clock.advance(minutes=2)
    expired = kim.get("/api/v1/me")
    assert expired.status_code == 401 and expired.json()["error"] == "unauthorized"


def test_logout_revokes_the_token(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    assert kim.post("/api/v1/auth/logout").status_code == 204
    assert kim.get("/api/v1/me").status_code == 401


def test_wrong_password_and_unknown_login_look_the_same(api: RunningApi) -> None:
    client = api.client()
    a = client.post("/api/v1/auth/login", {"login": "kim", "password": "wrong password"})
    b = client.post("/api/v1/auth/login", {"login": "nobody", "password": "wrong password"})
    assert a.status_code == b.status_code == 401 and a.json() == b.json()


def test_login_is_rate_limited(api: RunningApi) -> None:
    client = api.client()
    for _ in range(5):
        assert client.post("/api/v1/auth/login", {"login": "lee", "password": "guess"}).status_code == 401
    limited = client.post("/api/v1/auth/login", {"login": "lee", "password": PASSWORD})
    assert limited.status_code == 429 and limited.json()["error"] == "login-rate-limited"
    assert int(limited.headers["retry-after"]) > 0


def test_no_token_or_bad_token(api: RunningApi) -> None:
    assert api.client().get("/api/v1/cases").status_code == 401
    forged = ApiClient(api.base, token="not-a-real-token")
    assert forged.get("/api/v1/cases").json()["error"] == "unauthorized"
