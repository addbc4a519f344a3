"""The console's tools panel (도구) in Debian's headless Chromium, in the system as ``sori up`` builds it, with the
agent tools pointed at the real reference service: public-service search, one service, eligibility prefilled
from the caller and the link by SMS; a certificate refused before the caller's identity is checked, then issued
and its deliveries shown; the caller's bills, one bill and a resend — every use landing on the contact. A second
flow points the tools at a closed port: each tool says in Korean that its system is down, and the rest of the
console goes on working.

The contact being served is started without SIP: ``tests.support.contacts.connect_call`` takes the desk's own
store path (its module docstring says why), and the page is then told as the desk's push would tell it, with
``Sori.emit('contact', …)`` — the real path, a SIPp call through the desk, is covered by
``tests/e2e/test_console_calls.py``.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from crm.store import tables
from integrations.sms.memory import InMemorySmsGateway
from tests.conftest import PASSWORD, build_test_world
from tests.support.api import ApiClient, RunningApi
from tests.support.artefacts import screenshot
from tests.support.axe import summary, violations
from tests.support.browser import chromium, console_log_in
from tests.support.contacts import connect_call
from tests.support.postgres import free_port
from tests.support.refsvc import SYSTEMS, RefSvc, key_of, tool_settings
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration
WAIT = 30
PHONE = "010-5000-0000"  # demo citizen 0 of the reference issuer and ledger
RRN = "900101-1234567"


def running(tmp_path: Path, clock: FakeClock, password_hash: str, template: Path, tools: dict[str, Any]) -> RunningApi:
    shutil.copyfile(template, tmp_path / "sori.db")
    system = build_test_world(f"sqlite:///{tmp_path / 'sori.db'}", tmp_path / "state", clock, password_hash,
                              integrations=tools)  # fmt: skip
    return RunningApi(system)


@pytest.fixture
def api(
    tmp_path: Path, clock: FakeClock, password_hash: str, refsvc: RefSvc, sqlite_template: Path
) -> Iterator[RunningApi]:
    api = running(tmp_path, clock, password_hash, sqlite_template, tool_settings(refsvc))
    yield api
    api.stop()
    api.system.engine.dispose()


@pytest.fixture
def dead_api(tmp_path: Path, clock: FakeClock, password_hash: str, sqlite_template: Path) -> Iterator[RunningApi]:
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    tools = {name.replace("-", "_"): {"enabled": True, "base_url": f"{closed}/{name}", "api_key": key_of(name),
                                      "read_timeout_s": 2, "deadline_s": 3} for name in SYSTEMS}  # fmt: skip
    api = running(tmp_path, clock, password_hash, sqlite_template, tools)
    yield api
    api.stop()
    api.system.engine.dispose()


def sign_in(browser: WebDriver, api: RunningApi, login: str = "lee") -> WebDriverWait[WebDriver]:
    return console_log_in(browser, api.base, login, PASSWORD, WAIT, connected=False)


def serve(browser: WebDriver, wait: WebDriverWait[WebDriver], iid: int) -> None:
    """Tell the page about the contact as the desk's push does, and wait for its screen-pop."""
    browser.execute_script("Sori.emit('contact', {interaction_id: arguments[0]})", iid)
    wait.until(lambda b: b.execute_script("return Sori.contact && Sori.contact.interaction_id") == iid)


def find(browser: WebDriver, section: str, testid: str) -> WebElement:
    return browser.find_element(By.CSS_SELECTOR, f'#{section} [data-testid="{testid}"]')


def text_in(section: str, testid: str, text: str) -> Any:
    return ec.text_to_be_present_in_element((By.CSS_SELECTOR, f'#{section} [data-testid="{testid}"]'), text)


def status_says(section: str, text: str) -> Any:
    return ec.text_to_be_present_in_element((By.CSS_SELECTOR, f"#{section} [role=status]"), text)


def tool_uses(api: RunningApi, iid: int) -> list[tuple[str, str, str]]:
    with api.system.engine.connect() as conn:
        rows = conn.execute(select(tables.tool_uses).where(tables.tool_uses.c.interaction_id == iid)
                            .order_by(tables.tool_uses.c.id))  # fmt: skip
        return [(r.tool, r.action, r.outcome) for r in rows]


