"""The 신문고 inbox in the console, in Debian's headless Chromium over the real system: the agent's center's
complaints, earliest 처리기한 first, the overdue one flagged; one opened shows its text with a 주민등록번호 masked;
the agent claims it, answers it and closes it, and hands another to a different center with a summary — which
then leaves this center's inbox. Another center's agent never sees this center's complaints."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.conftest import PASSWORD
from tests.support.api import RunningApi
from tests.support.artefacts import screenshot
from tests.support.axe import summary, violations
from tests.support.browser import chromium, console_log_in

pytestmark = pytest.mark.integration
WAIT = 30


def tid(name: str) -> tuple[str, str]:
    return By.CSS_SELECTOR, f'[data-testid="{name}"]'


def open_item(browser: Any, title: str) -> None:
    """Click the inbox item's button; the list may be redrawn (pushed) between finding and clicking: again."""

    def clicked(b: Any) -> bool:
        try:
            for found in b.find_elements(*tid("inbox-item")):
                if title in found.text:
                    found.find_element(By.TAG_NAME, "button").click()
                    return True
        except StaleElementReferenceException:
            return False
        return False

    WebDriverWait(browser, WAIT).until(clicked, f"no inbox item {title!r}")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_agent_works_the_inbox_in_the_console(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    now = api.system.clock()
    complaints = [
        (
            "1AA-2603-000101",
            now - dt.timedelta(days=20),
            "가로등 고장 신고",
            "집 앞 가로등이 꺼졌습니다. 900101-1234567",
        ),
        ("1AA-2603-000102", now - dt.timedelta(days=1), "버스 정류장 이전 요청", "정류장을 옮겨 주세요."),
        ("1AA-2603-000103", now - dt.timedelta(days=2), "국세 환급 문의", "환급금은 언제 들어오나요?"),
    ]
    for sid, received, title, body in complaints:
        answer = kim.post("/api/v1/complaints", {"sinmungo_id": sid, "received_at": received.isoformat(),
                                                 "title": title, "body": body})  # fmt: skip
        assert answer.status_code == 201, answer.text
    with chromium() as browser:
        wait = console_log_in(browser, api.base, "lee", PASSWORD, WAIT)
        browser.find_element(By.ID, "tab-inbox").click()
        wait.until(lambda b: len(b.find_elements(*tid("inbox-item"))) == 3)
        titles = WebDriverWait(browser, WAIT, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda b: [e.text for e in b.find_elements(*tid("inbox-item"))]
        )
        assert "가로등 고장 신고" in titles[0] and "기한 지남" in titles[0], titles  # the oldest, overdue, first
        assert all("기한 지남" not in t for t in titles[1:]), titles
        open_item(browser, "가로등 고장 신고")
        shown = wait.until(ec.visibility_of_element_located(tid("complaint-body")))
        assert "가로등이 꺼졌습니다" in shown.text and "1234567" not in shown.text  # 주민등록번호 masked
        browser.find_element(*tid("complaint-claim")).click()
        field = wait.until(ec.visibility_of_element_located(tid("complaint-answer")))
        field.send_keys("담당 부서에 수리를 요청했습니다. 3일 안에 고쳐집니다.")
        browser.find_element(*tid("complaint-answer-save")).click()
        close = wait.until(ec.element_to_be_clickable(tid("complaint-close")))
        found = violations(browser)
        assert not found, summary(found)
        screenshot(browser, "console-inbox")
        close.click()
        wait.until(ec.invisibility_of_element_located(tid("complaint-close")))  # closed: nothing more to do
        assert browser.find_element(*tid("inbox-error")).text == ""
        wait.until(lambda b: len(b.find_elements(*tid("inbox-item"))) == 2)  # closed: gone from 처리할 민원
        # hand the tax question to 국세청 126 with a summary
        open_item(browser, "국세 환급 문의")
        wait.until(ec.text_to_be_present_in_element(tid("complaint-body"), "환급금"))
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, '#complaint-handoff-center option[value="NTS126"]'))
        Select(browser.find_element(By.ID, "complaint-handoff-center")).select_by_value("NTS126")
        browser.find_element(By.ID, "complaint-handoff-summary").send_keys("국세 환급 소관")
        browser.find_element(By.CSS_SELECTOR, '[data-testid="complaint-handoff-form"] button').click()
        wait.until(lambda b: len(b.find_elements(*tid("inbox-item"))) == 1)
    status = {c["title"]: c["status"] for c in kim.get("/api/v1/complaints").json()["complaints"]}
    assert status == {"가로등 고장 신고": "closed", "버스 정류장 이전 요청": "received"}  # the tax one left
    choi = api.client().login("choi", PASSWORD)
    theirs = choi.get("/api/v1/complaints").json()["complaints"]
    assert [c["title"] for c in theirs] == ["국세 환급 문의"]
    park = api.client().login("park", PASSWORD)
    assert park.get("/api/v1/complaints").json()["complaints"] == []  # another center sees none of ours
