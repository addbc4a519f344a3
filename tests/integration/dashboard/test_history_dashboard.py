"""The supervisors' history page as ``sori up`` serves it (the real service tree, real HTTP, the case store's
logins and its rollups through ``sori.supervisor_wiring.SqlHistoryData``): headless Chromium logs in as the
ACRC110 supervisor, reads the day's table and the abandoned calls of their own center only, passes axe and is
photographed; hand-forged callbacks for another center are refused; the exports come back as files."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
import requests
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from crm.calls.model import AgentStateChange
from kernel.calendar import SEOUL
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
UPDATE = "/dashboard/history/_dash-update-component"


def seed(system: System, day: dt.date) -> None:
    """One Seoul day: ACRC110 answers two calls and loses one; SEOUL120 answers one and loses one."""

    def at(hour: int, minute: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SEOUL).astimezone(dt.UTC)

    with system.uow() as uow:
        ids = {login: agent_id(uow, login) for login in ("kim", "lee", "park")}
        calls = [
            (call("ACRC110", at(10, 0), wait=12, talk=240, wrapup=60, agent=ids["kim"], call_id="c1"), None),
            (call("ACRC110", at(10, 5), wait=35, talk=120, wrapup=30, agent=ids["lee"], call_id="c2"), None),
            (call("ACRC110", at(10, 20), wait=48, abandoned=True, call_id="c3"), "01012345678"),
            (call("SEOUL120", at(10, 1), wait=8, talk=90, wrapup=20, agent=ids["park"], call_id="c4"), None),
            (call("SEOUL120", at(10, 9), wait=61, abandoned=True, call_id="c5"), "01099998888"),
        ]
        for finished, digits in calls:
            uow.call_log.save_call(finished, digits)
        for minute, state, previous, reason in ((0, "ready", "logged-out", None), (30, "not-ready", "ready", "lunch"),
                                                (45, "ready", "not-ready", None)):  # fmt: skip
            uow.call_log.add_state_change(AgentStateChange(ids["kim"], "ACRC110", at(11, minute), state, previous,
                                                           reason))  # fmt: skip
        uow.commit()


@pytest.fixture
def dashboard(system: System, clock: FakeClock) -> Iterator[tuple[str, dt.date]]:
    clock.now = dt.datetime.now(dt.UTC)  # session cookies expire by the browser's clock
    yesterday = clock.now.astimezone(SEOUL).date() - dt.timedelta(days=1)
    seed(system, yesterday)
    running = RunningApi(system)
    try:
        yield running.base, yesterday
    finally:
        running.stop()


def session(base: str, login: str) -> requests.Session:
    client = requests.Session()
    reply = post_login(client, base, {"login": login, "password": PASSWORD}, allow_redirects=False)
    assert reply.status_code == 302, reply.text
    return client


def state(day: dt.date, centers: Any, group_by: str = "center") -> list[dict[str, Any]]:
    values = [("start", "value", day.isoformat()), ("end", "value", day.isoformat()),
              ("granularity", "data", "day"), ("group-by", "data", group_by), ("centers", "value", centers),
              ("skill", "value", None), ("agent", "value", None), ("threshold", "data", 20)]  # fmt: skip
    return [{"id": i, "property": p, "value": v} for i, p, v in values]


def report(client: requests.Session, base: str, day: dt.date, centers: Any) -> tuple[int, str]:
    body = {"output": "history-report.children", "outputs": {"id": "history-report", "property": "children"},
            "inputs": [{"id": "run", "property": "n_clicks", "value": 1}], "changedPropIds": ["run.n_clicks"],
            "state": state(day, centers)}  # fmt: skip
    reply = client.post(base + UPDATE, json=body, timeout=60)
    return reply.status_code, json.dumps(reply.json(), ensure_ascii=False)


def export(client: requests.Session, base: str, day: dt.date, centers: Any, kind: str) -> dict[str, Any]:
    outputs = [{"id": f"download-{kind}", "property": "data"}, {"id": "export-message", "property": "children"}]
    graph = client.get(f"{base}/dashboard/history/_dash-dependencies", timeout=30).json()
    output = next(d["output"] for d in graph if d["output"].startswith(f"..download-{kind}.data..."))
    body = {"output": output, "outputs": outputs,
            "inputs": [{"id": f"export-{kind}", "property": "n_clicks", "value": 1}],
            "changedPropIds": [f"export-{kind}.n_clicks"], "state": state(day, centers)}  # fmt: skip
    reply = client.post(base + UPDATE, json=body, timeout=60)
    assert reply.status_code == 200, reply.text
    answer: dict[str, Any] = reply.json()["response"]
    return answer


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_supervisor_reads_their_centers_history_in_chromium(dashboard: tuple[str, dt.date]) -> None:
    base, day = dashboard
    with chromium() as browser:
        browser.get(f"{base}/dashboard/history/")
        WebDriverWait(browser, WAIT).until(ec.title_contains("로그인"))
        browser.find_element(By.ID, "login").send_keys("sup")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        WebDriverWait(browser, WAIT).until(ec.title_contains("실적 이력"))
        WebDriverWait(browser, WAIT).until(ec.presence_of_element_located((By.ID, "history-table")))
        WebDriverWait(browser, WAIT).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".main-svg")) >= 1)
        rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "[data-testid=history-row]")]
        assert len(rows) == 2 and rows[0].startswith(f"{day:%Y-%m-%d} 정부민원안내콜센터 · general 3 2 1"), rows
        assert rows[1].startswith("합계"), rows
        abandoned = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "[data-testid=abandoned-row]")]
        assert abandoned == [f"{day:%Y-%m-%d} 10:20:00 010-****-5678 48 ACRC110/general"], abandoned
        page = browser.find_element(By.ID, "history-page").text
        assert "120다산콜재단" not in page and "8888" not in page, "nothing of SEOUL120"
        shot = screenshot(browser, "history-supervisor")
        found = violations(browser)
        assert not found, f"{summary(found)} (screenshot {shot})"

        hourly = browser.find_element(By.XPATH, "//fieldset[@id='granularity-field']//button[text()='1시간']")
        hourly.click()
        WebDriverWait(browser, WAIT).until(lambda _: hourly.get_attribute("aria-pressed") == "true")
        browser.find_element(By.ID, "agent").send_keys("kim")
        browser.find_element(By.ID, "run").click()
        first_row = f"{day:%Y-%m-%d} 10:00 정부민원안내콜센터 · general 1 1 0"
        WebDriverWait(browser, WAIT, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda b: b.find_element(By.CSS_SELECTOR, "[data-testid=history-row]").text.startswith(first_row)
        )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_forged_callbacks_for_another_center_are_refused_and_the_exports_are_files(
    dashboard: tuple[str, dt.date],
) -> None:
    base, day = dashboard
    sup = session(base, "sup")
    status, own = report(sup, base, day, ["ACRC110"])
    assert status == 200 and "정부민원안내콜센터" in own and "120다산콜재단" not in own
    status, forged = report(sup, base, day, ["SEOUL120"])
    assert status == 200 and "권한 밖의 콜센터입니다: SEOUL120" in forged
    assert "120다산콜재단" not in forged and "8888" not in forged
    refused = export(sup, base, day, ["SEOUL120"], "csv")
    assert "download-csv" not in refused or refused["download-csv"]["data"] is None
    assert "권한 밖의 콜센터입니다" in json.dumps(refused, ensure_ascii=False)

    agent = session(base, "kim")
    assert agent.post(base + UPDATE, json={"output": "x", "inputs": []}, timeout=30).status_code == 403

    root = session(base, "root")
    status, every = report(root, base, day, ["SEOUL120"])
    assert status == 200 and "120다산콜재단" in every, "an admin may choose any center"

    data = export(sup, base, day, [], "csv")["download-csv"]["data"]
    assert data["filename"] == f"sori-abandoned-{day:%Y%m%d}-{day:%Y%m%d}.csv"
    raw = base64.b64decode(data["content"])
    assert raw.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(raw.decode("utf-8-sig")))) == [
        ["시각", "전화번호(마스킹)", "대기 시간(초)", "대기열", "콜백 요청"],
        [f"{day:%Y-%m-%d} 10:20:00", "010-****-5678", "48", "ACRC110/general", ""],
    ]
    data = export(root, base, day, [], "xlsx")["download-xlsx"]["data"]
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data["content"]))).active
    assert sheet is not None
    numbers = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert numbers == ["010-****-5678", "010-****-8888"], "both centers for an admin, newest first"