def no_csp_errors(browser: WebDriver) -> None:
    logs: list[dict[str, Any]] = browser.get_log("browser")  # type: ignore[attr-defined]
    blocked = [e for e in logs if "Content Security Policy" in e.get("message", "")]
    assert blocked == [], blocked


def registered_caller(api: RunningApi, lee: ApiClient) -> int:
    """Lee registers the caller on a first call (their 주민등록번호 stated); a second call from the number is
    theirs, identity not yet checked on it."""
    first = connect_call(api.system, "lee", PHONE)["interaction"]["id"]
    body = {"interaction_id": first, "name": "홍길동", "phones": [PHONE], "resident_number": RRN,
            "region_sido": "서울특별시"}  # fmt: skip
    created = lee.post("/api/v1/citizens", body)
    assert created.status_code == 201, created.text
    second = connect_call(api.system, "lee", PHONE)["interaction"]
    assert second["citizen_id"] == created.json()["id"]
    return int(second["id"])


def test_the_three_tools_for_the_caller_being_served(api: RunningApi) -> None:
    lee = api.client().login("lee", PASSWORD)
    with chromium() as browser:
        wait = sign_in(browser, api)
        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ALT, "s")  # Alt+S: the tools, at the search
        wait.until(lambda b: b.switch_to.active_element.get_attribute("id") == "service-query")
        for section, testid in (("tool-certificates", "certificate-no-contact"), ("tool-bills", "bill-no-contact")):
            shown = find(browser, section, testid)
            assert shown.is_displayed() and shown.text == "통화 중인 고객이 없습니다"
        assert not find(browser, "tool-bills", "bill-load").is_displayed()

        iid = registered_caller(api, lee)
        serve(browser, wait, iid)
        assert not find(browser, "tool-bills", "bill-no-contact").is_displayed()

        # -- public services: search, one service, eligibility prefilled from the caller, the link by SMS
        query = browser.find_element(By.ID, "service-query")
        query.send_keys("청년 월세")
        find(browser, "tool-services", "service-search").click()
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, '[data-testid="service-result"]'))
        name = find(browser, "tool-services", "service-result").text
        find(browser, "tool-services", "service-result").click()
        wait.until(text_in("tool-services", "service-detail", name))
        age = find(browser, "tool-services", "eligibility-age").get_attribute("value")
        assert age == str(dt.date.today().year - 1990)  # from the birth year in the 주민등록번호
        assert find(browser, "tool-services", "eligibility-region").get_attribute("value") == "서울특별시"
        find(browser, "tool-services", "eligibility-check").click()
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, '[data-testid="eligibility-condition"]'))
        overall = find(browser, "tool-services", "eligibility-overall")
        assert overall.get_attribute("data-answer") in {"yes", "no", "unknown"}
        conditions = browser.execute_script(
            "return Array.from(document.querySelectorAll('[data-testid=eligibility-condition]'))"
            ".map(function (c) { return [c.getAttribute('data-answer'), c.textContent]; })"
        )
        assert conditions and all(a in {"yes", "no", "unknown"} and ": " in t for a, t in conditions), conditions
        find(browser, "tool-services", "service-send-link").click()
        wait.until(status_says("tool-services", "안내 문자를 보냈습니다"))
        find(browser, "tool-services", "service-send-link").click()  # a second click sends nothing more
        wait.until(status_says("tool-services", "이미 보낸 안내 문자입니다"))
        sms = api.system.sms
        assert isinstance(sms, InMemorySmsGateway) and len(sms.inbox("01050000000")) == 1
        browser.execute_script("document.getElementById('eligibility-result').scrollIntoView()")
        screenshot(browser, "console-tools-services")

        # -- certificates: refused before the caller's identity is checked, then issued with its deliveries
        wait.until(lambda b: find(b, "tool-certificates", "certificate-kind").find_elements(By.TAG_NAME, "option"))
        kinds = [
            k.get_attribute("textContent") or ""
            for k in browser.find_elements(By.CSS_SELECTOR, '[data-testid="certificate-kind-item"]')
        ]
        assert any("납세증명서" in k and "전화 0원" in k for k in kinds), kinds  # fees by channel, deliveries
        find(browser, "tool-certificates", "certificate-issue").click()
        wait.until(text_in("tool-certificates", "tool-error", "본인 확인"))
        verified = lee.post(f"/api/v1/interactions/{iid}/verify", {"method": "resident-number", "resident_number": RRN})
        assert verified.status_code == 200, verified.text
        find(browser, "tool-certificates", "certificate-issue").click()
        wait.until(text_in("tool-certificates", "certificate-issued", "발급번호"))
        assert find(browser, "tool-certificates", "tool-error").text == ""
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, '[data-testid="certificate-delivery"]'))
        screenshot(browser, "console-tools-certificates")

        # -- bills: the caller's notices, one notice, a resend sent once
        find(browser, "tool-bills", "bill-load").click()
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, '[data-testid="bill-notice"]'))
        notice = find(browser, "tool-bills", "bill-notice").text
        assert "납부할 금액" in notice and "가산금" in notice
        find(browser, "tool-bills", "bill-detail-open").click()
        wait.until(text_in("tool-bills", "bill-detail", "가상계좌"))
        find(browser, "tool-bills", "bill-resend").click()
        wait.until(status_says("tool-bills", "재발송을 접수했습니다"))
        find(browser, "tool-bills", "bill-resend").click()
        wait.until(status_says("tool-bills", "이미 요청한 재발송입니다"))
        screenshot(browser, "console-tools-bills")
        found = violations(browser)  # the tools tab, every tool filled in
        assert found == [], summary(found)
        no_csp_errors(browser)

    used = tool_uses(api, iid)
    assert [(t, a) for t, a, _ in used] == [
        ("public-services", "search"), ("public-services", "service"), ("public-services", "eligibility"),
        ("public-services", "send-link"), ("public-services", "send-link"),
        ("certificates", "issue"), ("certificates", "deliveries"),
        ("bills", "notices"), ("bills", "notice"), ("bills", "resend"), ("bills", "resend"),
    ]  # fmt: skip
    assert {o for _, _, o in used} == {"ok"}


