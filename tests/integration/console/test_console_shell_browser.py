"""The console's shell in Debian's headless Chromium inside the system as ``sori up`` builds it: no script error,
axe-core finds no serious or critical violation on the login page or the shell (empty, and with a contact
popped), and the keyboard works — ``?`` opens the shortcut help and Esc closes it, Alt+M goes to the note,
Alt+I to the inbox — without clashing with the browser's own keys.

A contact served without SIP: ``connect_call`` takes the desk's own store path, and the page is told of it as the
desk's push would tell it (``Sori.emit('contact', …)``); tests/e2e/test_console_calls.py covers the real path."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import PASSWORD
from tests.support.api import RunningApi
from tests.support.artefacts import screenshot
from tests.support.axe import summary, violations
from tests.support.browser import chromium
from tests.support.contacts import connect_call

pytestmark = pytest.mark.integration
WAIT = 30


def tid(name: str) -> tuple[str, str]:
    return By.CSS_SELECTOR, f'[data-testid="{name}"]'


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_shell_is_accessible_and_keyboard_first(api: RunningApi) -> None:
    with chromium() as browser:
        wait = WebDriverWait(browser, WAIT)
        browser.get(f"{api.base}/console/login")
        found = violations(browser)
        assert not found, summary(found)
        browser.find_element(*tid("login-id")).send_keys("kim")
        browser.find_element(*tid("login-password")).send_keys(PASSWORD)
        browser.find_element(*tid("login-submit")).click()
        wait.until(ec.text_to_be_present_in_element(tid("connection-status"), "연결됨"))
        found = violations(browser)
        assert not found, summary(found)
        body = browser.find_element(By.TAG_NAME, "body")
        body.send_keys("?")
        help_dialog = wait.until(ec.visibility_of_element_located(tid("help")))
        assert "Alt+H" in help_dialog.text and "보류" in help_dialog.text
        found = violations(browser)
        assert not found, summary(found)
        browser.switch_to.active_element.send_keys(Keys.ESCAPE)
        wait.until(ec.invisibility_of_element_located(tid("help")))
        body.send_keys(Keys.ALT, "m")
        assert browser.switch_to.active_element.get_attribute("data-testid") == "note-input"
        browser.switch_to.active_element.send_keys("?")  # typing a question mark in a field opens no help
        assert not browser.find_element(*tid("help")).is_displayed()
        body.send_keys(Keys.ALT, "i")
        wait.until(lambda b: b.find_element(*tid("inbox")).get_attribute("hidden") is None)
        assert browser.find_element(By.ID, "tab-inbox").get_attribute("aria-selected") == "true"
        assert browser.find_element(By.ID, "panel-case").get_attribute("hidden") is not None
        # a contact popped: the caller's panel, verification form and timeline are accessible too
        iid = connect_call(api.system, "kim", "010-2468-1357")["interaction"]["id"]
        browser.execute_script("Sori.emit('contact', {interaction_id: arguments[0]})", iid)
        wait.until(ec.presence_of_element_located(tid("timeline-item")))
        found = violations(browser)
        assert not found, summary(found)
        screenshot(browser, "console-shell-contact")
        browser.set_window_size(1366, 768)  # a 1366×768 screen: no sideways scrolling
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(browser, "console-shell-1366x768")
        # script errors only: telephony is off in this system, so the desk's routes answer 503 by design
        logs: list[dict[str, str]] = browser.get_log("browser")  # type: ignore[no-untyped-call]
        errors = [e for e in logs if e["level"] == "SEVERE" and e.get("source") != "network"]
        assert not errors, errors
