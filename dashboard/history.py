"""The supervisors' history page (콜센터 실적 이력) at ``{mount}/history/``: offered, answered and abandoned calls,
the three service levels, ASA, AHT, talk/hold/after-call time, occupancy, transfers and pause time by reason,
per 15/30/60-minute interval, day, week or month and per queue, center, agent or institution; the period's
repeat-contact rate and first-contact resolution; a chart; the abandoned-call list with CSV and Excel export.

The callbacks are plain functions (``history_view``, ``export_view``) that tests call directly. Each checks the
viewer's scope itself (``supervisor_filters``): a supervisor sees their own center, an admin any; a forged
callback naming another center gets a Korean refusal and no rows.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html
from dash.exceptions import PreventUpdate
from flask import Flask, g

from crm.door.tally import WAIT_EDGES_S
from dashboard.history_export import CSV_TYPE, XLSX_TYPE, abandoned_csv, abandoned_xlsx
from dashboard.history_table import (
    ABANDONED_HEADERS,
    Grid,
    abandoned_rows,
    continuity_text,
    history_figure,
    history_grid,
)
from dashboard.server import require
from dashboard.supervisor_filters import (
    DEFAULT_THRESHOLD_S,
    GRANULARITY_NAMES,
    GROUP_NAMES,
    Filters,
    Refused,
    parse_filters,
    scope_of,
)
from dashboard.supervisor_ports import SUPERVISOR_ROLES, Granularity, GroupBy, HistoryData
from dashboard.supervisor_style import BASE_CSS
from kernel.accounts import Viewer

log = logging.getLogger("sori.dashboard")
PATH = "/history/"
DEFAULT_DAYS = 7
MAX_TABLE_ROWS = 2000  # more is refused to the browser (a huge DOM), not to the export
PAGE_ABANDONED = 200
EXPORT_ABANDONED = 50_000


def testid(name: str) -> dict[str, Any]:
    return {"data-testid": name}


def grid_table(grid: Grid, name: str, row_name: str) -> html.Table:
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in grid.headers]))
    body = html.Tbody([html.Tr([html.Td(c) for c in row], **testid(row_name)) for row in grid.rows])
    return html.Table([head, body], className="grid", id=name, **testid(name))


def refusal(message: str) -> list[Any]:
    return [html.P(message, className="error", role="alert", id="history-error", **testid("history-error"))]


# -- callbacks as plain functions --------------------------------------------------------------------
def history_view(viewer: Viewer, data: HistoryData, filters: Filters) -> list[Any]:
    """The report area for these filters: a Korean refusal in its place when the filters are bad or outside the
    viewer's scope (never another center's rows, never an exception in the browser)."""
    try:
        query, threshold = parse_filters(viewer, filters)
    except Refused as refused:
        log.info("history refused", extra={"login": viewer.login, "reason": str(refused)})
        return refusal(str(refused))
    scope = scope_of(viewer)
    log.info("history report", extra={"login": viewer.login, "from": str(query.start), "to": str(query.end),
                                      "centers": sorted(query.centers or []), "by": str(query.group_by)})  # fmt: skip
    rows = data.history(query, scope)
    continuity = data.continuity(query, scope)
    abandoned = data.abandoned(query, scope, limit=PAGE_ABANDONED + 1)
    grid = history_grid(rows, query.granularity, threshold)
    summary = html.P([f"기간 {query.start:%Y-%m-%d} ~ {query.end:%Y-%m-%d} · {GRANULARITY_NAMES[query.granularity]} "
                      f"단위 · {GROUP_NAMES[query.group_by]}별 · ",
                      html.Span(continuity_text(continuity), id="continuity", **testid("continuity"))],
                     className="summary")  # fmt: skip
    if not rows:
        table: Any = html.P("기간 안에 자료가 없습니다.", id="history-empty", **testid("history-empty"))
    elif len(grid.rows) > MAX_TABLE_ROWS:
        table = refusal(f"표가 {len(grid.rows):,}행으로 너무 큽니다 (최대 {MAX_TABLE_ROWS:,}행). 기간을 줄이거나 "
                        "더 큰 단위나 구분을 고르세요.")[0]  # fmt: skip
    else:
        table = grid_table(grid, "history-table", "history-row")
    shown = abandoned[:PAGE_ABANDONED]
    more = f" (최근 {PAGE_ABANDONED}건만 표시, 전체는 내려받기)" if len(abandoned) > PAGE_ABANDONED else ""
    abandoned_part: Any = (
        grid_table(Grid(ABANDONED_HEADERS, abandoned_rows(shown)), "abandoned-table", "abandoned-row")
        if shown else html.P("포기호가 없습니다.", id="abandoned-empty")
    )  # fmt: skip
    return [
        summary,
        dcc.Graph(figure=history_figure(rows, query.granularity, threshold), config={"displaylogo": False},
                  className="chart", id="history-chart"),
        html.H2("실적"), table,
        html.H2(f"포기호 목록{more}"), abandoned_part,
    ]  # fmt: skip


def export_view(viewer: Viewer, data: HistoryData, filters: Filters, kind: str) -> tuple[dict[str, Any] | None, str]:
    """The abandoned-call list of these filters as a download (``kind`` "csv" or "xlsx") for ``dcc.Download``,
    and a Korean message (empty when the file is on its way)."""
    if kind not in ("csv", "xlsx"):
        return None, "내려받기 형식은 CSV 또는 Excel입니다."
    try:
        query, _ = parse_filters(viewer, filters)
    except Refused as refused:
        return None, str(refused)
    calls = data.abandoned(query, scope_of(viewer), limit=EXPORT_ABANDONED)
    log.info("history abandoned export", extra={"login": viewer.login, "rows": len(calls), "kind": kind,
                                                "centers": sorted(query.centers or [])})  # fmt: skip
    content, media = (abandoned_csv(calls), CSV_TYPE) if kind == "csv" else (abandoned_xlsx(calls), XLSX_TYPE)
    name = f"sori-abandoned-{query.start:%Y%m%d}-{query.end:%Y%m%d}.{kind}"
    download = {"content": base64.b64encode(content).decode(), "filename": name, "type": media, "base64": True}
    return download, ""


# -- the page ----------------------------------------------------------------------------------------
def center_options(viewer: Viewer, data: HistoryData) -> list[dict[str, str]]:
    return [{"label": f"{c.public_number} {c.name}", "value": c.code} for c in data.centers(scope_of(viewer))]


def labelled(text: str, control: Any, control_id: str) -> html.Div:
    return html.Div([html.Label(text, htmlFor=control_id), control], className="field")


def date_input(control_id: str, day: dt.date) -> dcc.Input:
    """The browser's own date field (Dash's date pickers fail axe's checks); dcc.Input passes ``type="date"`` on
    to the ``<input>`` though its annotations list fewer types."""
    native: dict[str, Any] = {"type": "date"}
    return dcc.Input(id=control_id, value=day.isoformat(), **native)


def toggles(text: str, name: str, options: Sequence[tuple[str | int, str]], value: str | int) -> html.Fieldset:
    """One choice among a few, as toggle buttons (``aria-pressed``) under a legend, the choice kept in a
    ``dcc.Store`` named ``name``: native buttons, so keyboards and screen readers work as everywhere (Dash's own
    radio and dropdown components fail axe's checks)."""

    def state(v: str | int) -> dict[str, Any]:
        return {"aria-pressed": "true" if v == value else "false"}

    buttons = [html.Button(label, id={"type": name, "value": v}, n_clicks=0, type="button", className="toggle",
                           **state(v)) for v, label in options]  # fmt: skip
    return html.Fieldset([html.Legend(text), html.Div(buttons, className="toggles"), dcc.Store(id=name, data=value)],
                         className="field", id=f"{name}-field")  # fmt: skip


def pressed(ids: Sequence[dict[str, Any]], picked: object) -> list[str]:
    """The toggles' ``aria-pressed`` once ``picked`` is chosen."""
    return ["true" if i["value"] == picked else "false" for i in ids]


def centers_field(viewer: Viewer | None, centers: Sequence[dict[str, str]], control_id: str = "centers",
                  hint: str = "전체 (예: ACRC110, NTS126)") -> html.Div:  # fmt: skip
    """A supervisor's own center, said; an admin types center codes (offered from a list; empty: every center)."""
    if viewer is None or viewer.role != "admin":
        name = next((c["label"] for c in centers), viewer.center if viewer else "")
        return html.Div([html.Span("콜센터"), html.Strong(name, id="own-center"),
                         dcc.Input(id=control_id, type="hidden", value="")], className="field")  # fmt: skip
    choices = html.Datalist([html.Option(c["label"], value=c["value"]) for c in centers], id=f"{control_id}-codes")
    control = dcc.Input(id=control_id, type="text", list=f"{control_id}-codes", placeholder=hint, className="wide")
    return html.Div([html.Label("콜센터 코드", htmlFor=control_id), control, choices], className="field")


def named(name: str) -> dict[str, Any]:
    return {"aria-label": name}


def page_header(title: str, viewer: Viewer | None, mount: str) -> html.Header:
    """The supervisors' pages' header: title, links between them (the wallboard of the viewer's own center),
    who is looking, logout."""
    links = [("실시간 현황판", f"{mount}/wallboard/{viewer.center}" if viewer else f"{mount}/wallboard/"),
             ("실적 이력", f"{mount}{PATH}"), ("인력 산정", f"{mount}/staffing/")]  # fmt: skip
    return html.Header([
        html.H1(title),
        html.Nav([html.A(text, href=href) for text, href in links], className="pages", **named("대시보드")),
        html.Span(f"{viewer.name} ({viewer.login}) · {viewer.center}" if viewer else "", className="who"),
        html.Form(html.Button("로그아웃", type="submit"), method="POST", action=f"{mount}/logout"),
    ])  # fmt: skip


def layout(
    viewer: Viewer | None, data: HistoryData, mount: str, today: dt.date, threshold_s: int = DEFAULT_THRESHOLD_S
) -> html.Div:
    """The page; ``threshold_s`` is the service-level threshold chosen at first (the ACD's, from the config)."""
    first = today - dt.timedelta(days=DEFAULT_DAYS - 1)
    centers = center_options(viewer, data) if viewer else []
    return html.Div([
        page_header("콜센터 실적 이력", viewer, mount),
        html.Main([
            html.Div([
                labelled("시작일", date_input("start", first), "start"),
                labelled("종료일", date_input("end", today), "end"),
                toggles("단위", "granularity", [(k.value, v) for k, v in GRANULARITY_NAMES.items()],
                        Granularity.DAY.value),
                toggles("구분", "group-by", [(k.value, v) for k, v in GROUP_NAMES.items()], GroupBy.QUEUE.value),
                toggles("서비스 레벨 기준", "threshold", [(s, f"{s}초") for s in WAIT_EDGES_S], threshold_s),
            ], className="controls"),
            html.Div([
                centers_field(viewer, centers),
                labelled("대기열", dcc.Input(id="skill", type="text", placeholder="예: general", maxLength=64),
                         "skill"),
                labelled("상담사 아이디", dcc.Input(id="agent", type="text", maxLength=64), "agent"),
                html.Button("조회", id="run", n_clicks=0, **testid("run")),
            ], className="controls"),
            html.Div([
                html.Button("포기호 CSV 내려받기", id="export-csv", n_clicks=0, **testid("export-csv")),
                html.Button("포기호 Excel 내려받기", id="export-xlsx", n_clicks=0, **testid("export-xlsx")),
                html.Span(id="export-message", className="error", role="status"),
                dcc.Download(id="download-csv"), dcc.Download(id="download-xlsx"),
            ], className="controls"),
            dcc.Loading(html.Div(id="history-report", **testid("history-report")), type="default"),
        ]),
    ], id="history-page")  # fmt: skip


CSS = BASE_CSS + """
table.grid td:first-child, table.grid td:nth-child(2) { text-align: left; white-space: nowrap; }
table.grid th { background: #f0f3f7; } .error { color: #b00020; } h2 { border-bottom: 1px solid #9ab; }
button { padding: .4rem .9rem; } .summary { font-size: 1.05rem; } fieldset { border: 1px solid #ccd; }
.toggles { display: flex; } .toggle { border: 1px solid #2b5797; background: #fff; color: #2b5797;
  padding: .3rem .6rem; margin: 0; } .toggle[aria-pressed=true] { background: #2b5797; color: #fff; }"""


def dash_options(path: str, mount: str, server: Flask, title: str) -> dict[str, Any]:
    # Dash's annotations say ``server`` is a bool and ``update_title`` a str; a Flask app and None are documented.
    return {"server": server, "routes_pathname_prefix": path, "requests_pathname_prefix": f"{mount}{path}",
            "title": title, "update_title": None, "serve_locally": True,
            "suppress_callback_exceptions": True}  # fmt: skip


def korean_page(app: Dash, css: str) -> None:
    app.index_string = app.index_string.replace("<html>", '<html lang="ko">').replace(
        "{%css%}", "{%css%}<style>" + css + "</style>"
    )


FILTER_STATES = [State("start", "value"), State("end", "value"), State("granularity", "data"),
                 State("group-by", "data"), State("centers", "value"), State("skill", "value"),
                 State("agent", "value"), State("threshold", "data")]  # fmt: skip


def filters_of(values: Sequence[Any]) -> Filters:
    return Filters(*values)


def build_history_app(server: Flask, data: HistoryData, *, mount: str, today: Callable[[], dt.date],
                      threshold_s: int = DEFAULT_THRESHOLD_S) -> Dash:  # fmt: skip
    """The Dash app at ``{mount}/history/`` on ``server`` (whose gate has already checked the session);
    ``threshold_s``: the service-level threshold first chosen (``telephony.service_level_s``, a wait edge)."""
    if threshold_s not in WAIT_EDGES_S:
        raise ValueError(f"threshold_s: one of {WAIT_EDGES_S} (the history's wait buckets)")
    app = Dash("sori.dashboard.history", **dash_options(PATH, mount, server, "실적 이력 · 국민의 소리"))
    korean_page(app, CSS)
    # Dash also calls the layout once outside any request's session (to validate it): no viewer then.
    app.layout = lambda: layout(g.get("viewer"), data, mount, today(), threshold_s)

    for name in ("granularity", "group-by", "threshold"):

        @app.callback(Output(name, "data"), Output({"type": name, "value": ALL}, "aria-pressed"),
                      Input({"type": name, "value": ALL}, "n_clicks"), prevent_initial_call=True)  # fmt: skip
        def _pick(clicks: list[int]) -> tuple[object, list[str]]:
            require(SUPERVISOR_ROLES)
            if not isinstance(ctx.triggered_id, dict) or not any(clicks):
                raise PreventUpdate  # a render, not a click
            picked = ctx.triggered_id["value"]
            return picked, pressed([o["id"] for o in ctx.outputs_list[1]], picked)

    @app.callback(Output("history-report", "children"), Input("run", "n_clicks"), *FILTER_STATES)
    def _report(_: int, *values: Any) -> list[Any]:
        return history_view(require(SUPERVISOR_ROLES), data, filters_of(values))

    @app.callback(Output("download-csv", "data"), Output("export-message", "children", allow_duplicate=True),
                  Input("export-csv", "n_clicks"), *FILTER_STATES, prevent_initial_call=True)  # fmt: skip
    def _csv(_: int, *values: Any) -> tuple[dict[str, Any] | None, str]:
        return export_view(require(SUPERVISOR_ROLES), data, filters_of(values), "csv")

    @app.callback(Output("download-xlsx", "data"), Output("export-message", "children", allow_duplicate=True),
                  Input("export-xlsx", "n_clicks"), *FILTER_STATES, prevent_initial_call=True)  # fmt: skip
    def _xlsx(_: int, *values: Any) -> tuple[dict[str, Any] | None, str]:
        return export_view(require(SUPERVISOR_ROLES), data, filters_of(values), "xlsx")

    return app
