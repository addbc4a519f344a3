"""The analyst dashboard (권익위 분석관): the trend report of a period, center and channel, drawn live with
the same charts and tables as ``sori report`` (``analytics.report.figures``), plus search over the masked
index and the report as a downloadable HTML file.

The callbacks are plain functions (``report_view``, ``search_view``) that tests call directly; the Dash
wrappers only find the viewer, check the role and pass the inputs on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from dash import Dash, Input, Output, State, dcc, html
from flask import Flask, g, request
from werkzeug.wrappers.response import Response

from analytics.documents import DocChannel
from analytics.report import figures as f
from analytics.trends.report import ReportData
from dashboard.ports import ANALYST_ROLES, AnalystData, NoData, ReportQuery, Viewer
from dashboard.server import require
from kernel.calendar import SEOUL

log = logging.getLogger("sori.dashboard")
PATH = "/analytics/"
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366  # a longer period is refused: one report must not hold the server for minutes
CHANNELS = {"all": "전체", "text": "문자 민원(신문고)", "phone": "전화 상담"}
CHANNEL_NAMES = {DocChannel.TEXT: "문자", DocChannel.PHONE: "전화"}


class BadQuery(ValueError):
    """Filters the dashboard cannot run; the message is Korean and shown in place of the report."""


def parse_query(start: str | None, end: str | None, center: str | None, channel: str | None) -> ReportQuery:
    try:
        first = dt.date.fromisoformat(str(start)[:10])
        last = dt.date.fromisoformat(str(end)[:10])
    except ValueError:
        raise BadQuery("기간의 시작일과 종료일을 YYYY-MM-DD 형식으로 고르세요.") from None
    if last < first:
        raise BadQuery("종료일이 시작일보다 앞섭니다.")
    if (last - first).days + 1 > MAX_DAYS:
        raise BadQuery(f"기간은 최대 {MAX_DAYS}일까지 조회할 수 있습니다.")
    if channel not in (None, "", "all", "text", "phone"):
        raise BadQuery("채널은 전체, 문자 민원, 전화 상담 중 하나입니다.")
    return ReportQuery(first, last, center or None, None if channel in (None, "", "all") else channel)


def report_href(mount: str, query: ReportQuery) -> str:
    params = {"from": query.start.isoformat(), "to": query.end.isoformat()}
    params |= {k: v for k, v in (("center", query.center), ("channel", query.channel)) if v}
    return f"{mount}{PATH}report.html?{urlencode(params)}"


# -- rendering --------------------------------------------------------------------------------------
def table(t: f.Table, table_id: str | None = None) -> html.Table:
    def cell(n: int, text: str) -> html.Td:
        if n in t.multiline:
            lines: list[Any] = []
            for line in text.split("\n"):
                lines += [line, html.Br()]
            return html.Td(lines[:-1])
        return html.Td(text)

    rows = [html.Tr([cell(n, c) for n, c in enumerate(row)]) for row in t.rows]
    children = [html.Thead(html.Tr([html.Th(h) for h in t.headers])), html.Tbody(rows)]
    if table_id:
        return html.Table(children, className="grid", id=table_id)
    return html.Table(children, className="grid")


def graph(fig: Any) -> dcc.Graph:
    return dcc.Graph(figure=fig, config={"displaylogo": False}, className="chart")


def section(title: str, *children: Any, section_id: str) -> html.Section:
    return html.Section([html.H2(title), *children], id=section_id)


def report_body(report: ReportData) -> list[Any]:
    channels = " · ".join(f"{name} {n:,}건" for name, n in f.channel_counts(report).items())
    period = f"{report.start:%Y-%m-%d} ~ {report.end - dt.timedelta(days=1):%Y-%m-%d}"
    summary = html.P([html.Strong(f"전체 {report.total:,}건", id="total"), f" · {channels}" if channels else "",
                      f" · 기간 {period} · 범위 {f.scope_text(report)}"], className="summary")  # fmt: skip
    surges = f.surge_table(report)
    topics, topic_map = f.topic_table(report), f.topic_map(report)
    seasonal = f.seasonal_table(report)
    parts: list[Any] = [
        summary,
        section("건수 추이", html.Div([graph(c) for c in f.volume_charts(report)], className="charts"),
                table(f.monthly_table(report)), section_id="volumes"),
        section("분류별 건수", html.Div([graph(c) for c in f.breakdown_charts(report)] or [html.P("자료 없음")],
                                   className="charts"), section_id="breakdowns"),
        section(f"급증 키워드 · 오늘의 이슈 ({report.surge_day:%Y-%m-%d})",
                table(surges, "surges") if surges.rows else html.P("급증한 키워드가 없습니다."),
                section_id="surge"),
        section("주제 (토픽)", *([graph(topic_map)] if topic_map else []),
                table(topics, "topics") if topics.rows else html.P("주제를 찾을 만큼 문서가 많지 않습니다."),
                section_id="topic"),
        section("민원예보: 지난해 같은 기간과 비교" if seasonal else "민원예보",
                table(seasonal) if seasonal else html.P("비교할 이전 연도 자료가 없습니다."), section_id="seasonal"),
    ]  # fmt: skip
    if report.continuity is not None:
        c = f.continuity_tables(report.continuity)
        parts.append(section(
            "상담 연속성 (전화 상담, 사례 저장소)", table(c.summary, "continuity"),
            html.H3("이관 단계"), table(c.chains),
            html.H3("주요 이관 경로"), table(c.transfers) if c.transfers else html.P("기간 중 이관이 없습니다."),
            html.H3("콜백"), table(c.callbacks), section_id="continuity-section",
        ))  # fmt: skip
    parts.append(html.Details([html.Summary("방법"), html.Ul([html.Li(note) for note in f.METHOD_NOTES])]))
    return parts


# -- callbacks as plain functions --------------------------------------------------------------------
def report_view(
    viewer: Viewer, data: AnalystData, mount: str, start: str | None, end: str | None, center: str | None,
    channel: str | None,
) -> tuple[list[Any], str]:
    """The report area and the HTML-download link for these filters; bad filters and a missing index become a
    Korean message in place of the report (never an exception in the browser)."""
    try:
        query = parse_query(start, end, center, channel)
    except BadQuery as bad:
        return [html.P(str(bad), className="error", id="report-error")], ""
    log.info("analyst report", extra={"login": viewer.login, "from": str(query.start), "to": str(query.end),
                                      "center": query.center, "channel": query.channel})  # fmt: skip
    try:
        report = data.report(query)
    except NoData as empty:
        return [html.P(str(empty), className="error", id="report-error")], ""
    return report_body(report), report_href(mount, query)


def search_view(
    viewer: Viewer, data: AnalystData, text: str | None, start: str | None, end: str | None, center: str | None,
    channel: str | None,
) -> list[Any]:
    words = (text or "").strip()
    if not words:
        return [html.P("검색어를 입력하세요.", className="hint")]
    if len(words) > 200:
        return [html.P("검색어는 200자까지입니다.", className="error")]
    try:
        query = parse_query(start, end, center, channel)
        found = data.search(words, query, limit=20)
    except (BadQuery, NoData) as bad:
        return [html.P(str(bad), className="error")]
    log.info("analyst search", extra={"login": viewer.login, "terms": len(words.split())})
    if not found.hits:
        return [html.P(f"'{words}'에 맞는 문서가 기간 안에 없습니다.", id="search-empty")]
    rows = [[h.received_at.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M"), CHANNEL_NAMES.get(h.channel, str(h.channel)),
             h.title, h.snippet] for h in found.hits]  # fmt: skip
    return [html.P(f"{found.total:,}건 중 {len(found.hits)}건 (관련도 순, 마스킹된 본문)", id="search-total"),
            table(f.Table(["접수", "채널", "제목", "본문 일부"], rows), "search-hits")]  # fmt: skip


# -- the Dash app ------------------------------------------------------------------------------------
def layout(viewer: Viewer | None, data: AnalystData, mount: str, today: dt.date) -> html.Div:
    last = data.newest_day() or today
    first = last - dt.timedelta(days=DEFAULT_DAYS - 1)
    centers = [{"label": label, "value": code} for code, label in data.centers()]
    return html.Div([
        html.Header([
            html.H1("민원 분석 대시보드"),
            html.Span(f"{viewer.name} ({viewer.login}) · {viewer.center}" if viewer else "", className="who"),
            html.Form(html.Button("로그아웃", type="submit"), method="POST", action=f"{mount}/logout"),
        ]),
        html.Div([
            html.Label("기간"),
            dcc.DatePickerRange(id="period", start_date=first.isoformat(), end_date=last.isoformat(),
                                display_format="YYYY-MM-DD", first_day_of_week=1, month_format="YYYY년 M월",
                                start_date_placeholder_text="시작일",
                                end_date_placeholder_text="종료일"),
            html.Label("콜센터"),
            dcc.Dropdown(id="center", options=centers, placeholder="전체 콜센터", clearable=True,
                         style={"width": "22rem"}),
            html.Label("채널"),
            dcc.RadioItems(id="channel", options=[{"label": v, "value": k} for k, v in CHANNELS.items()], value="all",
                           inline=True),
            html.Button("조회", id="run", n_clicks=0),
            html.A("HTML 보고서 내려받기", id="download", href="", target="_blank"),
        ], className="controls"),
        html.Div([
            dcc.Input(id="q", type="search", placeholder="검색어 (예: 재난지원금 지연)", debounce=True, maxLength=200),
            html.Button("검색", id="search", n_clicks=0),
            html.Div(id="hits"),
        ], className="search"),
        dcc.Loading(html.Div(id="report"), type="default"),
    ])  # fmt: skip


CSS = """body { font-family: sans-serif; margin: 0 auto; max-width: 1200px; padding: 0 1rem; color: #222; }
header { display: flex; gap: 1rem; align-items: center; border-bottom: 2px solid #2b5797; }
header h1 { font-size: 1.4rem; flex: 1; } .controls, .search { display: flex; flex-wrap: wrap; gap: .6rem;
  align-items: center; margin: .8rem 0; } .charts { display: grid; grid-template-columns: repeat(auto-fit,
  minmax(520px, 1fr)); } table.grid { border-collapse: collapse; width: 100%; margin: .5rem 0 1.2rem;
  font-size: .9rem; } table.grid th, table.grid td { border: 1px solid #ccc; padding: .3rem .5rem;
  vertical-align: top; text-align: left; } table.grid th { background: #f0f3f7; } .error { color: #b00020; }
h2 { border-bottom: 1px solid #9ab; } .summary { font-size: 1.05rem; }"""


def build_analyst_app(
    server: Flask, data: AnalystData, *, mount: str, today: Callable[[], dt.date],
    render_html: Callable[[ReportData], str],
) -> Dash:
    """The Dash app at ``{mount}/analytics/`` on ``server`` (whose gate has already checked the session)."""
    # Dash's annotations say ``server`` is a bool and ``update_title`` a str; a Flask app and None are documented.
    options: dict[str, Any] = {
        "server": server, "routes_pathname_prefix": PATH, "requests_pathname_prefix": f"{mount}{PATH}",
        "title": "민원 분석 · 국민의 소리", "update_title": None, "serve_locally": True,
        "suppress_callback_exceptions": True,
    }  # fmt: skip
    app = Dash("sori.dashboard.analyst", **options)
    app.index_string = app.index_string.replace("<html>", '<html lang="ko">').replace(
        "{%css%}", "{%css%}<style>" + CSS + "</style>"
    )
    # Dash also calls the layout once outside any request's session (to validate it): no viewer then.
    app.layout = lambda: layout(g.get("viewer"), data, mount, today())

    @app.callback(
        Output("report", "children"), Output("download", "href"),
        Input("run", "n_clicks"), State("period", "start_date"), State("period", "end_date"), State("center", "value"),
        State("channel", "value"),
    )  # fmt: skip
    def _report(_: int, start: str, end: str, center: str | None, channel: str) -> tuple[list[Any], str]:
        return report_view(require(ANALYST_ROLES), data, mount, start, end, center, channel)

    @app.callback(
        Output("hits", "children"),
        Input("search", "n_clicks"), Input("q", "value"), State("period", "start_date"), State("period", "end_date"),
        State("center", "value"), State("channel", "value"), prevent_initial_call=True,
    )  # fmt: skip
    def _search(_: int, text: str | None, start: str, end: str, center: str | None, channel: str) -> list[Any]:
        return search_view(require(ANALYST_ROLES), data, text, start, end, center, channel)

    @server.route(f"{PATH}report.html")
    def _download() -> Response:
        viewer = require(ANALYST_ROLES)
        args = request.args
        try:
            query = parse_query(args.get("from"), args.get("to"), args.get("center"), args.get("channel"))
            log.info("analyst report download", extra={"login": viewer.login, "from": str(query.start),
                                                       "to": str(query.end)})  # fmt: skip
            page = render_html(data.report(query))
        except (BadQuery, NoData) as bad:
            return Response(str(bad), status=400, content_type="text/plain; charset=utf-8")
        name = f"sori-report-{query.start:%Y%m%d}-{query.end:%Y%m%d}.html"
        return Response(page, content_type="text/html; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{name}"',
                                 "cache-control": "no-store"})  # fmt: skip

    return app
