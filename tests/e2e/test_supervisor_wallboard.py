"""The supervisors' dashboards over a real ``sori up`` with real SIP (issue 15): two SIPp citizens dial 110 while
nobody at 정부민원안내콜센터 is logged in; the ACRC110 supervisor, logged in through the dashboards' form in one
headless Chromium, watches the wallboard count both waiting; one hangs up (an abandoned call, on the wallboard's
list); 김민지 logs in ready and her product softphone (pjsua2) answers the other: her row shows 통화; when she hangs
up the day's figures (offered, answered, abandoned, ASA, service level) move. The history page lists the abandoned
call today and its CSV export downloads with the number masked; NTS126's wallboard and stream are refused.
Screenshots are kept (``tests/support/artefacts.py``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from kernel.calendar import SEOUL
from sori.seed.demo import DEMO_PASSWORD
from tests.e2e.stack import running_stack
from tests.e2e.test_agent_calls import Api, citizen_phone, finish, phones, place_call, query  # noqa: F401
from tests.support import sipp as scenarios
from tests.support.artefacts import screenshot
from tests.support.browser import chromium
from tests.support.phones import Softphone

pytestmark = pytest.mark.e2e
WAIT = 45  # a call's way through the IVR takes about 16 s
PUSH = 10  # the promise is 2 s; a loaded test machine gets some slack
MASKED = re.compile(r"^010-\*{4}-\d{4}$")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    audio = tmp_path_factory.mktemp("audio")
    agent_wav, caller_wav = audio / "agent440.wav", audio / "caller1000-ulaw.wav"
    tone = ["sox", "-n", "-r", "8000", "-c", "1"]
    subprocess.run([*tone, "-b", "16", str(agent_wav), "synth", "30", "sine", "440", "vol", "0.5"], check=True)
    subprocess.run([*tone, "-e", "u-law", str(caller_wav), "synth", "30", "sine", "1000", "vol", "0.5"], check=True)
    with running_stack({"SORI_TELEPHONY__WRAPUP_S": "0"}, always_open=("NTS126", "ACRC110")) as running:
        running.update(agent_wav=agent_wav, caller_wav=caller_wav)
        yield running


def shown(browser: webdriver.Chrome, selector: str) -> str:
    """The text of the first element matching ``selector`` now ("" when none), read in one step (a redraw
    between finding and reading cannot fail a wait)."""
    script = "var e = document.querySelector(arguments[0]); return e ? e.innerText : '';"
    return str(browser.execute_script(script, selector))


def kpi(browser: webdriver.Chrome, name: str) -> str:
    return shown(browser, f"[data-testid={name}]")


def tally(browser: webdriver.Chrome) -> tuple[int, int, int]:
    """Today's offered, answered and abandoned calls, as the abandonment card's note says them."""
    note = browser.execute_script(
        "var e = document.querySelector('[data-testid=kpi-abandon-rate]');"
        "return e ? e.parentElement.querySelector('.note').innerText : '';"
    )
    found = re.search(r"인입 (\d+) · 응답 (\d+) · 포기 (\d+)", str(note))
    assert found is not None, note
    offered, answered, abandoned = map(int, found.groups())
    return offered, answered, abandoned


def rows(browser: webdriver.Chrome, scope: str) -> list[str]:
    script = "return Array.from(document.querySelectorAll(arguments[0])).map(function (e) { return e.innerText; });"
    return [str(r) for r in browser.execute_script(script, f"{scope} [data-testid=abandoned-row]")]


def masked(digits: str) -> str:
    return f"{digits[:3]}-****-{digits[-4:]}"


def caller(stack: dict[str, Any], name: str, digits: str, *after_queued: str) -> subprocess.Popen[bytes]:
    """A citizen dialling 110: past the recording notice, 0 for an agent; nobody staffs the queue, so the IVR
    offers a callback and 2 keeps waiting; then ``after_queued``."""
    return place_call(stack, name, scenarios.invite("110", digits), scenarios.key("0", 9000),
                      scenarios.key("2", 6000), *after_queued, timeout=120)  # fmt: skip


def stream_status(browser: webdriver.Chrome, scope: str) -> list[Any]:
    """The wallboard stream of ``scope`` asked from the page, with the browser's own session cookie."""
    script = """var done = arguments[arguments.length - 1];
    fetch('/dashboard/wallboard-stream?scope=' + encodeURIComponent(arguments[0]))
      .then(function (r) { return r.text().then(function (t) { done([r.status, t]); }); })
      .catch(function (e) { done([0, String(e)]); });"""
    return list(browser.execute_async_script(script, scope))


