"""The dashboards' adapters (``kernel.accounts.SignInSessions``, ``dashboard.analyst_data``) over fakes of what the
composition root hands them: refusals become Korean ``LoginRefused``, token holders become viewers, a missing
index is ``NoData``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest

from analytics.search.port import SearchIndex
from crm.api.auth import LoginRateLimited, WrongCredentials
from crm.api.sessions import TokenHolder
from dashboard.analyst_data import NO_INDEX, IndexAnalystData
from dashboard.ports import LoginRefused, NoData, ReportQuery, Viewer
from kernel.accounts import SignInSessions
from kernel.errors import Conflict, DomainError

EXPIRES = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@dataclass
class FakeSignIn:
    refusal: DomainError | None = None
    holders: dict[str, TokenHolder] | None = None
    logged_out: list[str] | None = None

    def log_in(self, login: str, password: str, remote: str) -> tuple[str, dt.datetime]:
        if self.refusal is not None:
            raise self.refusal
        return f"token-of-{login}", EXPIRES

    def holder(self, token: str) -> TokenHolder | None:
        return (self.holders or {}).get(token)

    def log_out(self, token: str) -> None:
        self.logged_out = [*(self.logged_out or []), token]


def test_a_granted_login_passes_the_token_and_expiry_through() -> None:
    assert SignInSessions(FakeSignIn()).log_in("kim", "pw", "127.0.0.1") == ("token-of-kim", EXPIRES)


def test_a_throttled_login_is_refused_in_korean_with_its_wait() -> None:
    sessions = SignInSessions(FakeSignIn(LoginRateLimited("too many", retry_after=42, scope="address")))
    with pytest.raises(LoginRefused) as refused:
        sessions.log_in("kim", "pw", "127.0.0.1")
    assert (refused.value.code, refused.value.retry_after) == ("login-rate-limited", 42)
    assert "42초" in refused.value.message


def test_wrong_credentials_are_refused_without_a_wait() -> None:
    sessions = SignInSessions(FakeSignIn(WrongCredentials("wrong login or password")))
    with pytest.raises(LoginRefused) as refused:
        sessions.log_in("kim", "bad", "127.0.0.1")
    assert (refused.value.code, refused.value.retry_after) == ("unauthorized", None)
    assert refused.value.message == "아이디 또는 비밀번호가 틀렸습니다."


def test_any_other_error_is_not_mistaken_for_a_refused_login() -> None:
    sessions = SignInSessions(FakeSignIn(Conflict("something else")))
    with pytest.raises(Conflict):
        sessions.log_in("kim", "pw", "127.0.0.1")


def test_a_token_holder_becomes_the_viewer_and_an_unknown_token_none() -> None:
    holder = TokenHolder(7, "ana", "분석관 김", "analyst", "ACRC110")
    fake = FakeSignIn(holders={"t": holder})
    sessions = SignInSessions(fake)
    assert sessions.viewer("t") == Viewer(7, "ana", "분석관 김", "analyst", "ACRC110")
    assert sessions.viewer("other") is None
    sessions.log_out("t")
    assert fake.logged_out == ["t"]


def _unopenable() -> SearchIndex:
    raise AssertionError("a missing index must not be opened (an embedded one would be created empty)")


def test_a_missing_index_is_no_data_and_never_opened() -> None:
    data = IndexAnalystData(_unopenable, lambda: False, continuity=None,  # type: ignore[arg-type]
                            centers=lambda: [("ACRC110", "110 국민권익위원회")], cache_seconds=60)  # fmt: skip
    with pytest.raises(NoData, match=re.escape(NO_INDEX)):
        data.report(ReportQuery(dt.date(2026, 3, 1), dt.date(2026, 3, 9)))
    assert data.newest_day() is None  # the default period then ends today
    assert data.centers() == [("ACRC110", "110 국민권익위원회")]
