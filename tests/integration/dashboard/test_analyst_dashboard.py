"""The analyst dashboard as ``sori up`` serves it (the real service tree, real HTTP, the case store's logins):
headless Chromium logs in, reads the report, filters it, searches and downloads it; plain HTTP checks the
gate, the callbacks' own role check and bad input."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from sori.wiring import System
from tests.conftest import PASSWORD
from tests.support.api import RunningApi
from tests.support.browser import chromium
from tests.support.dashboard import callback_body, report_total
from tests.support.dashboard_login import post_login
from tests.support.system import FakeClock
from tests.support.trend_index import PHONE, SURGE, TOTAL, build_index

pytestmark = pytest.mark.integration
WAIT = 60


@pytest.fixture
def dashboard(system: System, clock: FakeClock) -> Iterator[str]:
    # Session cookies expire by the browser's clock: the system's clock must be today's.
    clock.now = dt.datetime.now(dt.UTC)
    build_index(system.settings.state_dir / "analytics" / "search.db")
    running = RunningApi(system)
    try:
        yield running.base
    finally:
        running.stop()


def log_in(browser: WebDriver, base: str, login: str) -> None:
    browser.get(f"{base}/dashboard/analytics/")
    WebDriverWait(browser, WAIT).until(ec.title_contains("로그인"))
    assert "/dashboard/login?next=/dashboard/analytics/" in browser.current_url
    browser.find_element(By.ID, "login").send_keys(login)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def text_of(browser: WebDriver, element_id: str, contains: str) -> str:
    WebDriverWait(browser, WAIT).until(ec.text_to_be_present_in_element((By.ID, element_id), contains))
    return str(browser.find_element(By.ID, element_id).text)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_analyst_reads_filters_searches_and_downloads_the_report_in_chromium(dashboard: str) -> None:
    base = dashboard
    with chromium() as browser:
        log_in(browser, base, "ana")
        WebDriverWait(browser, WAIT).until(ec.title_contains("민원 분석"))
        assert text_of(browser, "total", f"전체 {TOTAL}건").startswith(f"전체 {TOTAL}건"), "the default period"
        WebDriverWait(browser, WAIT).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".main-svg")) >= 4)
        surges = browser.find_element(By.ID, "surges").text
        assert "재난지원금" in surges and "재난지원금 지연" in surges, "the surging keyword with its documents"
        assert "상담 연속성" in browser.page_source, "continuity from the case store for all channels"

        browser.find_element(By.CSS_SELECTOR, "#channel input[value=phone]").click()
        browser.find_element(By.ID, "run").click()
        assert text_of(browser, "total", f"전체 {PHONE}건").startswith(f"전체 {PHONE}건")
        href = browser.find_element(By.ID, "download").get_attribute("href") or ""
        assert "report.html?from=2026-03-01&to=2026-03-30&channel=phone" in href

        browser.find_element(By.CSS_SELECTOR, "#channel input[value=text]").click()
        browser.find_element(By.ID, "run").click()
        assert text_of(browser, "total", f"전체 {TOTAL - PHONE}건")
        assert "상담 연속성" not in browser.find_element(By.ID, "report").text, "text only: no phone continuity"

        browser.find_element(By.CSS_SELECTOR, "#channel input[value=all]").click()
        search = browser.find_element(By.ID, "q")
        search.send_keys("재난지원금")
        browser.find_element(By.ID, "search").click()
        assert f"{SURGE}건 중" in text_of(browser, "search-total", "건 중")
        assert "재난지원금 지연" in browser.find_element(By.ID, "search-hits").text

        cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
        download = requests.get(href, cookies=cookies, timeout=60)
        assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
        assert "민원 동향 보고서 2026-03-01 ~ 2026-03-30" in download.text and "범위: 채널=전화 상담" in download.text

        browser.find_element(By.CSS_SELECTOR, "header form button").click()
        WebDriverWait(browser, WAIT).until(ec.title_contains("로그인"))
        browser.get(f"{base}/dashboard/analytics/")
        WebDriverWait(browser, WAIT).until(ec.title_contains("로그인")), "logged out: the session is revoked"
    assert requests.get(href, cookies=cookies, timeout=30, allow_redirects=False).status_code == 302


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_agent_is_refused_in_chromium(dashboard: str) -> None:
    with chromium() as browser:
        log_in(browser, dashboard, "kim")
        WebDriverWait(browser, WAIT).until(ec.title_contains("권한 없음"))
        assert "이 대시보드를 볼 수 없습니다" in browser.find_element(By.TAG_NAME, "main").text


def session(base: str, login: str, password: str = PASSWORD) -> requests.Session:
    client = requests.Session()
    reply = post_login(client, base, {"login": login, "password": password}, allow_redirects=False)
    assert reply.status_code == 302 and reply.headers["location"] == "/dashboard/analytics/", reply.text
    cookie = reply.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/dashboard" in cookie
    return client


def test_the_gate_the_callbacks_role_check_and_bad_input_over_http(dashboard: str) -> None:
    base = dashboard
    update = f"{base}/dashboard/analytics/_dash-update-component"
    anonymous = requests.post(update, json=callback_body(), timeout=30)
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "unauthorized"
    assert requests.get(f"{base}/dashboard/analytics/report.html", allow_redirects=False, timeout=30).status_code == 302

    wrong = post_login(requests.Session(), base, {"login": "ana", "password": "nope"})
    assert wrong.status_code == 401 and "아이디 또는 비밀번호가 틀렸습니다." in wrong.text
    evil = post_login(requests.Session(), base, {"login": "ana", "password": PASSWORD, "next": "//evil.example/x"},
                      allow_redirects=False)
    assert evil.headers["location"] == "/dashboard/analytics/", "never redirected off the dashboards"

    agent = session(base, "kim")
    refused = agent.post(update, json=callback_body(), timeout=30)
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    report = f"{base}/dashboard/analytics/report.html?from=2026-03-01&to=2026-03-30"
    assert agent.get(report, timeout=30).status_code == 403

    analyst = session(base, "ana")
    answer = analyst.post(update, json=callback_body("phone"), timeout=120)
    assert answer.status_code == 200, answer.text
    assert report_total(answer.json()) == PHONE
    backwards = analyst.post(update, json=callback_body(start="2026-03-30", end="2026-03-01"), timeout=30)
    assert backwards.status_code == 200
    assert "종료일이 시작일보다 앞섭니다." in json.dumps(backwards.json(), ensure_ascii=False)
    garbage = analyst.post(update, data=b"{not json", headers={"content-type": "application/json"}, timeout=30)
    assert garbage.status_code == 400, "a malformed callback body is refused"
    bad_dates = analyst.get(f"{base}/dashboard/analytics/report.html?from=yesterday&to=2026-03-30", timeout=30)
    assert bad_dates.status_code == 400 and "YYYY-MM-DD" in bad_dates.text
    assert analyst.post(update, json=callback_body(), timeout=120).status_code == 200, "still serving"
    api = requests.get(f"{base}/healthz", timeout=30)
    assert api.status_code == 200, "the API beside the dashboards"

    sup = session(base, "sup")
    assert sup.post(update, json=callback_body(), timeout=120).status_code == 200, "supervisors may read it too"
