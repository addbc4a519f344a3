"""The supervisors' staffing planner (인력 산정) at ``{mount}/staffing/``: for one center and day, per 15-minute
interval, the calls and AHT forecast from the history (``telephony.staffing.forecast``), the agents Erlang C and
Erlang A say are needed for the target (``telephony.staffing.planner``), the agents scheduled, and the service
level those agents would give; a chart; the schedule imported from CSV (Korean template and errors).

The callbacks are plain functions (``staffing_view``, ``upload_view``, ``template_download``) that tests call
directly; each checks the viewer's scope itself (a supervisor plans their own center, an admin any).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any

import plotly.graph_objects as go
from dash import Dash, Input, Output, State, dcc, html
from flask import Flask, g

from dashboard.history import (
    centers_field,
    dash_options,
    date_input,
    grid_table,
    korean_page,
    labelled,
    page_header,
    refusal,
    testid,
)
from dashboard.history_table import Grid, duration, percent
from dashboard.server import require
from dashboard.supervisor_filters import DEFAULT_THRESHOLD_S, Refused, parse_day, scope_of
from dashboard.supervisor_ports import (
    SUPERVISOR_ROLES,
    Granularity,
    GroupBy,
    HistoryData,
    HistoryQuery,
    ScheduledStaff,
    StaffingData,
)
from dashboard.supervisor_style import BASE_CSS
from kernel.accounts import Viewer
from kernel.calendar import SEOUL, WorkCalendar
from kernel.errors import DomainError
from telephony.staffing.forecast import forecast_day
from telephony.staffing.planner import PlanRow, plan
from telephony.staffing.schedule_csv import TEMPLATE, parse_schedule

log = logging.getLogger("sori.dashboard")
PATH = "/staffing/"
HISTORY_WEEKS = 6
MAX_UPLOAD_BYTES = 512 * 1024
HEADERS = [
    "시각", "예측 호수", "예측 AHT", "필요 인원 (Erlang C)", "필요 인원 (Erlang A)", "배치 인원",
    "배치 인원의 서비스 레벨 (Erlang C)", "배치 인원의 서비스 레벨 (Erlang A)", "예상 포기율 (Erlang A)",
]  # fmt: skip


def chosen_center(viewer: Viewer, center: object) -> str:
    """The one center to plan, within the viewer's scope (a supervisor's empty choice is their own center)."""
    if center in (None, ""):
        if viewer.role == "admin":
            raise Refused("콜센터를 고르세요.")
        return viewer.center
    if not isinstance(center, str) or len(center) > 64:
        raise Refused("콜센터 선택이 올바르지 않습니다.")
    if not scope_of(viewer).allows(center):
        raise Refused(f"권한 밖의 콜센터입니다: {center}. 소속 콜센터의 인력만 산정할 수 있습니다.")
    return center


def parse_target(target: object, threshold: object) -> tuple[float, int]:
    """The target service level (percent, 1..99) as a fraction and the threshold in seconds (1..600)."""
    try:
        sl, seconds = float(str(target)), int(str(threshold))
    except ValueError:
        raise Refused("목표 서비스 레벨(%)과 기준 시간(초)을 숫자로 입력하세요.") from None
    if not 1 <= sl <= 99:
        raise Refused("목표 서비스 레벨은 1~99% 사이입니다.")
    if not 1 <= seconds <= 600:
        raise Refused("기준 시간은 1~600초 사이입니다.")
    return sl / 100, seconds


def plan_grid(rows: Sequence[PlanRow]) -> Grid:
    def agents(n: int | None) -> str:
        return "—" if n is None else f"{n:,}"

    return Grid(HEADERS, [
        [f"{r.interval_start.astimezone(SEOUL):%H:%M}", f"{r.calls:.1f}", duration(r.aht_s if r.calls else None),
         agents(r.erlang_c_agents), agents(r.erlang_a_agents), agents(r.staffed), percent(r.sl_erlang_c),
         percent(r.sl_erlang_a), percent(r.abandon_erlang_a)]
        for r in rows
    ])  # fmt: skip


def plan_figure(rows: Sequence[PlanRow]) -> Any:
    x = [f"{r.interval_start.astimezone(SEOUL):%H:%M}" for r in rows]
    fig = go.Figure()
    fig.add_bar(name="예측 호수", x=x, y=[r.calls for r in rows], yaxis="y2", marker_color="#c9d6ea")
    for name, values, colour, shape in (
        ("필요 인원 (Erlang C)", [r.erlang_c_agents for r in rows], "#2b5797", "linear"),
        ("필요 인원 (Erlang A)", [r.erlang_a_agents for r in rows], "#3a8f4b", "linear"),
        ("배치 인원", [r.staffed for r in rows], "#b00020", "hv"),
    ):
        fig.add_scatter(name=name, x=x, y=values, mode="lines", line={"color": colour, "shape": shape})
    fig.update_layout(
        height=380, margin={"l": 50, "r": 50, "t": 30, "b": 60}, legend={"orientation": "h", "y": 1.12},
        xaxis={"type": "category"}, yaxis={"title": "상담사 수"},
        yaxis2={"title": "예측 호수", "overlaying": "y", "side": "right", "showgrid": False},
    )  # fmt: skip
    return fig


# -- callbacks as plain functions --------------------------------------------------------------------
def staffing_view(
    viewer: Viewer,
    history: HistoryData,
    staffing: StaffingData,
    calendar: WorkCalendar,
    center: object,
    day: object,
    target: object,
    threshold: object,
) -> list[Any]:
    """The plan of the center's day, or a Korean refusal in its place."""
    try:
        code, when = chosen_center(viewer, center), parse_day(day, "날짜")
        target_sl, threshold_s = parse_target(target, threshold)
    except Refused as refused:
        log.info("staffing refused", extra={"login": viewer.login, "reason": str(refused)})
        return refusal(str(refused))
    first = when - dt.timedelta(weeks=HISTORY_WEEKS)
    query = HistoryQuery(first, when - dt.timedelta(days=1), Granularity.MIN15, GroupBy.CENTER, frozenset({code}))
    past = history.history(query, scope_of(viewer))
    forecast = forecast_day([(r.period_start, r.calls) for r in past], when, calendar, weeks=HISTORY_WEEKS)
    staffed = {s.interval_start: s.agents for s in staffing.schedule(code, when, when)}
    rows = plan(forecast, target_sl, threshold_s, staffed)
    log.info("staffing plan", extra={"login": viewer.login, "center": code, "day": str(when)})
    holiday = calendar.holiday_name(when)
    note = f" · {holiday}" if holiday else ""
    summary = html.P(f"{code} · {when:%Y-%m-%d} ({'월화수목금토일'[when.weekday()]}{note}) · 지난 {HISTORY_WEEKS}주 "
                     f"같은 요일 기준 예측 · 목표 {target_sl * 100:.0f}% / {threshold_s}초"
                     + ("" if staffed else " · 배치 계획 없음 (CSV로 올리세요)"),
                     className="summary", id="staffing-summary", **testid("staffing-summary"))  # fmt: skip
    if not any(r.calls for r in rows):
        return [summary, html.P("예측할 통화 이력이 없습니다.", id="staffing-empty", **testid("staffing-empty"))]
    busy = [n for n, r in enumerate(rows) if r.calls or r.staffed is not None]
    rows = rows[busy[0] : busy[-1] + 1]  # the day's working span: no page of empty night intervals
    notes = [html.P(f"예측 호나 배치 인원이 있는 {rows[0].interval_start.astimezone(SEOUL):%H:%M}~"
                    f"{rows[-1].interval_start.astimezone(SEOUL) + dt.timedelta(minutes=15):%H:%M} 구간을 "
                    "15분 단위로 보입니다.")]  # fmt: skip
    if all(r.erlang_a_agents is None for r in rows if r.calls):
        notes.append(html.P("이력에 포기 호가 없어 고객의 인내 시간을 잴 수 없으므로 Erlang A 값은 비워 둡니다.",
                            id="no-erlang-a", **testid("no-erlang-a")))  # fmt: skip
    return [summary, *notes,
            dcc.Graph(figure=plan_figure(rows), config={"displaylogo": False}, id="staffing-chart"),
            grid_table(plan_grid(rows), "staffing-table", "staffing-row")]  # fmt: skip


