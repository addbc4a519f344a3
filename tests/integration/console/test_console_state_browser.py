"""The agent's state buttons in Debian's headless Chromium: 대기 and 이석 (식사) post with the page's CSRF token
(fetch, under the Content-Security-Policy), the new state comes back through the stream and shows without a
reload, with the time in state ticking next to it. The desk and the stream are stand-ins: the desk pushes
each change it accepts as the stream's ``state`` event, as the CTI bus does in ``sori up``."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select
from twisted.internet import defer
from twisted.web import resource, server

from tests.integration.console.site import KIM, PASSWORD, FakeAccounts, RunningConsole
from tests.support.browser import chromium, console_log_in

pytestmark = pytest.mark.integration
WAIT = 30


class PushingDesk(resource.Resource):
    """The stream (a snapshot: logged out) and the desk in one: each accepted change is pushed to open streams."""

    isLeaf = True

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.open: list[Any] = []
        self.changes: list[tuple[str, str, str | None]] = []

    def render_GET(self, request: Any) -> Any:
        request.setHeader(b"content-type", b"text/event-stream")
        snapshot = {"agent": {"state": "logged-out", "reason": None, "since": None}, "center": None}
        request.write(f"event: snapshot\ndata: {json.dumps(snapshot)}\n\n".encode())
        self.open.append(request)
        return server.NOT_DONE_YET

    def set_state(self, login: str, state: str, reason: str | None) -> defer.Deferred[dict[str, Any]]:
        self.changes.append((login, state, reason))
        since = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=65)).isoformat()  # as if a minute ago
        data = {"state": state, "reason": reason, "since": since}
        for request in self.open:
            request.write(f"event: state\ndata: {json.dumps(data)}\n\n".encode())
        return defer.succeed({"login": login, "state": state, "reason": reason})


@pytest.fixture
def running() -> Iterator[tuple[RunningConsole, PushingDesk]]:
    desk = PushingDesk()
    console = RunningConsole(FakeAccounts(KIM), stream=desk, desk=desk)
    yield console, desk
    console.stop()


def test_the_agent_goes_ready_and_to_a_meal_without_a_reload(running: tuple[RunningConsole, PushingDesk]) -> None:
    console, desk = running
    with chromium() as browser:
        wait = console_log_in(browser, console.base, "kim", PASSWORD, WAIT, connected=False)
        state = (By.CSS_SELECTOR, '[data-testid="agent-state"]')
        wait.until(ec.text_to_be_present_in_element(state, "로그아웃"))
        browser.execute_script("window.sameDocument = true;")  # gone if the page reloads
        browser.find_element(By.CSS_SELECTOR, '[data-testid="state-ready"]').click()
        wait.until(ec.text_to_be_present_in_element(state, "대기"))
        assert browser.find_element(*state).text == "대기"
        since = browser.find_element(By.CSS_SELECTOR, '[data-testid="agent-since"]')
        assert re.fullmatch(r"1:0\d", since.text), since.text  # 65 s in state, from the event's since
        reasons = Select(browser.find_element(By.CSS_SELECTOR, '[data-testid="not-ready-reason"]'))
        assert [o.text for o in reasons.options] == ["식사", "교육", "회의", "개인용무", "휴식", "사무처리"]
        reasons.select_by_visible_text("식사")
        browser.find_element(By.CSS_SELECTOR, '[data-testid="state-not-ready"]').click()
        wait.until(ec.text_to_be_present_in_element(state, "이석 (식사)"))
        assert browser.execute_script("return window.sameDocument === true;"), "the page reloaded"
        assert desk.changes == [("kim", "ready", None), ("kim", "not-ready", "meal")]
        logs: list[dict[str, Any]] = browser.get_log("browser")  # type: ignore[no-untyped-call]
        blocked = [e for e in logs if "Content Security Policy" in e.get("message", "")]
        assert blocked == [], blocked