def test_a_dead_backend_says_so_in_each_tool_and_nothing_else_stops(dead_api: RunningApi) -> None:
    api = dead_api
    lee = api.client().login("lee", PASSWORD)
    with chromium() as browser:
        wait = sign_in(browser, api)
        browser.find_element(By.ID, "tab-tools").click()
        wait.until(text_in("tool-certificates", "tool-error", "잠시 후 다시 시도해 주세요"))  # the kinds
        iid = registered_caller(api, lee)
        assert lee.post(f"/api/v1/interactions/{iid}/verify",
                        {"method": "resident-number", "resident_number": RRN}).status_code == 200  # fmt: skip
        serve(browser, wait, iid)  # a new caller: the kinds are asked for again, and fail again
        wait.until(text_in("tool-certificates", "tool-error", "잠시 후 다시 시도해 주세요"))
        browser.find_element(By.ID, "service-query").send_keys("아동수당")
        find(browser, "tool-services", "service-search").click()
        wait.until(text_in("tool-services", "tool-error", "잠시 후 다시 시도해 주세요"))
        find(browser, "tool-bills", "bill-load").click()
        wait.until(text_in("tool-bills", "tool-error", "잠시 후 다시 시도해 주세요"))
        for section in ("tool-services", "tool-certificates", "tool-bills"):
            alert = find(browser, section, "tool-error")
            assert alert.get_attribute("role") == "alert" and alert.is_displayed()
        # the rest of the console goes on: the screen-pop is there, a note saves on a new case
        assert "홍길동" in browser.find_element(By.CSS_SELECTOR, '[data-testid="pop-citizen"]').text
        browser.find_element(By.ID, "tab-case").click()
        browser.find_element(By.CSS_SELECTOR, '[data-testid="open-case"]').click()
        wait.until(lambda b: b.execute_script("return Sori.contact && Sori.contact.case_number"))
        browser.find_element(By.CSS_SELECTOR, '[data-testid="note-input"]').send_keys("기관 시스템 장애 안내함")
        browser.find_element(By.CSS_SELECTOR, '[data-testid="note-save"]').click()
        wait.until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, '[data-testid="work-done"]'), "메모를 저장"))
        browser.find_element(By.ID, "tab-tools").click()
        screenshot(browser, "console-tools-backend-down")
        found = violations(browser)
        assert found == [], summary(found)
        no_csp_errors(browser)
    assert {o for _, _, o in tool_uses(api, iid)} == {"unavailable"}
