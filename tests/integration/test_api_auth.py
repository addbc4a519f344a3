"""Login, token expiry and revocation, argon2id hashes, and the login rate limit."""

from __future__ import annotations

import re

import pytest
import requests
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


def _authenticated_operations(api: RunningApi) -> list[tuple[str, str]]:
    doc = api.client().get("/openapi.json").json()
    found = []
    for template, operations in doc["paths"].items():
        for method, operation in operations.items():
            if operation.get("security"):
                found.append((method.upper(), re.sub(r"\{\w+\}", "1", template)))
    return found


DEEP = b"[" * 10_000 + b"]" * 10_000
BAD_BODIES = [
    (b'{"colour": 5, "citizen_id": "x"}', "application/json"),  # schema errors would name the fields
    (DEEP, "application/json"),
    (b"a=b", "application/x-www-form-urlencoded"),
    (b'{"x": ', "application/json"),
]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_valid_token_is_401_before_the_body_is_looked_at(api: RunningApi, clock: FakeClock) -> None:
    expired = api.client().login("kim", PASSWORD)
    clock.advance(hours=9)
    revoked = api.client().login("lee", PASSWORD)
    assert revoked.post("/api/v1/auth/logout").status_code == 204
    credentials = {
        "missing": {},
        "not bearer": {"authorization": "Basic a2ltOnB3"},
        "empty bearer": {"authorization": "Bearer "},
        "malformed": {"authorization": "Bearer \u00ff\u00fe not a token"},
        "unknown": {"authorization": "Bearer " + "A" * 43},
        "expired": {"authorization": f"Bearer {expired.token}"},
        "revoked": {"authorization": f"Bearer {revoked.token}"},
    }
    operations = _authenticated_operations(api)
    assert len(operations) > 20 and ("POST", "/api/v1/cases") in operations
    session = requests.Session()
    for n, (method, path) in enumerate(operations):
        for m, (what, headers) in enumerate(credentials.items()):
            raw, content_type = BAD_BODIES[(n + m) % len(BAD_BODIES)]  # every kind of bad body, every credential
            reply = session.request(method, api.base + path, data=raw, timeout=30,
                                    headers={**headers, "content-type": content_type,
                                             "idempotency-key": "x" * 500})  # fmt: skip
            assert reply.status_code == 401, f"{method} {path} with a {what} token: {reply.status_code} {reply.text}"
            assert reply.json()["error"] == "unauthorized" and "errors" not in reply.json()["details"]
    for what, headers in credentials.items():
        huge = session.post(api.base + "/api/v1/citizens", data=b"{" + b" " * 400_000 + b"}", timeout=30,
                            headers={**headers, "content-type": "application/json"})  # fmt: skip
        assert huge.status_code == 401, f"an over-limit body with a {what} token: {huge.status_code}"


def test_a_valid_token_still_gets_the_body_checked(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    wrong = kim.post("/api/v1/cases", {"citizen_id": "7", "colour": "red"})
    assert wrong.status_code == 422 and wrong.json()["error"] == "validation-failed"
    form = kim.post("/api/v1/cases", data=b"a=b", headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status_code == 415
    key = kim.post("/api/v1/cases", {"citizen_id": 1}, headers={"idempotency-key": "x" * 500})
    assert key.status_code == 422 and "Idempotency-Key" in key.json()["message"]
    assert api.client().post("/api/v1/auth/login", {"login": "kim"}).status_code == 422, "login has no token"
