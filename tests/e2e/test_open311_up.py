"""An Open311 app against ``sori up --demo`` as an operator runs it: the operator issues the app a key with
``sori open311 key create``; the app lists the services, files a road-damage request in Seoul over plain HTTP
(form-encoded, as GeoReport v2 says); the request appears in 120다산콜재단's inbox in the agent console
(headless Chromium); the agent claims and answers it; the app reads its request back ``closed`` with the
answer as ``status_notes`` — and another app, or no key, learns nothing private about it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec

from sori.seed.demo import DEMO_PASSWORD
from tests.e2e.test_sori_up import wait_healthy
from tests.support.artefacts import screenshot
from tests.support.browser import chromium, console_log_in
from tests.support.postgres import free_port

pytestmark = pytest.mark.e2e
SORI = str(Path(sys.executable).with_name("sori"))
WAIT = 30
ANSWER = "보수 공사를 요청했습니다. 12월 10일까지 교체됩니다."


APP = "우리동네 민원앱"


def tid(name: str) -> tuple[str, str]:
    return By.CSS_SELECTOR, f'[data-testid="{name}"]'


def new_key(state: Path, env: dict[str, str], app: str) -> str:
    done = subprocess.run([SORI, "open311", "key", "create", "--app", app, "--state-dir", str(state)],
                          env=env, capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def test_an_app_files_a_request_an_agent_answers_it_and_the_app_reads_it_closed() -> None:
    root = Path(tempfile.mkdtemp(prefix="sori-311-"))
    port, state = free_port(), root / "state"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SORI_")}
    env |= {"SORI_LOG__FILE": str(root / "sori.log"), "SORI_ANALYTICS__DEMO_FILES": "[]",
            "SORI_ANALYTICS__INDEX_CALLS": "false"}  # fmt: skip
    process = subprocess.Popen([SORI, "up", "--demo", "--no-telephony", "--port", str(port), "--state-dir", str(state)],
                               cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    api = f"{base}/open311/v2"
    try:
        wait_healthy(base, process)
        key, other = new_key(state, env, APP), new_key(state, env, "다른 앱")
        assert key != other and len(key) >= 32

        services = requests.get(f"{api}/services.json", params={"jurisdiction_id": "서울특별시"}, timeout=10)
        assert services.status_code == 200 and services.headers["content-type"].startswith("application/json")
        road = next(s for s in services.json() if s["service_code"] == "ROAD-DAMAGE")
        assert road["metadata"] is True and road["type"] == "realtime"
        definition = requests.get(f"{api}/services/ROAD-DAMAGE.json", timeout=10).json()
        damage = next(a for a in definition["attributes"] if a["code"] == "damage_type")
        choice = damage["values"][0]["key"]

        form = {"api_key": key, "service_code": "ROAD-DAMAGE", "address_string": "서울특별시 중구 세종대로 110",
                "description": "세종대로 앞 보도블록이 깨져 있어 넘어질 뻔했습니다. 연락처 010-1234-5678",
                "first_name": "길동", "last_name": "홍", "email": "hong@example.com", "phone": "010-1234-5678",
                f"attribute[{damage['code']}]": choice}  # fmt: skip
        filed = requests.post(f"{api}/requests.json", data=form, headers={"Idempotency-Key": "e2e-1"}, timeout=10)
        assert filed.status_code == 200, filed.text
        (answer,) = filed.json()
        request_id = answer["service_request_id"]
        again = requests.post(f"{api}/requests.json", data=form, headers={"Idempotency-Key": "e2e-1"}, timeout=10)
        assert again.json()[0]["service_request_id"] == request_id  # the same app request: one complaint

        mine = requests.get(f"{api}/requests/{request_id}.json", params={"api_key": key}, timeout=10).json()[0]
        assert mine["status"] == "open" and mine["agency_responsible"] and mine["expected_datetime"]
        assert "010-1234-5678" not in str(mine) and "hong@example.com" not in str(mine) and "길동" not in str(mine)

        with chromium() as browser:
            browser.set_window_size(1366, 768)  # the console's smallest supported screen
            wait = console_log_in(browser, base, "seoul.park", DEMO_PASSWORD, WAIT)
            browser.find_element(By.ID, "tab-inbox").click()
            wait.until(lambda b: any("보도블록" in e.text for e in b.find_elements(*tid("inbox-item"))))
            item = next(e for e in browser.find_elements(*tid("inbox-item")) if "보도블록" in e.text)
            item.find_element(By.TAG_NAME, "button").click()
            body = wait.until(ec.visibility_of_element_located(tid("complaint-body")))
            assert "보도블록" in body.text and "세종대로 110" in body.text
            assert browser.find_element(*tid("complaint-origin")).text == "민원 앱 " + APP, "the agent sees the app"
            browser.find_element(*tid("complaint-claim")).click()
            field = wait.until(ec.visibility_of_element_located(tid("complaint-answer")))
            field.send_keys(ANSWER)
            browser.find_element(*tid("complaint-answer-save")).click()
            wait.until(ec.element_to_be_clickable(tid("complaint-close")))
            screenshot(browser, "open311-request-in-inbox")

        read = requests.get(f"{api}/requests/{request_id}.json", params={"api_key": key}, timeout=10)
        closed = read.json()[0]
        assert closed["status"] == "closed" and closed["status_notes"] == ANSWER
        assert closed["updated_datetime"] >= closed["requested_datetime"]
        listed = requests.get(f"{api}/requests.xml", params={"api_key": key, "status": "closed"}, timeout=10)
        assert listed.headers["content-type"].startswith("text/xml") and f"<service_request_id>{request_id}<" in \
            listed.text and ANSWER in listed.text  # fmt: skip

        theirs = requests.get(f"{api}/requests/{request_id}.json", params={"api_key": other}, timeout=10)
        assert theirs.status_code == 404  # another app: as if it did not exist
        public = requests.get(f"{api}/requests/{request_id}.json", timeout=10).json()[0]
        assert set(public) <= {"service_request_id", "service_code", "status", "requested_datetime",
                               "updated_datetime", "expected_datetime"} and public["status"] == "closed"  # fmt: skip
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)
