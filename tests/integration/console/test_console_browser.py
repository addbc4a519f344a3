"""The console in Debian's headless Chromium: log in through the form, see the shell with the agent's name and
the state a stand-in stream pushes (the page's script runs under the Content-Security-Policy), log out. The
accounts are ``FakeAccounts``, the in-memory stand-in for the API's sign-in service."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from twisted.web import resource, server

from tests.integration.console.site import KIM, PASSWORD, FakeAccounts, RunningConsole
from tests.support.browser import chromium, console_log_in

pytestmark = pytest.mark.integration
WAIT = 30


class OneShotStream(resource.Resource):
    """A stand-in for the push stream: a snapshot (not ready), then the agent's state (ready); stays open."""

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]

    def render_GET(self, request: Any) -> Any:
        request.setHeader(b"content-type", b"text/event-stream")
        snapshot = {"agent": {"state": "not-ready", "reason": "교육"}}
        request.write(f"id: e-1\nevent: snapshot\ndata: {json.dumps(snapshot)}\n\n".encode())
        request.write(b'id: e-2\nevent: state\ndata: {"state": "ready", "reason": null}\n\n')
        return server.NOT_DONE_YET


@pytest.fixture
def running() -> Iterator[RunningConsole]:
    console = RunningConsole(FakeAccounts(KIM), stream=OneShotStream())
    yield console
    console.stop()


def test_an_agent_logs_in_sees_the_shell_and_logs_out_in_chromium(running: RunningConsole) -> None:
    with chromium() as browser:
        wait = WebDriverWait(browser, WAIT)
        browser.get(f"{running.base}/console/")
        wait.until(ec.title_contains("로그인"))
        browser.find_element(By.CSS_SELECTOR, '[data-testid="login-id"]').send_keys("kim")
        browser.find_element(By.CSS_SELECTOR, '[data-testid="login-password"]').send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, '[data-testid="login-submit"]').click()
        wait.until(ec.title_contains("상담 콘솔"))
        assert browser.find_element(By.CSS_SELECTOR, '[data-testid="agent-name"]').text == "김상담"
        state = (By.CSS_SELECTOR, '[data-testid="agent-state"]')
        wait.until(ec.text_to_be_present_in_element(state, "대기"))  # pushed: the script ran under the CSP
        link = (By.CSS_SELECTOR, '[data-testid="connection-status"]')
        assert browser.find_element(*link).text == "연결됨"
        # the stand-in sends no heartbeat: 5 s of silence reads as a lost server
        WebDriverWait(browser, 8).until(ec.text_to_be_present_in_element(link, "연결 끊김"))
        logs: list[dict[str, Any]] = browser.get_log("browser")  # type: ignore[no-untyped-call]
        blocked = [e for e in logs if "Content Security Policy" in e.get("message", "")]
        assert blocked == [], blocked
        cookies = {c["name"]: c for c in browser.get_cookies()}
        assert cookies["sori_console"]["httpOnly"] and cookies["sori_console"]["sameSite"] == "Strict"
        browser.find_element(By.CSS_SELECTOR, '[data-testid="logout"]').click()
        wait.until(ec.title_contains("로그인"))
        browser.get(f"{running.base}/console/")
        wait.until(ec.title_contains("로그인"))
        assert "sori_console" not in {c["name"] for c in browser.get_cookies()}


def test_an_idle_session_expires_and_the_page_returns_to_the_login(running: RunningConsole) -> None:
    with chromium() as browser:
        wait = console_log_in(browser, running.base, "kim", PASSWORD, WAIT, connected=False)
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, '[data-testid="agent-state"]'), "대기"))
        running.clock.now += 31 * 60  # 31 minutes without the agent's own input, no call
        browser.find_element(By.CSS_SELECTOR, '[data-testid="state-ready"]').click()
        wait.until(ec.title_contains("로그인"))  # refused as expired: back to the login, nothing changed
        assert "sori_console" not in {c["name"] for c in browser.get_cookies()}
