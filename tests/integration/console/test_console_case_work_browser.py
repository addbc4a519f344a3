"""Case work in the console, in Debian's headless Chromium over the real system: the caller's timeline across
centers shows another center's contact as a summary until the agent verifies the caller (주민등록번호 stated),
then in full, its call recording playable (streamed, access-logged); the agent opens a case, notes on it, takes
one of the classifier's top-3 categories with a click (the choice and what was shown recorded for retraining),
schedules a callback in a window to the calling number, resolves and reopens the case and hands it off to
another center with a summary; a lookup of another number asks for a reason and is access-logged.

A contact served without SIP: ``connect_call`` takes the desk's own store path, and the page is told of it as the
desk's push would tell it (``Sori.emit('contact', …)``); tests/e2e/test_console_calls.py covers the real path."""

from __future__ import annotations

import datetime as dt
import wave
from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select
from sqlalchemy import text

from sori.case_work_wiring import ClassifierSuggester
from sori.wiring import System, recordings_dir
from tests.conftest import PASSWORD
from tests.integration.test_api_case_work import small_classifier
from tests.support.api import RunningApi
from tests.support.artefacts import screenshot
from tests.support.axe import summary, violations
from tests.support.browser import chromium, console_log_in
from tests.support.contacts import connect_call, served_before

pytestmark = pytest.mark.integration
WAIT = 30
PHONE = "010-3456-7890"
RRN = "900101-1234567"
SEOUL = dt.timezone(dt.timedelta(hours=9))
SET_WINDOW = (
    'document.getElementById("callback-start").value = arguments[0];'
    'document.getElementById("callback-end").value = arguments[1];'
)


def tid(name: str) -> tuple[str, str]:
    return By.CSS_SELECTOR, f'[data-testid="{name}"]'


@pytest.fixture
def assisted(system: System) -> Iterator[RunningApi]:
    system.suggester = ClassifierSuggester.of(small_classifier())
    running = RunningApi(system)
    yield running
    running.stop()


def nts_history(api: RunningApi) -> int:
    """최하늘 of 국세청 126 served the caller before: a registered citizen, a case, a note at wrap-up."""
    return served_before(api, "choi", PHONE, RRN, "종합소득세 체납 문의", "분납 안내함").interaction_id


def record(system: System, iid: int) -> None:
    """The contact's call recording: one second of 8 kHz silence under the recordings root, as the desk keeps them."""
    path = recordings_dir(system.settings) / "2026" / f"{iid}.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 8000)
    with system.engine.begin() as conn:
        conn.execute(
            text("UPDATE interactions SET recording_ref = :ref WHERE id = :id"), {"ref": f"2026/{iid}.wav", "id": iid}
        )


