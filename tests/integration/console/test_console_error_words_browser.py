"""The console's words for a refused request, in headless Chromium against the real API: an English API message
becomes the Korean sentence of its code (errors-ko.js), a validation failure names its fields, an unknown code
falls back to the caller's Korean words, and a Korean API message is shown as it is."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.conftest import PASSWORD
from tests.support.api import RunningApi
from tests.support.browser import chromium, console_log_in

pytestmark = pytest.mark.integration
WAIT = 30
# One API call from the page as its agent; answers [status, code, the words Sori.message shows].
ASK = """
var done = arguments[arguments.length - 1];
Sori.api(arguments[0], arguments[1], arguments[2], true).then(function (r) {
  done([r.status, r.data && r.data.error, Sori.message(r, "요청을 처리하지 못했습니다.")]);
});
"""


def tid(name: str) -> tuple[str, str]:
    return By.CSS_SELECTOR, f'[data-testid="{name}"]'


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_refusals_reach_the_agent_in_korean(api: RunningApi) -> None:
    with chromium() as browser:
        console_log_in(browser, api.base, "kim", PASSWORD, WAIT)

        def ask(method: str, path: str, body: Any = None) -> list[Any]:
            answer: list[Any] = browser.execute_async_script(ASK, method, path, body)
            return answer

        assert ask("POST", "/cases", {"citizen_id": 1, "summary": 3}) == [
            422,
            "validation-failed",
            "입력값이 올바르지 않습니다: summary",
        ]
        assert ask("GET", "/cases/2000-NOPE-1") == [404, "case-not-found", "해당 상담 건을 찾을 수 없습니다."]
        status, code, words = ask("GET", "/no-such-route")
        assert (status, code) == (404, "route-not-found") and words == "콘솔에서 쓸 수 없는 기능입니다."
        assert browser.execute_script(
            "return [Sori.message({data: {error: 'brand-new', message: 'english'}}, '대체 문구'),"
            " Sori.message({data: {error: 'forbidden', message: '한국어 그대로'}}, '대체 문구'),"
            " Sori.message({status: 0, data: null}, '대체 문구')]"
        ) == ["대체 문구", "한국어 그대로", "대체 문구"]
