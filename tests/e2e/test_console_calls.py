"""The agent console in a real browser with real calls (issue 14): ``sori up`` with its Kamailio edge, media
workers and IVR; SIPp callers; the agents' product softphones (pjsua2) answering; two Debian Chromium windows,
one per agent. A caller with an open case at 110 dials 110: 김민지's console pops the caller and the case with
the timeline, she notes, warm-transfers to 국세청 126 with a summary and completes it; 최하늘's console shows the
summary and the same case; she wraps up with a code. Screenshots are kept (``tests/support/artefacts.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from sori.seed.demo import DEMO_PASSWORD
from tests.e2e.test_agent_calls import (  # noqa: F401
    caller_with_a_case_at_110,
    finish,
    phones,
    place_call,
    query,
    stack,
)
from tests.support import sipp as scenarios
from tests.support.artefacts import screenshot
from tests.support.browser import chromium, console_log_in
from tests.support.phones import Softphone

pytestmark = pytest.mark.e2e
WAIT = 45


def tid(name: str) -> tuple[str, str]:
    return By.CSS_SELECTOR, f'[data-testid="{name}"]'


def sign_in(browser: webdriver.Chrome, base: str, login: str) -> WebDriverWait[webdriver.Chrome]:
    wait = console_log_in(browser, base, login, DEMO_PASSWORD, WAIT)
    browser.find_element(*tid("state-ready")).click()
    wait.until(ec.text_to_be_present_in_element(tid("agent-state"), "대기"))
    return wait


@pytest.fixture
def two_browsers() -> Iterator[tuple[webdriver.Chrome, webdriver.Chrome]]:
    with chromium() as first, chromium() as second:
        yield first, second
    # the agents log out of the ACD with their sessions' end (the test's last step logs 김민지 out)


def test_a_real_call_pops_the_case_and_a_warm_transfer_brings_the_summary_to_the_other_center(
    stack: dict[str, Any],  # noqa: F811
    phones: Callable[..., Softphone],  # noqa: F811
    two_browsers: tuple[webdriver.Chrome, webdriver.Chrome],
) -> None:
    base = f"http://127.0.0.1:{stack['http']}"
    phone = phones("acrc.kim", "nts.choi")
    kim, choi = two_browsers
    kim_wait, choi_wait = sign_in(kim, base, "acrc.kim"), sign_in(choi, base, "nts.choi")
    caller, case_number = caller_with_a_case_at_110(stack)
    # notice, then "1" continues the open case; then the caller talks (a tone) while the agents work
    sipp = place_call(stack, "console", scenarios.invite("110", caller), scenarios.key("1", 11000),
                      scenarios.pause(1500), scenarios.stream(str(stack["caller_wav"])), scenarios.pause(45000),
                      scenarios.BYE, timeout=150)  # fmt: skip
    try:
        phone.wait("answered", login="acrc.kim", timeout=40)
        announced = tid("call-announcer")  # the assertive live region (visually hidden: read its text content)
        kim_wait.until(lambda b: "전화가 왔습니다" in (b.find_element(*announced).get_attribute("textContent") or ""))
        kim_wait.until(ec.text_to_be_present_in_element(tid("case-number"), case_number))
        kim_wait.until(ec.text_to_be_present_in_element(tid("agent-state"), "통화"))
        items = kim.find_elements(*tid("timeline-item"))
        assert items, "the timeline shows the caller's history"
        assert any("여권 재발급" in i.text or "방문" in i.text for i in items), [i.text for i in items]
        assert "****" in kim.find_element(*tid("call-caller")).text  # the number, masked
        screenshot(kim, "console-screen-pop")
        kim.find_element(*tid("hold")).click()  # the caller hears hold music, then comes back
        kim_wait.until(ec.text_to_be_present_in_element(tid("call-status"), "보류 중"))
        kim.find_element(*tid("hold")).click()
        kim_wait.until(ec.text_to_be_present_in_element(tid("call-status"), "통화 중"))
        # a note straight onto the case
        kim.find_element(*tid("note-input")).send_keys("주소 변경 후 여권 수령 방법 문의")
        kim.find_element(*tid("note-save")).click()
        kim_wait.until(ec.text_to_be_present_in_element(tid("work-done"), "메모를 저장했습니다"))
        assert (
            query(
                stack,
                "SELECT count(*) FROM interactions i JOIN cases c ON c.id = i.case_id WHERE "
                "c.number = ? AND i.channel = 'agent-note' AND i.notes LIKE '%여권 수령%'",
                case_number,
            )[0][0]
            == 1
        )
        # warm transfer to 국세청 126's queue with a summary
        kim.find_element(*tid("transfer")).click()
        Select(kim.find_element(*tid("transfer-target"))).select_by_value("queue")
        kim_wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, '#transfer-center option[value="NTS126"]'))
        Select(kim.find_element(*tid("transfer-center"))).select_by_value("NTS126")
        summary = "여권 관련 세금 체납 여부 확인 필요. 본인 확인 전."
        kim.find_element(*tid("transfer-summary")).send_keys(summary)
        kim.find_element(*tid("transfer-submit")).click()
        phone.wait("answered", login="nts.choi", timeout=40)
        complete = tid("consult-complete")
        kim_wait.until(ec.element_to_be_clickable(complete))
        kim.find_element(*complete).click()
        choi_wait.until(ec.text_to_be_present_in_element(tid("handoff-summary"), summary))
        choi_wait.until(ec.text_to_be_present_in_element(tid("case-number"), case_number))
        screenshot(choi, "console-warm-transfer-received")
        kim_wait.until(ec.visibility_of_element_located(tid("wrap-up-form")))
        Select(kim.find_element(*tid("wrap-up-code"))).select_by_value("transferred")
        kim.find_element(*tid("wrap-up-done")).click()
        kim_wait.until(ec.text_to_be_present_in_element(tid("agent-state"), "대기"))
    finally:
        finish(stack, "console", sipp, timeout=150)
    choi_wait.until(ec.visibility_of_element_located(tid("wrap-up-form")))
    Select(choi.find_element(*tid("wrap-up-code"))).select_by_value("informed")
    choi.find_element(*tid("wrap-up-notes")).send_keys("체납 없음 안내")
    choi.find_element(*tid("wrap-up-done")).click()
    choi_wait.until(ec.invisibility_of_element_located(tid("wrap-up-form")))
    assert choi.execute_script("return window.Sori.contact") is None, "a wrapped-up contact is no longer acted for"
    # a state change made elsewhere (the API) shows on the console without a reload
    choi.execute_script("window.sameDocument = true;")
    token = requests.post(f"{base}/api/v1/auth/login", json={"login": "nts.choi", "password": DEMO_PASSWORD},
                          timeout=10).json()["token"]  # fmt: skip
    changed = requests.put(f"{base}/api/v1/telephony/agents/me/state", json={"state": "not-ready", "reason": "meal"},
                           headers={"authorization": f"Bearer {token}"}, timeout=10)  # fmt: skip
    assert changed.status_code == 200, changed.text
    choi_wait.until(ec.text_to_be_present_in_element(tid("agent-state"), "이석"))
    assert choi.execute_script("return window.sameDocument === true")
    codes = query(stack, "SELECT a.login, i.wrap_up_code FROM interactions i JOIN agents a ON a.id = i.agent_id "
                  "JOIN cases c ON c.id = i.case_id WHERE c.number = ? AND i.channel = 'inbound-call' "
                  "AND i.completed_at IS NOT NULL ORDER BY i.id", case_number)  # fmt: skip
    assert ("acrc.kim", "transferred") in codes and ("nts.choi", "informed") in codes, codes