def upload_view(viewer: Viewer, staffing: StaffingData, center: object, contents: object, filename: object) -> str:
    """Import an uploaded schedule CSV (``dcc.Upload``'s data URL) for the chosen center; a Korean answer."""
    try:
        code = chosen_center(viewer, center)
    except Refused as refused:
        return str(refused)
    if not isinstance(contents, str) or "," not in contents:
        return "CSV 파일을 고르세요."
    try:
        raw = base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return "파일을 읽을 수 없습니다. CSV 파일을 다시 올리세요."
    if len(raw) > MAX_UPLOAD_BYTES:
        return f"파일이 너무 큽니다 (최대 {MAX_UPLOAD_BYTES // 1024} KB)."
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "CSV 파일은 UTF-8로 저장해 주세요 (엑셀: 'CSV UTF-8' 형식)."
    try:
        rows = [ScheduledStaff(code, i.interval_start, i.agents) for i in parse_schedule(text)]
        if not rows:
            return "파일에 일정 행이 없습니다. 양식을 내려받아 채우세요."
        written = staffing.import_schedule(code, rows, viewer.login)
    except DomainError as bad:  # every bad row with its number (the header is row 1), or the store's refusal
        return f"{filename or '파일'}: {bad.message}"
    log.info("staffing schedule import", extra={"login": viewer.login, "center": code, "intervals": written})
    return f"{code}의 배치 계획 {written}개 구간(15분)을 저장했습니다."


