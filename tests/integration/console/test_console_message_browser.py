"""A supervisor's message reaches the agent's console (``sori up``'s service tree, the desk of ``sori up``): the
supervisor posts it through the API, the CTI event (which carries no text) reaches kim's console stream, the
console fetches kim's messages and shows the newest in a ``role="status"`` banner, in headless Chromium."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from sori.wiring import System
from telephony.control.desk import Desk
from tests.conftest import PASSWORD
from tests.support.api import RunningApi
from tests.support.browser import chromium, console_log_in
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration
WAIT = 30


@pytest.fixture
def running(system: System, clock: FakeClock, desk: Desk) -> Iterator[RunningApi]:
    clock.now = dt.datetime.now(dt.UTC)
    api = RunningApi(system)
    try:
        yield api
    finally:
        api.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_supervisors_message_shows_in_the_agents_console(running: RunningApi) -> None:
    with chromium() as browser:
        console_log_in(browser, running.base, "kim", PASSWORD, WAIT, connected=False)
        WebDriverWait(browser, WAIT).until(lambda b: b.execute_script("return !!(window.Sori && Sori.state)"))
        sup = running.client().login("sup", PASSWORD)
        sent = sup.post("/api/v1/telephony/supervisor/agents/kim/messages", json={"text": "3번 큐 지원 바랍니다"})
        assert sent.status_code == 202, sent.text
        banner = WebDriverWait(browser, WAIT).until(
            ec.visibility_of_element_located((By.CSS_SELECTOR, '[data-testid="supervisor-message"]'))
        )
        assert banner.get_attribute("role") == "status"
        assert "관리자 sup" in banner.text and "3번 큐 지원 바랍니다" in banner.text
        browser.find_element(By.CSS_SELECTOR, '[data-testid="supervisor-message-ok"]').click()
        WebDriverWait(browser, WAIT).until(
            ec.invisibility_of_element_located((By.CSS_SELECTOR, '[data-testid="supervisor-message"]'))
        )
