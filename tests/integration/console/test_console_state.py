"""The agent changes their own state from the console, inside ``sori up``'s service tree with a real desk (no
media): ``POST /console/state`` with the page's CSRF token; the new state reaches the page through the push
stream's ``state`` event. A reason the center does not use is refused (422), a bad token too (403), the state is
always the session's own agent's, and without telephony the console says so (503)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from telephony.control.desk import Desk
from tests.integration.console.site import csrf_of, log_in
from tests.support.api import RunningApi
from tests.support.sse import SseClient, SseEvent

pytestmark = pytest.mark.integration
JSON = {"Accept": "application/json"}


def signed_in(api: RunningApi, login: str) -> tuple[requests.Session, str]:
    """A browser-like client with a console session, and the shell page's CSRF token."""
    client = requests.Session()
    assert log_in(client, api.base, login).status_code == 303
    shell = client.get(f"{api.base}/console/", timeout=10)
    assert shell.status_code == 200
    return client, csrf_of(shell)


def stream_of(api: RunningApi, client: requests.Session) -> SseClient:
    port = urlsplit(api.base).port
    assert port is not None
    stream = SseClient(port, headers={"Cookie": f"sori_console={client.cookies.get('sori_console')}"})
    assert stream.next().type == "snapshot"
    return stream


def next_state(stream: SseClient, state: str) -> SseEvent:
    """The first ``state`` event saying ``state`` (logging in to the ACD passes through not-ready first)."""
    for _ in range(5):
        event = stream.next()
        if event.type == "state" and event.json()["state"] == state:
            return event
    raise AssertionError(f"no state {state}")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_agent_goes_ready_then_to_a_meal_and_the_stream_says_so(desk: Desk, api: RunningApi) -> None:
    client, csrf = signed_in(api, "kim")
    stream = stream_of(api, client)
    try:
        ready = client.post(f"{api.base}/console/state", data={"csrf": csrf, "state": "ready"}, headers=JSON,
                            timeout=10)  # fmt: skip
        assert ready.status_code == 200, ready.text
        assert ready.json()["state"] == "ready"
        pushed = next_state(stream, "ready").json()
        assert pushed["since"] and pushed["reason"] is None
        meal = client.post(
            f"{api.base}/console/state",
            data={"csrf": csrf, "state": "not-ready", "reason": "meal"},
            allow_redirects=False,
            timeout=10,
        )  # a plain form post
        assert meal.status_code == 303 and meal.headers["Location"] == "/console/"
        assert next_state(stream, "not-ready").json()["reason"] == "meal"
        assert desk.agent_view("kim")["reason"] == "meal"
        shell = client.get(f"{api.base}/console/", timeout=10).text
        assert 'data-testid="not-ready-reason"' in shell and '<option value="meal">식사</option>' in shell
    finally:
        stream.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_unknown_reasons_bad_tokens_and_bad_states_are_refused(desk: Desk, api: RunningApi) -> None:
    client, csrf = signed_in(api, "kim")
    url = f"{api.base}/console/state"
    lunch = client.post(url, data={"csrf": csrf, "state": "not-ready", "reason": "lunch"}, headers=JSON, timeout=10)
    assert lunch.status_code == 422 and lunch.json()["error"] == "unknown-reason"
    assert "이석 사유" in lunch.json()["message"]
    bare = client.post(url, data={"csrf": csrf, "state": "not-ready"}, headers=JSON, timeout=10)
    assert bare.status_code == 422  # not-ready needs a reason
    dancing = client.post(url, data={"csrf": csrf, "state": "dancing"}, headers=JSON, timeout=10)
    assert dancing.status_code == 422
    forged = client.post(url, data={"csrf": "x" * 20, "state": "ready"}, headers=JSON, timeout=10)
    assert forged.status_code == 403 and forged.json()["error"] == "csrf-token-invalid"
    page = client.post(url, data={"state": "ready"}, allow_redirects=False, timeout=10)
    assert page.status_code == 403 and "요청 거부" in page.text  # a plain form post gets a page
    assert client.get(f"{url}", allow_redirects=False, timeout=10).status_code == 405
    assert desk.agent_view("kim")["state"] == "logged-out"  # nothing of it reached the desk
    anonymous = requests.post(url, data={"csrf": csrf, "state": "ready"}, headers=JSON, timeout=10)
    assert anonymous.status_code == 401
    assert desk.agent_view("kim")["state"] == "logged-out"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_session_changes_only_its_own_agent(desk: Desk, api: RunningApi) -> None:
    kim, kim_csrf = signed_in(api, "kim")
    lee, lee_csrf = signed_in(api, "lee")
    url = f"{api.base}/console/state"
    never = kim.post(url, data={"csrf": kim_csrf, "state": "logged-out"}, headers=JSON, timeout=10)
    assert never.status_code == 409 and "바꿀 수 없습니다" in never.json()["message"]  # the ACD never saw kim
    mine = lee.post(url, data={"csrf": lee_csrf, "state": "ready", "login": "kim"}, headers=JSON, timeout=10)
    assert mine.status_code == 200, mine.text
    assert desk.agent_view("lee")["state"] == "ready" and desk.agent_view("kim")["state"] == "logged-out"
    crossed = lee.post(url, data={"csrf": kim_csrf, "state": "logged-out"}, headers=JSON, timeout=10)
    assert crossed.status_code == 403  # kim's token is not lee's session's
    assert desk.agent_view("lee")["state"] == "ready"
    meal = kim.post(url, data={"csrf": kim_csrf, "state": "not-ready", "reason": "meal"}, headers=JSON, timeout=10)
    assert meal.status_code == 200 and desk.agent_view("lee")["state"] == "ready"
    assert desk.agent_view("kim")["state"] == "not-ready"
    again = lee.post(url, data={"csrf": lee_csrf, "state": "logged-out"}, headers=JSON, timeout=10)
    assert again.status_code == 200 and desk.agent_view("kim")["state"] == "not-ready"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_without_telephony_the_console_answers_503_in_korean(api: RunningApi) -> None:
    client, csrf = signed_in(api, "kim")
    url = f"{api.base}/console/state"
    off = client.post(url, data={"csrf": csrf, "state": "ready"}, headers=JSON, timeout=10)
    assert off.status_code == 503 and off.json()["error"] == "telephony-unavailable"
    assert "전화 시스템" in off.json()["message"]
    page = client.post(url, data={"csrf": csrf, "state": "not-ready", "reason": "meal"}, timeout=10)
    assert page.status_code == 503 and "전화 시스템" in page.text