def template_download() -> dict[str, Any]:
    content = TEMPLATE.encode("utf-8-sig")
    return {"content": base64.b64encode(content).decode(), "filename": "sori-schedule-template.csv",
            "type": "text/csv; charset=utf-8", "base64": True}  # fmt: skip


# -- the page ----------------------------------------------------------------------------------------
def layout(
    viewer: Viewer | None, history: HistoryData, mount: str, today: dt.date, threshold_s: int = DEFAULT_THRESHOLD_S
) -> html.Div:
    centers = [{"label": f"{c.public_number} {c.name}", "value": c.code}
               for c in (history.centers(scope_of(viewer)) if viewer else [])]  # fmt: skip
    return html.Div([
        page_header("인력 산정 (Erlang C · Erlang A)", viewer, mount),
        html.Main([
            html.Div([
                centers_field(viewer, centers, "center", "예: ACRC110"),
                labelled("날짜", date_input("day", today), "day"),
                labelled("목표 서비스 레벨 (%)", dcc.Input(id="target", type="number", value=80, min=1, max=99),
                         "target"),
                labelled("기준 시간 (초)", dcc.Input(id="threshold", type="number", value=threshold_s, min=1, max=600),
                         "threshold"),
                html.Button("산정", id="run", n_clicks=0, **testid("run")),
            ], className="controls"),
            html.Div([
                dcc.Upload(html.Button("배치 계획 CSV 올리기", type="button"), id="upload", accept=".csv,text/csv",
                           max_size=MAX_UPLOAD_BYTES),
                html.Button("CSV 양식 내려받기", id="template", n_clicks=0, **testid("template")),
                dcc.Download(id="template-download"),
                html.Span(id="upload-message", role="status", **testid("upload-message")),
            ], className="controls"),
            dcc.Loading(html.Div(id="staffing-report", **testid("staffing-report")), type="default"),
        ]),
    ], id="staffing-page")  # fmt: skip


CSS = BASE_CSS + """
table.grid th { background: #f0f3f7; } .error { color: #b00020; } button { padding: .4rem .9rem; }"""


#: dcc.Upload's own <input type=file> has no name for screen readers (axe: "label"): name it whenever the lazily
#: loaded component renders it.
NAME_UPLOAD_INPUT = """<script>new MutationObserver(() => {
  const input = document.querySelector('#upload input[type=file]');
  if (input && !input.getAttribute('aria-label')) { input.setAttribute('aria-label', '배치 계획 CSV 파일 올리기'); }
}).observe(document.body, {childList: true, subtree: true});</script>"""


def build_staffing_app(
    server: Flask,
    history: HistoryData,
    staffing: StaffingData,
    *,
    mount: str,
    today: Callable[[], dt.date],
    calendar: WorkCalendar,
    threshold_s: int = DEFAULT_THRESHOLD_S,
) -> Dash:
    """The Dash app at ``{mount}/staffing/`` on ``server`` (whose gate has already checked the session);
    ``threshold_s``: the service-level threshold first offered (``telephony.service_level_s``)."""
    app = Dash("sori.dashboard.staffing", **dash_options(PATH, mount, server, "인력 산정 · 국민의 소리"))
    korean_page(app, CSS)
    app.index_string = app.index_string.replace("</body>", NAME_UPLOAD_INPUT + "</body>")
    app.layout = lambda: layout(g.get("viewer"), history, mount, today(), threshold_s)

    @app.callback(
        Output("staffing-report", "children"), Input("run", "n_clicks"), Input("upload-message", "children"),
        State("center", "value"), State("day", "value"), State("target", "value"), State("threshold", "value"),
    )  # fmt: skip
    def _plan(_: int, __: Any, center: Any, day: Any, target: Any, threshold: Any) -> list[Any]:
        viewer = require_supervisor()
        return staffing_view(viewer, history, staffing, calendar, center, day, target, threshold)

    @app.callback(Output("upload-message", "children"), Input("upload", "contents"), State("upload", "filename"),
                  State("center", "value"), prevent_initial_call=True)  # fmt: skip
    def _upload(contents: Any, filename: Any, center: Any) -> str:
        return upload_view(require_supervisor(), staffing, center, contents, filename)

    @app.callback(Output("template-download", "data"), Input("template", "n_clicks"), prevent_initial_call=True)
    def _template(_: int) -> dict[str, Any]:
        require_supervisor()
        return template_download()

    return app


def require_supervisor() -> Viewer:
    return require(SUPERVISOR_ROLES)
