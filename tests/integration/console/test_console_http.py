"""The console over real HTTP: login page and headers, CSRF, cookies, the shell, idle expiry, logout, static
files. The accounts are ``FakeAccounts`` (an in-memory stand-in for the API's sign-in service); one test at
the end uses the real accounts of a built system."""

from __future__ import annotations

import http.client
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from twisted.web import resource

from console.csrf import FIELD
from console.web import ConsoleResource
from tests.integration.console.site import KIM, PASSWORD, FakeAccounts, RunningConsole, csrf_of, log_in

pytestmark = pytest.mark.integration
MIN = 60.0


class WhoAmI(resource.Resource):
    """A stand-in for the push stream: answers who the console says is asking."""

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.console: ConsoleResource | None = None

    def render_GET(self, request: Any) -> bytes:
        assert self.console is not None
        viewer = self.console.identity(request)
        return (viewer.login if viewer else "nobody").encode()


@pytest.fixture
def running() -> Iterator[RunningConsole]:
    stream = WhoAmI()
    console = RunningConsole(FakeAccounts(KIM), stream=stream)
    stream.console = console.console
    yield console
    console.stop()


def set_cookies(response: requests.Response) -> list[str]:
    return list(response.raw.headers.getlist("Set-Cookie"))


def assert_secure_headers(response: requests.Response) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_login_page_has_its_hooks_headers_and_a_pre_session_cookie(running: RunningConsole) -> None:
    page = requests.get(f"{running.base}/console/login", timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert '<html lang="ko">' in page.text
    for hook in ("login-id", "login-password", "login-submit"):
        assert f'data-testid="{hook}"' in page.text
    assert "<script>" not in page.text and "style=" not in page.text
    assert_secure_headers(page)
    assert page.headers["Cache-Control"] == "no-store"
    [cookie] = set_cookies(page)
    assert cookie.startswith("sori_console_pre=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/console" in cookie


def test_a_login_without_the_right_csrf_token_is_refused(running: RunningConsole) -> None:
    client = requests.Session()
    token = csrf_of(client.get(f"{running.base}/console/login", timeout=10))
    form = {"login": "kim", "password": PASSWORD}
    forged = client.post(f"{running.base}/console/login", data={**form, FIELD: "1-bad"}, timeout=10)
    assert forged.status_code == 403 and "올바르지 않은 요청" in forged.text
    other = requests.post(f"{running.base}/console/login", data={**form, FIELD: token}, timeout=10)
    assert other.status_code == 403, "a token is useless without the browser's pre-session cookie"
    assert "sori_console=" not in " ".join(set_cookies(forged) + set_cookies(other))


def test_a_wrong_password_shows_the_accounts_message(running: RunningConsole) -> None:
    refused = log_in(requests.Session(), running.base, password="wrong")
    assert refused.status_code == 401 and "아이디 또는 비밀번호가 틀렸습니다." in refused.text
    assert 'data-testid="login-id"' in refused.text


def test_every_login_sets_a_new_session_cookie_with_the_right_flags(running: RunningConsole) -> None:
    client = requests.Session()
    ids = []
    for _ in range(2):
        answer = log_in(client, running.base)
        assert answer.status_code == 303 and answer.headers["Location"] == "/console/"
        [cookie] = [c for c in set_cookies(answer) if c.startswith("sori_console=")]
        for flag in ("HttpOnly", "SameSite=strict", "Path=/console"):
            assert flag in cookie
        assert "Secure" not in cookie, "plain HTTP and secure_cookie='auto'"
        ids.append(client.cookies.get("sori_console"))
    assert ids[0] != ids[1] and len(ids[1] or "") >= 43
    old = requests.get(f"{running.base}/console/", cookies={"sori_console": ids[0] or ""}, allow_redirects=False)
    assert old.status_code == 303, "the previous session ended at the new login"


def test_secure_cookies_when_forced(running: RunningConsole) -> None:
    running.console.secure_cookie = True
    page = requests.get(f"{running.base}/console/login", timeout=10)
    [pre] = set_cookies(page)
    assert "Secure" in pre
    nonce = pre.split(";")[0].split("=", 1)[1]
    form = {"login": "kim", "password": PASSWORD, FIELD: csrf_of(page)}
    answer = requests.post(f"{running.base}/console/login", data=form, headers={"Cookie": f"sori_console_pre={nonce}"},
                           allow_redirects=False, timeout=10)  # fmt: skip
    assert answer.status_code == 303
    [cookie] = [c for c in set_cookies(answer) if c.startswith("sori_console=")]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_the_shell_needs_a_session_and_shows_the_agent(running: RunningConsole) -> None:
    bare = requests.get(f"{running.base}/console", allow_redirects=False, timeout=10)
    assert bare.status_code == 303 and bare.headers["Location"] == "/console/"
    away = requests.get(f"{running.base}/console/", allow_redirects=False, timeout=10)
    assert away.status_code == 303 and away.headers["Location"] == "/console/login"
    client = requests.Session()
    log_in(client, running.base)
    shell = client.get(f"{running.base}/console/", timeout=10)
    assert shell.status_code == 200 and shell.headers["Cache-Control"] == "no-store"
    assert_secure_headers(shell)
    for text in ("김상담", "ACRC110", 'data-testid="agent-state">로그아웃<', 'data-testid="connection-status"',
                 'aria-live="polite"', 'action="/console/logout"'):  # fmt: skip
        assert text in shell.text


def test_idle_time_counts_input_not_the_stream(running: RunningConsole) -> None:
    client = requests.Session()
    log_in(client, running.base)
    running.clock.now += 20 * MIN
    assert client.get(f"{running.base}/console/", timeout=10).status_code == 200  # input: idle restarts
    for _ in range(3):
        running.clock.now += 9 * MIN
        assert client.get(f"{running.base}/console/stream", timeout=10).text == "kim"  # the stream: not input
    running.clock.now += 4 * MIN  # 31 minutes after the last page load
    assert client.get(f"{running.base}/console/stream", timeout=10).text == "nobody"
    gone = client.get(f"{running.base}/console/", allow_redirects=False, timeout=10)
    assert gone.status_code == 303 and gone.headers["Location"] == "/console/login"
    assert isinstance(running.port, FakeAccounts)
    deadline = time.monotonic() + 5  # revoking an expired session's API token is not on the answer's path
    while not running.port.revoked and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(running.port.revoked) == 1, "the expired session's API token is revoked"


def test_a_session_outlives_its_idle_time_while_the_agent_is_on_a_call(running: RunningConsole) -> None:
    client = requests.Session()
    log_in(client, running.base)
    running.on_call.add(KIM.agent_id)
    running.clock.now += 45 * MIN
    assert client.get(f"{running.base}/console/stream", timeout=10).text == "kim"
    running.on_call.clear()
    running.clock.now += 29 * MIN
    assert client.get(f"{running.base}/console/", timeout=10).status_code == 200


def test_logout_checks_its_token_then_ends_both_sessions(running: RunningConsole) -> None:
    client = requests.Session()
    log_in(client, running.base)
    token = csrf_of(client.get(f"{running.base}/console/", timeout=10))
    forged = client.post(f"{running.base}/console/logout", data={FIELD: "nope"}, allow_redirects=False)
    assert forged.status_code == 403 and "올바르지 않은 요청" in forged.text
    assert client.get(f"{running.base}/console/", allow_redirects=False).status_code == 200
    out = client.post(f"{running.base}/console/logout", data={FIELD: token}, allow_redirects=False, timeout=10)
    assert out.status_code == 303 and out.headers["Location"] == "/console/login"
    assert any(c.startswith("sori_console=;") and "Max-Age=0" in c for c in set_cookies(out))
    assert client.get(f"{running.base}/console/", allow_redirects=False).status_code == 303
    assert isinstance(running.port, FakeAccounts) and running.port.tokens == {}, "the API token is revoked"
    assert requests.get(f"{running.base}/console/logout", timeout=10).status_code == 405


def test_static_files_are_served_from_an_allow_list(running: RunningConsole) -> None:
    for name, kind in (("console.css", "text/css"), ("console.js", "text/javascript")):
        answer = requests.get(f"{running.base}/console/static/{name}", timeout=10)
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith(kind)
        assert "max-age=31536000" in answer.headers["Cache-Control"]
        assert_secure_headers(answer)
    assert (
        "new EventSource('/console/stream')".replace("'", '"')
        in requests.get(f"{running.base}/console/static/console.js", timeout=10).text
    )
    for name in ("nope.js", "LICENSES.md", "", "console.js/x"):
        assert requests.get(f"{running.base}/console/static/{name}", timeout=10).status_code == 404


TRAVERSALS = ["/console/static/../web.py", "/console/static/%2e%2e/web.py", "/console/static/..%2fweb.py",
              "/console/static/..%2F..%2Fconsole%2Fweb.py"]  # fmt: skip


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_is_refused(running: RunningConsole, path: str) -> None:
    host, port = running.base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path)  # sent as written: no client-side dot-segment removal
    answer = connection.getresponse()
    body = answer.read()
    assert answer.status == 404 and b"ConsoleResource" not in body
    connection.close()
