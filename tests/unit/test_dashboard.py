"""The dashboards without a network: query parsing, the analyst callbacks as plain functions, and the gate
of the Flask app (through Flask's test client, with an in-memory session store honouring the port)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from analytics.documents import DocChannel, Document, Filters, SearchResult
from analytics.search.sqlite_index import SqliteIndex
from analytics.trends.report import ReportData, build_report
from dashboard.analyst import BadQuery, build_analyst_app, parse_query, report_href, report_view, search_view
from dashboard.csrf import FIELD, NONCE_COOKIE, LoginCsrf
from dashboard.ports import ANALYST_ROLES, LoginRefused, NoData, ReportQuery, Viewer
from dashboard.server import COOKIE, build_server
from kernel.calendar import SEOUL

ANALYST = Viewer(1, "ana", "분석관", "analyst", "ACRC110")


def test_parse_query_reads_dates_and_refuses_what_it_cannot_run() -> None:
    assert parse_query("2026-03-01", "2026-03-31T00:00:00", "", "all") == ReportQuery(
        dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    )
    assert parse_query("2026-03-01", "2026-03-01", "NTS126", "phone").channel == "phone"
    for start, end, channel, message in [
        ("2026-03-02", "2026-03-01", "all", "종료일이 시작일보다 앞섭니다."),
        ("어제", "2026-03-01", "all", "YYYY-MM-DD"),
        (None, "2026-03-01", "all", "YYYY-MM-DD"),
        ("2020-01-01", "2026-03-01", "all", "최대"),
        ("2026-03-01", "2026-03-02", "fax", "채널"),
    ]:
        with pytest.raises(BadQuery, match=message):
            parse_query(start, end, None, channel)


def test_report_href_carries_the_filters() -> None:
    query = ReportQuery(dt.date(2026, 3, 1), dt.date(2026, 3, 30), "ACRC110", "phone")
    assert report_href("/dashboard", query) == (
        "/dashboard/analytics/report.html?from=2026-03-01&to=2026-03-30&center=ACRC110&channel=phone"
    )


class MemoryData:
    """``AnalystData`` over an in-memory SQLite index, recording the queries it was asked."""

    def __init__(self, docs: list[Document]) -> None:
        self.index = SqliteIndex(":memory:")
        self.index.upsert(docs)
        self.queries: list[ReportQuery] = []
        self.empty = False

    def report(self, query: ReportQuery) -> ReportData:
        if self.empty:
            raise NoData("분석 색인이 아직 없습니다.")
        self.queries.append(query)
        equals = {k: v for k, v in (("center", query.center), ("channel", query.channel)) if v}
        return build_report(self.index, query.start, query.end + dt.timedelta(days=1), center=equals.get("center"),
                            channel=equals.get("channel"))  # fmt: skip

    def search(self, text: str, query: ReportQuery, limit: int = 20) -> SearchResult:
        filters = Filters(start=query.start, end=query.end + dt.timedelta(days=1))
        return self.index.search(text.split(), filters, limit=limit)

    def centers(self) -> list[tuple[str, str]]:
        return [("ACRC110", "110 정부민원안내콜센터")]

    def newest_day(self) -> dt.date | None:
        return dt.date(2026, 3, 2)


def docs() -> list[Document]:
    out = []
    for n in range(6):
        when = dt.datetime(2026, 3, 1 + n % 2, 10, tzinfo=SEOUL)
        channel = DocChannel.PHONE if n % 2 else DocChannel.TEXT
        out.append(Document(f"d{n}", channel, when, f"여권 재발급 <i>{n}</i>", "여권 재발급 문의", ("여권", "재발급"),
                            "test", category="행정"))  # fmt: skip
    return out


def flat(component: Any) -> str:
    """Every text inside a Dash component tree."""
    from plotly.utils import PlotlyJSONEncoder

    return json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)


def test_report_view_draws_the_report_and_turns_bad_filters_into_a_message() -> None:
    data = MemoryData(docs())
    body, href = report_view(ANALYST, data, "/dashboard", "2026-03-01", "2026-03-02", None, "phone")
    text = flat(body)
    assert "전체 3건" in text and "전화 상담 3건" in text and href.endswith("channel=phone")
    assert data.queries == [ReportQuery(dt.date(2026, 3, 1), dt.date(2026, 3, 2), None, "phone")]
    body, href = report_view(ANALYST, data, "/dashboard", "2026-03-02", "2026-03-01", None, "all")
    assert "종료일이 시작일보다 앞섭니다." in flat(body) and href == "" and len(data.queries) == 1
    data.empty = True
    body, _ = report_view(ANALYST, data, "/dashboard", "2026-03-01", "2026-03-02", None, "all")
    assert "분석 색인이 아직 없습니다." in flat(body)


def test_search_view_lists_masked_hits_and_explains_empty_or_oversized_queries() -> None:
    data = MemoryData(docs())
    found = flat(search_view(ANALYST, data, "여권", "2026-03-01", "2026-03-02", None, "all"))
    assert "6건 중 6건" in found and "<i>0</i>" in found, "titles are passed as text: React escapes them"
    assert "검색어를 입력하세요." in flat(search_view(ANALYST, data, "  ", "2026-03-01", "2026-03-02", None, "all"))
    assert "200자" in flat(search_view(ANALYST, data, "가" * 201, "2026-03-01", "2026-03-02", None, "all"))
    assert "없습니다" in flat(search_view(ANALYST, data, "비자", "2026-03-01", "2026-03-02", None, "all"))


class MemorySessions:
    """``Sessions`` in memory: one password for every known login, tokens in a dict."""

    def __init__(self) -> None:
        self.people = {"ana": ANALYST, "kim": Viewer(2, "kim", "상담사", "agent", "ACRC110")}
        self.tokens: dict[str, Viewer] = {}

    def log_in(self, login: str, password: str, remote: str) -> tuple[str, dt.datetime]:
        if login not in self.people or password != "pw":
            raise LoginRefused("unauthorized", "아이디 또는 비밀번호가 틀렸습니다.")
        token = f"t-{login}-{len(self.tokens)}"
        self.tokens[token] = self.people[login]
        return token, dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)

    def viewer(self, token: str) -> Viewer | None:
        return self.tokens.get(token)

    def log_out(self, token: str) -> None:
        self.tokens.pop(token, None)


def log_in(client: FlaskClient, data: dict[str, str], base_url: str = "http://localhost") -> TestResponse:
    """Post the login form as a browser does: first the page (its CSRF token and pre-session cookie)."""
    page = client.get("/login", base_url=base_url)
    found = re.search(rf'name="{FIELD}" value="([^"]+)"', page.text)
    assert page.status_code == 200 and found is not None
    return client.post("/login", data={**data, FIELD: found.group(1)}, base_url=base_url)


@pytest.fixture
def app() -> Iterator[tuple[Flask, MemorySessions]]:
    sessions = MemorySessions()
    server = build_server(sessions, {"/analytics/": ANALYST_ROLES}, home="/analytics/")
    build_analyst_app(server, MemoryData(docs()), mount="", today=lambda: dt.date(2026, 3, 2),
                      render_html=lambda report: f"<html>{report.total}</html>")  # fmt: skip
    yield server, sessions


def test_the_gate_sends_strangers_to_login_and_keeps_agents_out(app: tuple[Flask, MemorySessions]) -> None:
    server, sessions = app
    client = server.test_client()
    page = client.get("/analytics/")
    assert page.status_code == 302 and page.headers["location"] == "/login?next=/analytics/"
    assert client.post("/analytics/_dash-update-component", json={}).status_code == 401
    assert client.get("/analytics/_dash-layout").status_code == 401
    bundles = client.get("/analytics/_dash-component-suites/dash/deps/polyfill@7.v4_4_1m1.12.1.min.js")
    assert bundles.status_code != 401 and bundles.status_code != 302, "Dash's own JavaScript needs no session"
    assert client.get("/analytics/report.html/_dash-component-suites/x").status_code == 401, "no way around the gate"
    refused = log_in(client, {"login": "ana", "password": "no"})
    assert refused.status_code == 401 and "아이디 또는 비밀번호가 틀렸습니다." in refused.text
    assert log_in(client, {"login": "", "password": ""}).status_code == 400

    agent = server.test_client()
    assert log_in(agent, {"login": "kim", "password": "pw"}).status_code == 302
    assert agent.get("/analytics/").status_code == 403
    assert agent.get("/analytics/report.html?from=2026-03-01&to=2026-03-02").status_code == 403

    analyst = server.test_client()
    done = log_in(analyst, {"login": "ana", "password": "pw", "next": "/analytics/report.html?x=1"})
    assert done.headers["location"] == "/analytics/report.html?x=1"
    assert analyst.get("/analytics/").status_code == 200
    report = analyst.get("/analytics/report.html?from=2026-03-01&to=2026-03-02")
    assert report.status_code == 200 and report.text == "<html>6</html>"
    assert analyst.get("/analytics/report.html?from=2026-03-02&to=2026-03-01").status_code == 400
    token = next(t for t, v in sessions.tokens.items() if v.login == "ana")
    assert analyst.get_cookie(COOKIE) is not None
    assert analyst.post("/logout").status_code == 302 and token not in sessions.tokens
    assert analyst.get("/analytics/").status_code == 302


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/analytics/\\evil",
                                    "javascript:alert(1)"])
def test_login_never_redirects_off_the_dashboards(app: tuple[Flask, MemorySessions], target: str) -> None:
    server, _ = app
    done = log_in(server.test_client(), {"login": "ana", "password": "pw", "next": target})
    assert done.status_code == 302 and done.headers["location"] == "/analytics/"


def test_the_login_form_needs_its_csrf_token_and_the_matching_pre_session_cookie(
    app: tuple[Flask, MemorySessions],
) -> None:
    server, sessions = app
    client = server.test_client()
    missing = client.post("/login", data={"login": "ana", "password": "pw"})
    assert missing.status_code == 403 and "로그인 화면이 만료되었거나 올바르지 않은 요청입니다" in missing.text
    assert not sessions.tokens, "no session without the form's token"
    assert client.get_cookie(NONCE_COOKIE) is not None, "the refusal is a fresh form to try again"

    page = server.test_client().get("/login")
    token = re.search(rf'name="{FIELD}" value="([^"]+)"', page.text)
    assert token is not None
    forged = server.test_client()  # the token of someone else's page, without their cookie
    assert forged.post("/login", data={"login": "ana", "password": "pw", FIELD: token.group(1)}).status_code == 403
    stranger = server.test_client()
    stranger.get("/login")
    wrong = stranger.post("/login", data={"login": "ana", "password": "pw", FIELD: token.group(1)[:-1] + "0"})
    assert wrong.status_code == 403 and not sessions.tokens
    assert log_in(stranger, {"login": "ana", "password": "pw"}).status_code == 302 and len(sessions.tokens) == 1


def test_a_csrf_token_expires_and_is_bound_to_the_server_key() -> None:
    now = [1_000_000.0]
    forms = LoginCsrf(b"k" * 32, max_age_s=600, clock=lambda: now[0])
    token = forms.token("nonce")
    assert forms.valid("nonce", token) and not forms.valid("other", token)
    assert not LoginCsrf(b"x" * 32, clock=lambda: now[0]).valid("nonce", token)
    now[0] += 601
    assert not forms.valid("nonce", token)
    assert not forms.valid("nonce", None) and not forms.valid(None, token) and not forms.valid("nonce", "x.y")


def _cookies(reply: TestResponse) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in reply.headers.getlist("Set-Cookie")}


@pytest.mark.parametrize(
    ("setting", "base_url", "headers", "secure"),
    [
        ("auto", "https://localhost", {}, True),
        ("auto", "http://localhost", {"X-Forwarded-Proto": "https"}, True),
        ("auto", "http://localhost", {}, False),
        (True, "http://localhost", {}, True),
        (False, "https://localhost", {}, False),
    ],
)
def test_cookies_are_secure_over_tls_and_as_configured(
    setting: bool | str, base_url: str, headers: dict[str, str], secure: bool
) -> None:
    sessions = MemorySessions()
    server = build_server(sessions, {"/analytics/": ANALYST_ROLES}, home="/analytics/",
                          secure_cookie=setting)  # type: ignore[arg-type]  # fmt: skip
    client = server.test_client()
    page = client.get("/login", base_url=base_url, headers=headers)
    token = re.search(rf'name="{FIELD}" value="([^"]+)"', page.text)
    assert token is not None
    reply = client.post("/login", data={"login": "ana", "password": "pw", FIELD: token.group(1)}, base_url=base_url,
                        headers=headers)  # fmt: skip
    assert reply.status_code == 302
    for cookie in (_cookies(page)[NONCE_COOKIE], _cookies(reply)[COOKIE]):
        assert ("; Secure" in cookie) is secure, cookie
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_a_deeply_nested_callback_body_is_a_400_not_a_500(app: tuple[Flask, MemorySessions]) -> None:
    server, _ = app
    analyst = server.test_client()
    assert log_in(analyst, {"login": "ana", "password": "pw"}).status_code == 302
    deep = b"[" * 10_000 + b"]" * 10_000
    update = "/analytics/_dash-update-component"
    reply = analyst.post(update, data=deep, content_type="application/json")
    assert reply.status_code == 400 and reply.json is not None and reply.json["error"] == "json-too-deep"
    assert reply.json["message"] == "요청 본문의 JSON이 너무 깊게 중첩되어 있습니다."
    stranger = server.test_client().post(update, data=deep, content_type="application/json")
    assert stranger.status_code == 401, "the session is checked first"
