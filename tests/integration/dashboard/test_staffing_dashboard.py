"""The supervisors' staffing page as ``sori up`` serves it (real HTTP, the case store's logins, its rollups through
``SqlHistoryData`` and its schedules through ``SqlStaffingData``): headless Chromium logs in as the ACRC110
supervisor, reads the day's plan forecast from six weeks of the same weekday, uploads a schedule CSV and sees it
beside the agents needed, passes axe and is photographed; forged callbacks for another center are refused."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from kernel.calendar import SEOUL
from sori.staffing_wiring import SqlStaffingData
from sori.wiring import System
from tests.conftest import PASSWORD
from tests.support.api import RunningApi
from tests.support.artefacts import screenshot
from tests.support.axe import summary, violations
from tests.support.browser import chromium
from tests.support.dashboard_login import post_login
from tests.support.supervisor_fakes import agent_id, call
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration
WAIT = 60
UPDATE = "/dashboard/staffing/_dash-update-component"


def seed(system: System, day: dt.date) -> None:
    """The six same weekdays before ``day``: ACRC110 answers 10 calls at 10:00-10:15 (AHT 300 s); SEOUL120 20."""
    with system.uow() as uow:
        kim, park = agent_id(uow, "kim"), agent_id(uow, "park")
        for week in range(1, 7):
            ten = dt.datetime.combine(day - dt.timedelta(weeks=week), dt.time(10), tzinfo=SEOUL).astimezone(dt.UTC)
            for n in range(10):
                at = ten + dt.timedelta(seconds=80 * n)
                uow.call_log.save_call(
                    call("ACRC110", at, wait=4, talk=240, wrapup=60, agent=kim, call_id=f"a{week}{n}")
                )
            for n in range(20):
                at = ten + dt.timedelta(seconds=40 * n)
                uow.call_log.save_call(call("SEOUL120", at, wait=4, talk=100, agent=park, call_id=f"s{week}{n}"))
        uow.commit()


@pytest.fixture
def dashboard(system: System, clock: FakeClock) -> Iterator[tuple[str, dt.date, System]]:
    clock.now = dt.datetime.now(dt.UTC)  # session cookies expire by the browser's clock
    today = clock.now.astimezone(SEOUL).date()
    seed(system, today)
    running = RunningApi(system)
    try:
        yield running.base, today, system
    finally:
        running.stop()


def rows(browser: Any) -> dict[str, list[str]]:
    found = {}
    for row in browser.find_elements(By.CSS_SELECTOR, "[data-testid=staffing-row]"):
        cells = row.text.split()
        if cells:  # a row being redrawn has no text yet
            found[cells[0]] = cells
    return found


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_supervisor_plans_the_day_and_uploads_a_schedule_in_chromium(
    dashboard: tuple[str, dt.date, System], tmp_path: Path
) -> None:
    base, today, system = dashboard
    with chromium() as browser:
        browser.get(f"{base}/dashboard/staffing/")
        WebDriverWait(browser, WAIT).until(ec.title_contains("로그인"))
        browser.find_element(By.ID, "login").send_keys("sup")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        WebDriverWait(browser, WAIT).until(ec.title_contains("인력 산정"))
        WebDriverWait(browser, WAIT).until(ec.presence_of_element_located((By.ID, "staffing-table")))
        ten = rows(browser)["10:00"]
        assert ten[1:3] == ["10.0", "5:00"] and int(ten[3]) >= 4 and ten[5] == "—", ten
        assert "배치 계획 없음" in browser.find_element(By.ID, "staffing-summary").text
        assert "120다산콜재단" not in browser.find_element(By.ID, "staffing-page").text

        plan = tmp_path / "plan.csv"
        plan.write_text(f"날짜,시작시각,상담사수,간격(분)\n{today:%Y-%m-%d},10:00,6,30\n", encoding="utf-8-sig")
        browser.find_element(By.CSS_SELECTOR, "#upload input[type=file]").send_keys(str(plan))
        message = WebDriverWait(browser, WAIT).until(lambda b: b.find_element(By.ID, "upload-message").text or None)
        assert message == "ACRC110의 배치 계획 2개 구간(15분)을 저장했습니다."
        WebDriverWait(browser, WAIT, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda b: rows(b).get("10:15", [""] * 6)[5] == "6"
        )
        ten = rows(browser)["10:00"]
        assert ten[5] == "6" and ten[6].endswith("%") and ten[4] == ten[7] == "—", ten
        assert "Erlang A 값은 비워 둡니다" in browser.find_element(By.ID, "no-erlang-a").text, "nobody hung up"
        WebDriverWait(browser, WAIT).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".main-svg")) >= 1)
        shot = screenshot(browser, "staffing-supervisor")
        found = violations(browser)
        assert not found, f"{summary(found)} (screenshot {shot})"
    stored = SqlStaffingData(system.engine).schedule("ACRC110", today, today)
    assert [(s.interval_start.astimezone(SEOUL).strftime("%H:%M"), s.agents) for s in stored] == [
        ("10:00", 6),
        ("10:15", 6),
    ]


def session(base: str, login: str) -> requests.Session:
    client = requests.Session()
    reply = post_login(client, base, {"login": login, "password": PASSWORD}, allow_redirects=False)
    assert reply.status_code == 302, reply.text
    return client


def plan(client: requests.Session, base: str, day: dt.date, center: str) -> tuple[int, str]:
    body = {"output": "staffing-report.children", "outputs": {"id": "staffing-report", "property": "children"},
            "inputs": [{"id": "run", "property": "n_clicks", "value": 1},
                       {"id": "upload-message", "property": "children", "value": None}],
            "changedPropIds": ["run.n_clicks"],
            "state": [{"id": "center", "property": "value", "value": center},
                      {"id": "day", "property": "value", "value": day.isoformat()},
                      {"id": "target", "property": "value", "value": 80},
                      {"id": "threshold", "property": "value", "value": 20}]}  # fmt: skip
    reply = client.post(base + UPDATE, json=body, timeout=60)
    return reply.status_code, json.dumps(reply.json(), ensure_ascii=False)


def upload(client: requests.Session, base: str, day: dt.date, center: str) -> tuple[int, str]:
    csv = f"날짜,시작시각,상담사수\n{day:%Y-%m-%d},09:00,99\n".encode()
    body = {"output": "upload-message.children", "outputs": {"id": "upload-message", "property": "children"},
            "inputs": [{"id": "upload", "property": "contents",
                        "value": "data:text/csv;base64," + base64.b64encode(csv).decode()}],
            "changedPropIds": ["upload.contents"],
            "state": [{"id": "upload", "property": "filename", "value": "x.csv"},
                      {"id": "center", "property": "value", "value": center}]}  # fmt: skip
    reply = client.post(base + UPDATE, json=body, timeout=60)
    return reply.status_code, json.dumps(reply.json(), ensure_ascii=False)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_forged_callbacks_for_another_center_are_refused(dashboard: tuple[str, dt.date, System]) -> None:
    base, today, system = dashboard
    sup = session(base, "sup")
    status, own = plan(sup, base, today, "ACRC110")
    assert status == 200 and "staffing-table" in own and '"10.0"' in own
    status, forged = plan(sup, base, today, "SEOUL120")
    assert status == 200 and "권한 밖의 콜센터입니다: SEOUL120" in forged and "staffing-table" not in forged
    status, forged = upload(sup, base, today, "SEOUL120")
    assert status == 200 and "권한 밖의 콜센터입니다: SEOUL120" in forged
    assert SqlStaffingData(system.engine).schedule("SEOUL120", today, today) == [], "nothing imported"
    agent = session(base, "kim")
    assert agent.post(base + UPDATE, json={"output": "x", "inputs": []}, timeout=30).status_code == 403
    status, every = plan(session(base, "root"), base, today, "SEOUL120")
    assert status == 200 and '"20.0"' in every, "an admin plans any center"