def rows(system: System, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with system.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql), params)]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_agent_verifies_the_caller_and_works_the_case_in_the_console(assisted: RunningApi) -> None:
    api = assisted
    record(api.system, nts_history(api))
    with chromium() as browser:
        wait = console_log_in(browser, api.base, "kim", PASSWORD, WAIT)
        iid = connect_call(api.system, "kim", PHONE)["interaction"]["id"]
        browser.execute_script("Sori.emit('contact', {interaction_id: arguments[0]})", iid)
        wait.until(ec.text_to_be_present_in_element(tid("pop-citizen"), "홍길동"))
        timeline = browser.find_element(*tid("timeline"))
        assert "국세상담센터" in timeline.text and "요약만 표시" in timeline.text
        assert "분납" not in timeline.text and "종합소득세" not in timeline.text  # no words before verification
        browser.find_element(*tid("verify-rrn")).send_keys(RRN)
        browser.find_element(*tid("verify-submit")).click()
        wait.until(ec.text_to_be_present_in_element(tid("timeline"), "분납 안내함"))
        assert browser.find_element(*tid("verify-rrn")).get_attribute("value") == ""  # never kept in the page
        assert not browser.find_element(*tid("verify-form")).is_displayed()
        # verified and served: 국세청's call recording plays here (streamed, access-logged)
        browser.find_element(*tid("play-recording")).click()
        player = wait.until(ec.presence_of_element_located(tid("recording-player")))
        wait.until(lambda b: b.execute_script("return arguments[0].readyState >= 1", player))
        assert abs(browser.execute_script("return arguments[0].duration", player) - 1.0) < 0.05
        assert rows(api.system, "SELECT count(*) FROM access_log WHERE via LIKE '%/recording'")[0][0] >= 1
        # a case of our own, a note on it
        browser.find_element(*tid("open-case")).click()
        wait.until(ec.text_to_be_present_in_element(tid("case-number"), "ACRC110"))
        number = browser.find_element(*tid("case-number")).text
        browser.find_element(*tid("note-input")).send_keys("버스 노선 변경 요청, 정류장 이전 문의")
        browser.find_element(*tid("note-save")).click()
        wait.until(ec.text_to_be_present_in_element(tid("work-done"), "메모를 저장했습니다"))
        # the category: one click on the first of the suggestions
        browser.find_element(*tid("timeline")).click()  # nothing happens: the timeline is read-only
        suggestion = (By.CSS_SELECTOR, '[data-testid="category-suggestion"]')
        first = wait.until(ec.element_to_be_clickable(suggestion))
        chosen = first.get_attribute("data-category")
        shown = [b.get_attribute("data-category") for b in browser.find_elements(*suggestion)]
        assert 1 <= len(shown) <= 3 and chosen == "교통/건축/국토", shown
        first.click()
        wait.until(ec.text_to_be_present_in_element(tid("work-done"), "분류를 저장했습니다"))
        assert rows(api.system, "SELECT category FROM cases WHERE number = :n", n=number) == [(chosen,)]
        assert rows(api.system, "SELECT chosen, rank FROM category_choices") == [(chosen, 1)]
        # a callback in a window, to the calling number (the window set by the server's clock, which is the test's)
        start = api.system.clock() + dt.timedelta(hours=1)
        window = [(start + dt.timedelta(hours=h)).astimezone(SEOUL).strftime("%Y-%m-%dT%H:%M") for h in (0, 1)]
        browser.execute_script(SET_WINDOW, *window)
        browser.find_element(By.ID, "callback-reason").send_keys("서류 확인 후 재안내")
        browser.find_element(*tid("callback-save")).click()
        wait.until(lambda b: b.find_element(*tid("work-done")).text or b.find_element(*tid("work-error")).text)
        assert "예약했습니다" in browser.find_element(*tid("work-done")).text, browser.find_element(
            *tid("work-error")
        ).text
        assert rows(api.system, "SELECT phone_ref FROM callbacks WHERE window_end IS NOT NULL") == [(f"calling:{iid}",)]
        # resolve, reopen, then hand the case to 120다산콜재단 with a summary
        browser.find_element(*tid("case-resolve")).click()
        wait.until(ec.text_to_be_present_in_element(tid("work-done"), "해결"))
        browser.find_element(*tid("case-reopen")).click()
        wait.until(ec.text_to_be_present_in_element(tid("work-done"), "재개"))
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, '#handoff-center option[value="SEOUL120"]'))
        Select(browser.find_element(*tid("handoff-center"))).select_by_value("SEOUL120")
        browser.find_element(By.ID, "handoff-reason").send_keys("서울시 버스 노선 소관")
        browser.find_element(By.ID, "handoff-summary").send_keys("정류장 이전 요청. 본인 확인 완료.")
        browser.find_element(*tid("handoff-save")).click()
        wait.until(ec.text_to_be_present_in_element(tid("work-done"), "인계했습니다"))
        wait.until(ec.text_to_be_present_in_element(tid("timeline"), "인계 → 120다산콜재단"))
        assert rows(api.system, "SELECT to_center, summary FROM handoffs") == [
            ("SEOUL120", "정류장 이전 요청. 본인 확인 완료.")
        ]
        # another lookup asks for a reason, shows our own center's records only, and is access-logged
        browser.find_element(By.CSS_SELECTOR, ".lookup summary").click()
        browser.find_element(*tid("lookup-phone")).send_keys(PHONE)
        browser.find_element(*tid("lookup-reason")).send_keys("재문의 확인")
        browser.find_element(*tid("lookup-submit")).click()
        wait.until(ec.text_to_be_present_in_element(tid("lookup-result"), "홍길동"))
        assert rows(api.system, "SELECT count(*) FROM access_log WHERE reason = '재문의 확인'")[0][0] == 1
        found = violations(browser)
        assert not found, summary(found)
        screenshot(browser, "console-case-work")
