"""The login throttle over real HTTP: an address guessing one login's password is slowed, with growing
delays, while the right password from another address keeps working; an address spraying many logins is
capped; bursts are logged and counted. The guesser is a client bound to 127.0.0.2 (loopback holds all of
127.0.0.0/8), the agent's own client comes from 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from sori.wiring import System
from tests.conftest import PASSWORD
from tests.support.api import RunningApi
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration
LOGIN = "/api/v1/auth/login"


def post_from(source: str, api: RunningApi, login: str, password: str) -> tuple[int, dict[str, str], Any]:
    """POST a login from ``source`` (the client socket is bound to that address)."""
    parts = urlsplit(api.base)
    assert parts.hostname is not None and parts.port is not None
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30, source_address=(source, 0))
    try:
        body = json.dumps({"login": login, "password": password})
        conn.request("POST", LOGIN, body=body, headers={"content-type": "application/json"})
        reply = conn.getresponse()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, json.loads(reply.read() or b"null")
    finally:
        conn.close()


@pytest.fixture
def throttled_api(system: System) -> Iterator[RunningApi]:
    system.settings.http.login_address_max_failures = 9  # small enough to reach with real argon2 checks
    system.settings.http.login_burst_failures = 8
    running = RunningApi(system)
    yield running
    running.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_guessing_from_one_address_never_locks_the_login_out_elsewhere(
    throttled_api: RunningApi, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    api = throttled_api
    for _ in range(5):
        status, _, body = post_from("127.0.0.2", api, "root", "guess")
        assert status == 401 and body["error"] == "unauthorized"
    status, headers, body = post_from("127.0.0.2", api, "root", PASSWORD)
    assert status == 429 and body["error"] == "login-rate-limited", "even the right password waits there"
    assert body["details"] == {"retry_after": 1, "scope": "address-login"} and headers["retry-after"] == "1"
    assert "초 뒤에 다시 시도하세요" in body["message"] and "retry in 1 s" in body["message"]

    status, _, body = post_from("127.0.0.1", api, "root", PASSWORD)
    assert status == 200 and body["token"], "the admin logs in from their own address"

    waits = []
    for _ in range(2):  # each wrong guess after the free ones doubles the wait
        clock.advance(seconds=int(post_from("127.0.0.2", api, "root", "guess")[1].get("retry-after", "0")))
        assert post_from("127.0.0.2", api, "root", "guess")[0] == 401
        status, headers, _ = post_from("127.0.0.2", api, "root", "guess")
        assert status == 429
        waits.append(int(headers["retry-after"]))
    assert waits == [2, 4]
    assert post_from("127.0.0.1", api, "root", PASSWORD)[0] == 200

    # Spraying: the same address now fails other logins until the per-address cap (9) is reached.
    with caplog.at_level(logging.WARNING, logger="sori.auth"):
        for login in ("kim", "lee"):
            assert post_from("127.0.0.2", api, login, "guess")[0] == 401
    status, headers, body = post_from("127.0.0.2", api, "park", PASSWORD)
    assert status == 429 and body["details"]["scope"] == "address"
    assert post_from("127.0.0.1", api, "park", PASSWORD)[0] == 200

    bursts = [r for r in caplog.records if getattr(r, "event", None) == "login-failure-burst"]
    assert [(vars(r)["scope"], getattr(r, "address", None)) for r in bursts] == [("address", "127.0.0.2")]
    assert PASSWORD not in caplog.text and "guess" not in caplog.text

    admin = api.client().login("root", PASSWORD)
    counters = admin.get("/api/v1/auth/throttle").json()
    assert counters["failures"] == 9 and counters["refused"] >= 4 and counters["bursts"] == 1
    assert 0 < counters["keys"] <= counters["max_keys"]
    agent = api.client().login("kim", PASSWORD)
    assert agent.get("/api/v1/auth/throttle").status_code == 403
