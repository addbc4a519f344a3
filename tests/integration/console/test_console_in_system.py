"""The console as ``sori up`` serves it: mounted at ``/console`` on the API's own site, agents signing in with
their real accounts, and the push stream fed by the system's CTI bus. Fifty open streams hold no database
thread: the screen-pop (a database read, access-logged) still answers while they are open."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
import requests

from sori.wiring import System
from telephony.cti.bus import CtiKind
from tests.conftest import PASSWORD
from tests.integration.console.site import log_in
from tests.support import reactor as rt
from tests.support.api import RunningApi
from tests.support.sse import SseClient

pytestmark = pytest.mark.integration


def agent_id(system: System, login: str) -> int:
    with system.uow(readonly=True) as uow:
        agent = uow.agents.by_login(login)
        assert agent is not None and agent.id is not None
        return agent.id


def console_cookie(api: RunningApi, login: str) -> str:
    client = requests.Session()
    assert log_in(client, api.base, login, PASSWORD).status_code == 303
    cookie = client.cookies.get("sori_console")
    assert cookie is not None
    return f"sori_console={cookie}"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_console_signs_in_and_pushes_the_agents_own_events(api: RunningApi) -> None:
    port = urlsplit(api.base).port
    assert port is not None
    assert requests.get(f"{api.base}/console/", allow_redirects=False, timeout=10).status_code == 303
    refused = SseClient(port)
    assert refused.status == 401  # no session: no stream
    refused.close()
    kim, lee = agent_id(api.system, "kim"), agent_id(api.system, "lee")
    mine = SseClient(port, headers={"Cookie": console_cookie(api, "kim")})
    park = SseClient(port, headers={"Cookie": console_cookie(api, "park")})  # SEOUL120: another center
    try:
        assert mine.next().type == "snapshot" and park.next().type == "snapshot"
        started = time.monotonic()
        rt.call(api.system.cti.publish, CtiKind.AGENT_STATE_CHANGED, "ACRC110", agent_id=kim, state="ready",
                previous="logged-out")  # fmt: skip
        pushed = mine.next()
        assert time.monotonic() - started < 0.3
        assert pushed.type == "state" and pushed.json()["state"] == "ready"
        rt.call(api.system.cti.publish, CtiKind.AGENT_STATE_CHANGED, "ACRC110", agent_id=lee, state="ready",
                previous="logged-out")  # fmt: skip
        assert mine.next().type == "board"  # a colleague's change: the center's board, not a state of mine
        assert park.drain() == []  # another center's console hears nothing of ACRC110
    finally:
        mine.close()
        park.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_fifty_open_streams_hold_no_database_thread(api: RunningApi) -> None:
    port = urlsplit(api.base).port
    assert port is not None
    cookie = console_cookie(api, "kim")
    streams = [SseClient(port, headers={"Cookie": cookie}) for _ in range(50)]
    try:
        assert all(s.status == 200 for s in streams)
        token = requests.post(f"{api.base}/api/v1/auth/login", json={"login": "lee", "password": PASSWORD},
                              timeout=10).json()["token"]  # fmt: skip
        started = time.monotonic()
        pop = requests.get(f"{api.base}/api/v1/citizens", params={"phone": "010-1234-5678", "reason": "재문의 확인"},
                           headers={"authorization": f"Bearer {token}"}, timeout=10)  # fmt: skip
        assert pop.status_code in (200, 404), pop.text  # answered (nobody on record is a fine answer)
        assert time.monotonic() - started < 2.0
    finally:
        for stream in streams:
            stream.close()
