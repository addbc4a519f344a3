"""Headless Chromium for browser tests: Debian's chromium driven through its own chromedriver (Selenium),
never a browser or driver downloaded at run time."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait


@contextmanager
def chromium() -> Iterator[webdriver.Chrome]:
    binary, driver = shutil.which("chromium"), shutil.which("chromedriver")
    assert binary is not None and driver is not None, "./dev test installs Debian's chromium and chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=ko-KR",
                 "--window-size=1400,1000"):  # fmt: skip
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    try:
        browser.set_page_load_timeout(60)
        yield browser
    finally:
        browser.quit()


def console_log_in(browser: webdriver.Chrome, base: str, login: str, password: str, timeout: float = 30,
                   connected: bool = True) -> WebDriverWait[webdriver.Chrome]:  # fmt: skip
    """Log in at the console's login page as ``login``; wait until the console is up (its title) and, when
    ``connected``, its event stream too (연결됨). The wait, for the test's next steps."""
    wait = WebDriverWait(browser, timeout)
    browser.get(f"{base}/console/login")
    for testid, text in (("login-id", login), ("login-password", password)):
        browser.find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]').send_keys(text)
    browser.find_element(By.CSS_SELECTOR, '[data-testid="login-submit"]').click()
    wait.until(ec.title_contains("상담 콘솔"))
    if connected:
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, '[data-testid="connection-status"]'), "연결됨"))
    return wait