def test_a_supervisor_watches_real_calls_on_the_wallboard_and_exports_the_abandoned_one(
    stack: dict[str, Any],
    phones: Callable[..., Softphone],  # noqa: F811
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    base = f"http://127.0.0.1:{stack['http']}"
    today = dt.datetime.now(SEOUL).date()
    phone = phones("acrc.kim")  # registered, not yet logged in to the ACD
    kim = Api(stack, "acrc.kim")
    answered_digits = citizen_phone(stack, with_open_case=False)
    gone_digits = citizen_phone(stack, with_open_case=False, skip=(answered_digits,))
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with chromium() as browser:
        wait = WebDriverWait(browser, WAIT)
        browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
        browser.get(f"{base}/dashboard/wallboard/ACRC110")  # the dashboards' login form first, then back here
        wait.until(ec.title_contains("로그인"))
        browser.find_element(By.ID, "login").send_keys("acrc.sup")
        browser.find_element(By.ID, "password").send_keys(DEMO_PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(ec.title_contains("상황판"))
        wait.until(lambda b: kpi(b, "stream-status") == "실시간" and kpi(b, "kpi-waiting") == "0")
        assert tally(browser) == (0, 0, 0), "the demo history ends yesterday: today starts empty"

        talker = caller(stack, "answered", answered_digits, scenarios.pause(500),
                        scenarios.stream(str(stack["caller_wav"])),
                        scenarios.AWAIT_BYE.replace('timeout="20000"', 'timeout="90000"'))  # fmt: skip
        leaver = caller(stack, "abandoned", gone_digits, scenarios.pause(14000), scenarios.BYE)
        try:
            wait.until(lambda b: kpi(b, "kpi-waiting") == "2")
            # the one who hangs up: gone from the count, on today's abandoned list of the wallboard
            finish(stack, "abandoned", leaver, timeout=WAIT)
            gone = time.monotonic()
            WebDriverWait(browser, PUSH).until(lambda b: kpi(b, "kpi-waiting") == "1")
            print(f"hang-up to the wallboard: {time.monotonic() - gone:.2f} s")
            WebDriverWait(browser, PUSH).until(lambda b: tally(b) == (1, 0, 1))
            WebDriverWait(browser, PUSH).until(
                lambda b: any(masked(gone_digits) in r for r in rows(b, "#wb-abandoned"))
            )
            listed = rows(browser, "#wb-abandoned")
            assert not any(gone_digits[3:7] in r or gone_digits in r for r in listed), listed

            # 김민지 goes ready: her softphone answers the caller still waiting
            assert kim.state("ready")["state"] in ("ready", "ringing")  # the ACD may offer her the call at once
            phone.wait("answered", login="acrc.kim", timeout=WAIT)
            agent_row = "[data-testid=agent-row][data-login='acrc.kim']"
            WebDriverWait(browser, PUSH).until(lambda b: "통화" in shown(b, agent_row))
            WebDriverWait(browser, PUSH).until(lambda b: kpi(b, "kpi-waiting") == "0")
            screenshot(browser, "wallboard-live-call")
            time.sleep(2)  # a little conversation
            phone.command(cmd="hangup", login="acrc.kim")
            finish(stack, "answered", talker, timeout=WAIT)
        finally:
            for sipp in (talker, leaver):
                if sipp.poll() is None:
                    sipp.kill()
                    sipp.wait()
        WebDriverWait(browser, PUSH).until(lambda b: tally(b) == (2, 1, 1))
        # her row: back to 대기 (no wrap-up configured), one call handled
        WebDriverWait(browser, PUSH).until(lambda b: shown(b, agent_row).split("\t")[2:5:2] == ["대기", "1"])
        waits = query(stack, "SELECT (julianday(answered_at) - julianday(enqueued_at)) * 86400, "
                      "(julianday(abandoned_at) - julianday(enqueued_at)) * 86400 FROM call_records "
                      "WHERE queue_center = 'ACRC110' AND sip_call_id LIKE '%@127.0.0.1' ORDER BY id")  # fmt: skip
        assert len(waits) == 2 and sorted(w[0] is None for w in waits) == [False, True], waits
        answer_wait = next(w[0] for w in waits if w[0] is not None)
        abandon_wait = next(w[1] for w in waits if w[1] is not None)
        assert abandon_wait > 5, "not a short abandon: it counts against the service level"
        # the day's only calls (the stack is fresh), so the figures are these two's
        assert kpi(browser, "kpi-asa") == f"{answer_wait:.0f}초"
        assert kpi(browser, "kpi-service-level") == ("50.0%" if answer_wait <= 20 else "0.0%")  # short-excluded
        assert kpi(browser, "kpi-abandon-rate") == "50.0%"

        # the history page: today's abandoned calls of ACRC110, and the CSV export
        browser.get(f"{base}/dashboard/history/")
        wait.until(ec.title_contains("실적 이력"))
        wait.until(ec.presence_of_element_located((By.ID, "history-table")))
        browser.execute_script(
            "var set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;"
            "var e = document.getElementById('start'); set.call(e, arguments[0]);"
            "e.dispatchEvent(new Event('input', {bubbles: true}));",
            today.isoformat(),
        )
        browser.find_element(By.ID, "run").click()
        line = f"{today:%Y-%m-%d}"
        wait.until(lambda b: f"기간 {line} ~ {line}" in shown(b, "[data-testid=history-report] .summary"))
        figures = shown(browser, "[data-testid=history-row]")
        assert figures.split("\t")[:5] == [line, "정부민원안내콜센터 · general", "2", "1", "1"], figures
        history = rows(browser, "#history-report")
        assert len(history) == 1, history
        assert history[0].startswith(line) and masked(gone_digits) in history[0] and "ACRC110/general" in history[0]
        assert gone_digits[3:7] not in history[0].split()[2], history
        browser.execute_script("document.getElementById('abandoned-table').scrollIntoView({block: 'end'});")
        screenshot(browser, "history-abandoned")
        browser.find_element(By.ID, "export-csv").click()
        path = downloads / f"sori-abandoned-{today:%Y%m%d}-{today:%Y%m%d}.csv"
        wait.until(lambda _: path.exists() and path.stat().st_size > 0)
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
        table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert table[0] == ["시각", "전화번호(마스킹)", "대기 시간(초)", "대기열", "콜백 요청"], table[0]
        assert len(table) == 2 and MASKED.match(table[1][1]), table
        when, number, waited, queue, callback = table[1]
        assert when.startswith(line) and number == masked(gone_digits) and queue == "ACRC110/general", table
        assert abs(int(waited) - abandon_wait) <= 1 and callback == "", (table, abandon_wait)
        text = raw.decode("utf-8-sig")
        assert gone_digits not in text and f"{gone_digits[:3]}-{gone_digits[3:7]}" not in text

        # another center's wallboard: the page says why; its stream refuses with 403
        browser.get(f"{base}/dashboard/wallboard/NTS126")
        wait.until(lambda b: "NTS126" in kpi(b, "forbidden"))
        assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=kpi-waiting]")
        status, body = stream_status(browser, "center:NTS126")
        assert status == 403 and '"other-center"' in body, (status, body)
    kim.state("logged-out")
    print(f"scenario: {time.monotonic() - started:.1f} s")
