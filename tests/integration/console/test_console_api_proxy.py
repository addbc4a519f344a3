"""The console's way to the JSON API (``/console/api/v1/…``) in the system as ``sori up`` builds it: the session's
agent, never a token in the browser; CSRF on every change; the API's own rules (role, center, serving scope)
answer exactly as they answer curl, so editing a URL in the console reaches nothing the agent's token could not;
the console's login and logout stay the console's; only the agent's own clicks count as input."""

from __future__ import annotations

import re

import pytest
import requests

from console.sessions import ConsoleSessions
from tests.conftest import PASSWORD
from tests.integration.console.site import log_in
from tests.support.api import RunningApi
from tests.support.contacts import connect_call

pytestmark = pytest.mark.integration
PHONE = "010-3456-7890"


def console(api: RunningApi, login: str) -> tuple[requests.Session, str]:
    """A signed-in console (its cookie) and the page's CSRF token, read from the shell as the page reads it."""
    client = requests.Session()
    assert log_in(client, api.base, login, PASSWORD).status_code == 303
    shell = client.get(f"{api.base}/console/", timeout=10)
    found = re.search(r'data-csrf="([^"]+)"', shell.text)
    assert found is not None
    return client, found.group(1)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_console_reaches_the_api_as_its_agent_and_only_as_its_agent(api: RunningApi) -> None:
    kim, csrf = console(api, "kim")
    me = kim.get(f"{api.base}/console/api/v1/me", timeout=10)
    assert me.status_code == 200 and me.json()["login"] == "kim"
    assert "authorization" not in {k.lower() for k in me.request.headers}  # the browser never sends a token
    assert requests.get(f"{api.base}/console/api/v1/me", timeout=10).status_code == 401  # no session, nothing
    # another center's contact, by URL: the API's own answer (403), not a console bypass
    choi_call = connect_call(api.system, "choi", PHONE)["interaction"]["id"]
    assert kim.get(f"{api.base}/console/api/v1/interactions/{choi_call}/screen-pop", timeout=10).status_code == 403
    assert kim.get(f"{api.base}/console/api/v1/interactions/{choi_call}", timeout=10).status_code == 403
    # changes need the page's CSRF token
    own = connect_call(api.system, "kim", PHONE)["interaction"]["id"]
    bare = kim.post(f"{api.base}/console/api/v1/interactions/{own}/end", json={"disposition": "answered"}, timeout=10)
    assert bare.status_code == 403 and bare.json()["error"] == "csrf-token-invalid"
    forged = kim.post(f"{api.base}/console/api/v1/interactions/{own}/end", json={"disposition": "answered"},
                      headers={"X-CSRF-Token": "x" * 43}, timeout=10)  # fmt: skip
    assert forged.status_code == 403
    ended = kim.post(f"{api.base}/console/api/v1/interactions/{own}/end", json={"disposition": "answered"},
                     headers={"X-CSRF-Token": csrf}, timeout=10)  # fmt: skip
    assert ended.status_code == 200, ended.text
    # the inbox's complainant check goes through as any other API path: the API's own answer, not the console's
    unknown = kim.post(f"{api.base}/console/api/v1/complaints/999999/complainant", json={"interaction_id": own},
                       headers={"X-CSRF-Token": csrf}, timeout=10)  # fmt: skip
    assert unknown.status_code == 404 and unknown.json()["error"] == "complaint-not-found"
    # the console's own sign-in stays the console's: no token minted or revoked through the proxy
    for path in ("auth/login", "auth/logout", "public/certificates/verify"):
        answer = kim.post(f"{api.base}/console/api/v1/{path}", json={}, headers={"X-CSRF-Token": csrf}, timeout=10)
        assert answer.status_code == 404, path
    assert kim.get(f"{api.base}/console/api/v2/me", timeout=10).status_code == 404
    assert kim.get(f"{api.base}/console/api/v1/me", timeout=10).status_code == 200  # still signed in


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_only_the_agents_own_clicks_keep_the_session_from_idling(api: RunningApi) -> None:
    kim, _ = console(api, "kim")
    session = next(iter(_sessions(api)._sessions.values()))
    before = session.last_input
    session.last_input -= 600  # ten minutes without input
    kim.get(f"{api.base}/console/api/v1/me", timeout=10)  # a read the page makes by itself
    assert session.last_input == before - 600
    kim.get(f"{api.base}/console/api/v1/me", headers={"X-Console-Input": "1"}, timeout=10)  # a click
    assert session.last_input > before - 600


def _sessions(api: RunningApi) -> ConsoleSessions:
    """The console sessions of the running system (through the site's mounted console resource)."""
    site = api.root.getServiceNamed("http").args[1]
    sessions: ConsoleSessions = site.resource.children[b"console"].sessions
    return sessions
