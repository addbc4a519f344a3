"""The wallboard in headless Chromium, as ``sori up`` serves it with the desk of ``sori up`` and its board: the
ACRC110 supervisor logs in, watches the numbers change after CTI events and a state change made through the API
(pushed, no polling), sees an alert, sends an agent a message, changes an agent's state and starts a callback
from the page; the page passes axe and is photographed; another center's wallboard is refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from sori.wiring import System
from telephony.control.desk import Desk
from telephony.cti.bus import CtiKind
from tests.conftest import PASSWORD
from tests.support.api import RunningApi
from tests.support.artefacts import screenshot
from tests.support.axe import summary, violations
from tests.support.browser import chromium
from tests.support.supervisor_fakes import call
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration
WAIT = 30
PUSH = 5  # seconds for a pushed number to show (the promise is 2 s; a loaded test machine gets some slack)


@pytest.fixture
def running(system: System, clock: FakeClock, desk: Desk) -> Iterator[RunningApi]:
    clock.now = dt.datetime.now(dt.UTC)
    with system.uow() as uow:
        uow.call_log.save_call(call("ACRC110", clock.now - dt.timedelta(minutes=3), wait=50, abandoned=True,
                                    call_id="gone1"), "01055556666")  # fmt: skip
        uow.commit()
    api = RunningApi(system)
    try:
        yield api
    finally:
        api.stop()


def log_in(browser: WebDriver, base: str, path: str, login: str = "sup") -> None:
    browser.get(base + path)
    WebDriverWait(browser, WAIT).until(ec.title_contains("로그인"))
    browser.find_element(By.ID, "login").send_keys(login)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, WAIT).until(ec.title_contains("상황판"))


def shown(browser: WebDriver, selector: str) -> str:
    """The text of the first element matching ``selector`` now ("" when none): read in one step, so that a
    redraw between finding and reading cannot fail the wait."""
    script = "var e = document.querySelector(arguments[0]); return e ? e.innerText : '';"
    return str(browser.execute_script(script, selector))


def text_of(browser: WebDriver, name: str) -> str:
    return shown(browser, f"[data-testid={name}]")


def agent_text(browser: WebDriver, login: str) -> str:
    return shown(browser, f"[data-testid=agent-row][data-login={login}]")


def api_put(base: str, token: str, path: str, body: dict[str, str]) -> requests.Response:
    return requests.put(base + path, json=body, headers={"authorization": f"Bearer {token}"}, timeout=30)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_wallboard_follows_events_and_runs_actions(running: RunningApi, system: System, desk: Desk) -> None:
    base = running.base
    with chromium() as browser:
        log_in(browser, base, "/dashboard/wallboard/ACRC110")
        WebDriverWait(browser, WAIT).until(lambda b: text_of(b, "kpi-waiting") == "0")
        WebDriverWait(browser, WAIT).until(lambda b: text_of(b, "stream-status") == "실시간")
        system.cti.publish(CtiKind.QUEUE_CHANGED, "ACRC110", None, None, skill="general", waiting=3,
                           longest_wait_s=75.0)  # fmt: skip
        WebDriverWait(browser, PUSH).until(lambda b: text_of(b, "kpi-waiting") == "3")
        WebDriverWait(browser, PUSH).until(lambda b: "최장 대기" in text_of(b, "alert"))
        sup = running.client().login("sup", PASSWORD)
        assert sup.token is not None
        moved = api_put(base, sup.token, "/api/v1/telephony/supervisor/agents/kim/state",
                        {"state": "ready", "reason": "업무 시작"})  # fmt: skip
        assert moved.status_code == 200, moved.text
        WebDriverWait(browser, PUSH).until(lambda b: "대기" in agent_text(b, "kim"))

        # actions from the page: a message, a state change with a reason, a callback from the abandoned list
        browser.find_element(By.ID, "wb-login").send_keys("kim")
        browser.find_element(By.ID, "wb-text").send_keys("잠시 후 회의입니다")
        browser.find_element(By.ID, "wb-act-message").click()
        WebDriverWait(browser, WAIT).until(lambda b: "메시지를 보냈습니다" in text_of(b, "action-result"))
        assert any(e.kind is CtiKind.SUPERVISOR_MESSAGE for e in system.cti.since(0)[0])
        browser.find_element(By.ID, "wb-reason").send_keys("코칭")
        browser.find_element(By.ID, "wb-state-not-ready").click()
        WebDriverWait(browser, WAIT).until(lambda b: "이석(으)로 바꿨습니다" in text_of(b, "action-result"))
        WebDriverWait(browser, PUSH).until(lambda b: "이석" in agent_text(b, "kim"))
        row = browser.find_element(By.CSS_SELECTOR, "[data-testid=abandoned-row]").text
        assert "010-****-6666" in row and "5555" not in row
        browser.find_element(By.CSS_SELECTOR, "[data-testid=callback-button]").click()
        WebDriverWait(browser, WAIT).until(lambda b: "콜백을 시작했습니다" in text_of(b, "action-result"))
        WebDriverWait(browser, WAIT).until(lambda b: "콜백 요청됨" in text_of(b, "abandoned-row"))
        shot = screenshot(browser, "wallboard-supervisor")
        found = violations(browser)
        assert not found, f"{summary(found)} (screenshot {shot})"

        browser.get(base + "/dashboard/wallboard/NTS126")
        WebDriverWait(browser, WAIT).until(lambda b: "NTS126" in text_of(b, "forbidden"))
        assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=kpi-waiting]")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_admin_watches_all_centers(running: RunningApi, system: System) -> None:
    with chromium() as browser:
        log_in(browser, running.base, "/dashboard/wallboard/all", "root")
        WebDriverWait(browser, WAIT).until(lambda b: text_of(b, "kpi-waiting") == "0")
        WebDriverWait(browser, WAIT).until(lambda b: text_of(b, "stream-status") == "실시간")
        rows = browser.find_elements(By.CSS_SELECTOR, "[data-testid=queue-row]")
        assert len(rows) > 156, "every center's queues"
        system.cti.publish(CtiKind.QUEUE_CHANGED, "NTS126", None, None, skill="general", waiting=7,
                           longest_wait_s=5.0)  # fmt: skip
        WebDriverWait(browser, PUSH).until(lambda b: text_of(b, "kpi-waiting") == "7")
        assert "전체 센터" in shown(browser, "#wb-body")
        screenshot(browser, "wallboard-admin-all")
