"""The supervisors' live wallboard (상황판): ``/dashboard/wallboard/<CENTER_CODE>``, ``…/institution/<기관명>`` and
``…/all`` (admins), fed by push: a small asset (``wallboard_assets/wallboard.js``) opens an EventSource on
``/dashboard/wallboard-stream`` (served by the reactor, see ``dashboard.wallboard_stream``) and hands each
snapshot to the ``wb-snapshot`` store with ``dash_clientside.set_props``; no ``dcc.Interval``. The callbacks draw
it and run the supervisors' actions (through the JSON API as the viewer, so its rules and audit hold).

Every callback re-checks the viewer and the scope of the page's path (``dashboard.wallboard_scope.grant``):
a Dash callback is a plain POST, and one forged for another center is answered 403.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote, unquote

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from flask import Flask, g, request
from werkzeug.wrappers.response import Response

from dashboard.ports import Viewer
from dashboard.server import COOKIE, Forbidden, require
from dashboard.supervisor_ports import SUPERVISOR_ROLES, AbandonedCall
from dashboard.wallboard_scope import ALL as ALL_SCOPE
from dashboard.wallboard_scope import Grant, Refused, center_scope, grant, institution_scope
from dashboard.wallboard_view import abandoned_table, board, tid

log = logging.getLogger("sori.dashboard.wallboard")
PATH = "/wallboard/"
STATE_CHOICES = {"ready": "대기", "not-ready": "이석", "logged-out": "로그아웃"}
ERRORS = {
    "other-center": "다른 센터의 상담사나 호에는 조치할 수 없습니다.",
    "unknown-agent": "해당 상담사가 없거나 전화 업무 대상이 아닙니다.",
    "agent-busy": "상담사가 통화 중이라 지금은 바꿀 수 없습니다.",
    "agent-logged-out": "상담사가 로그아웃 상태입니다.",
    "callback-already-requested": "이미 콜백을 요청한 호입니다.",
    "caller-number-unavailable": "발신번호가 없거나 보관 기간이 지나 콜백할 수 없습니다.",
    "unknown-call-record": "해당 포기 호를 찾을 수 없습니다.",
    "telephony-unavailable": "전화 시스템이 실행 중이 아닙니다.",
    "validation-failed": "입력값을 확인하세요.",
}


class WallboardData(Protocol):
    def institutions(self) -> Mapping[str, str]:
        """Every active center's code → its institution's Korean name."""
        ...

    def abandoned_today(self, centers: frozenset[str] | None, limit: int = 200) -> list[AbandonedCall]:
        """Today's abandoned inbound calls of ``centers`` (None: all), newest first, numbers masked."""
        ...

    def act(self, token: str, method: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """The JSON API's ``method path`` with ``body`` as the session ``token``'s holder: (status, JSON)."""
        ...


def scope_of(pathname: str | None, mount: str) -> str:
    """The scope a page path names: ``…/wallboard/ACRC110`` → ``center:ACRC110``."""
    rest = unquote(str(pathname or "")).removeprefix(f"{mount}{PATH}").strip("/")
    if rest == "all":
        return ALL_SCOPE
    if rest.startswith("institution/"):
        return institution_scope(rest.removeprefix("institution/"))
    return center_scope(rest) if rest and "/" not in rest else "none"


def checked(viewer: Viewer | None, pathname: str | None, mount: str, data: WallboardData) -> Grant:
    """The viewer's grant for the page's scope; ``Forbidden`` (403) for any refusal."""
    try:
        return grant(viewer, scope_of(pathname, mount), data.institutions())
    except Refused as refused:
        log.info("wallboard refused", extra={"login": getattr(viewer, "login", None), "code": refused.code})
        raise Forbidden(refused.message) from None


def title_of(g_: Grant) -> str:
    if g_.scope == ALL_SCOPE:
        return "전체 센터"
    kind, _, name = g_.scope.partition(":")
    return f"{name} 기관" if kind == "institution" else f"{name} 센터"


# -- the callbacks, as plain functions -----------------------------------------------------------------------
def render_view(viewer: Viewer | None, pathname: str | None, snapshot: dict[str, Any] | None, mount: str,
                data: WallboardData, abandons_before: Any = None) -> tuple[list[Any], Any]:  # fmt: skip
    """The board of the pushed snapshot, once the viewer's scope is checked; and today's abandon count when it
    changed (the abandoned list is read again only then)."""
    found = checked(viewer, pathname, mount, data)
    if not snapshot:
        return [html.P("실시간 연결 중…", className="calm")], no_update
    if snapshot.get("scope") != found.scope:
        raise Forbidden("snapshot of another scope")
    abandons = snapshot["totals"]["abandoned"]
    return board(snapshot, title_of(found)), no_update if abandons == abandons_before else abandons


def abandoned_view(viewer: Viewer | None, pathname: str | None, mount: str, data: WallboardData) -> Any:
    found = checked(viewer, pathname, mount, data)
    return abandoned_table(data.abandoned_today(found.centers))


def action_view(viewer: Viewer | None, pathname: str | None, mount: str, data: WallboardData, token: str,
                trigger: Any, login: str | None, state: str | None, reason: str | None, skills: str | None,
                text: str | None) -> html.Div:  # fmt: skip
    """Runs the action the pressed button asks (``trigger``: a button id), answers a Korean status line."""
    checked(viewer, pathname, mount, data)
    call = trigger.get("call") if isinstance(trigger, dict) else None
    if call is not None:
        status, answer = data.act(token, "POST", "/api/v1/telephony/supervisor/callbacks", {"call_record_id": call})
        return _outcome(status, answer, "콜백을 시작했습니다.")
    if not login:
        return _outcome(422, {"error": "validation-failed"}, "", "상담사를 고르세요.")
    base = f"/api/v1/telephony/supervisor/agents/{quote(login, safe='')}"
    if trigger == "wb-act-state":
        if state not in STATE_CHOICES or not (reason or "").strip():
            return _outcome(422, {"error": "validation-failed"}, "", "상태와 사유를 입력하세요.")
        status, answer = data.act(token, "PUT", f"{base}/state", {"state": state, "reason": str(reason).strip()})
        return _outcome(status, answer, f"{login} 상태를 {STATE_CHOICES.get(state, state)}(으)로 바꿨습니다.")
    if trigger == "wb-act-skills":
        try:
            levels = {k.strip(): int(v or 1) for k, _, v in (p.partition(":") for p in str(skills).split(","))
                      if k.strip()}  # fmt: skip
        except ValueError:
            levels = {}
        if not levels:
            hint = "큐를 '큐:숙련도' 형식으로 입력하세요 (예: general:1)."
            return _outcome(422, {"error": "validation-failed"}, "", hint)
        status, answer = data.act(token, "PUT", f"{base}/skills", {"skills": levels, "reason": reason or None})
        return _outcome(status, answer, f"{login} 상담사를 {', '.join(levels)} 큐로 옮겼습니다.")
    if trigger == "wb-act-message":
        if not (text or "").strip():
            return _outcome(422, {"error": "validation-failed"}, "", "보낼 메시지를 입력하세요.")
        status, answer = data.act(token, "POST", f"{base}/messages", {"text": str(text).strip()[:300]})
        return _outcome(status, answer, f"{login} 상담사에게 메시지를 보냈습니다.")
    return html.Div()


def aria_pressed(on: bool) -> Any:
    return {"aria-pressed": "true" if on else "false"}


def _outcome(status: int, answer: dict[str, Any], done: str, refusal: str | None = None) -> html.Div:
    if 200 <= status < 300:
        return html.Div(done, role="status", className="ok", **tid("action-result"))
    code = str(answer.get("error", ""))
    message = refusal or ERRORS.get(code) or str(answer.get("message") or "요청을 처리하지 못했습니다.")
    return html.Div(f"거부됨: {message}", role="alert", className="refused",
                    **tid("action-result", code=code))  # fmt: skip


# -- the page ------------------------------------------------------------------------------------------------
def layout(viewer: Viewer | None, mount: str) -> html.Div:
    logins = html.Div([
        html.Label("상담사", htmlFor="wb-login"),
        dcc.Input(id="wb-login", placeholder="상담사 아이디", maxLength=64),
        html.Label("사유", htmlFor="wb-reason"),
        dcc.Input(id="wb-reason", placeholder="상태 변경 사유", maxLength=200),
        *(html.Button(f"{label}(으)로 변경", id=f"wb-state-{state}", n_clicks=0)
          for state, label in STATE_CHOICES.items()),
        html.Label("큐", htmlFor="wb-skills"),
        dcc.Input(id="wb-skills", placeholder="큐:숙련도 (예: general:1,tax:2)", maxLength=200),
        html.Button("큐 이동", id="wb-act-skills", n_clicks=0),
        html.Label("메시지", htmlFor="wb-text"),
        dcc.Input(id="wb-text", placeholder="상담사에게 보낼 메시지", maxLength=300),
        html.Button("메시지 보내기", id="wb-act-message", n_clicks=0),
    ], className="controls")  # fmt: skip
    who = f"{viewer.name} ({viewer.center})" if viewer is not None else ""
    return html.Div([
        dcc.Location(id="wb-url"),
        dcc.Store(id="wb-snapshot"),
        dcc.Store(id="wb-abandon-count"),
        html.Header([html.H1("실시간 상황판"), html.Span(who),
                     html.Span("연결 중", id="wb-link", role="status", **tid("stream-status")),
                     html.Button("알림음 꺼짐", id="wb-sound", type="button", **aria_pressed(False))]),
        html.Div(id="wb-body", **tid("wallboard")),
        html.Section([html.H2("관리자 조치"), logins, html.Div(id="wb-action-result")], id="wb-actions"),
        html.Section([html.H2("오늘의 포기 호"), html.Div(id="wb-abandoned")], id="wb-abandoned-section"),
    ])  # fmt: skip


CSS = """body { font-family: sans-serif; margin: 0 auto; max-width: 1500px; padding: 0 1rem; color: #222; }
header { display: flex; gap: 1rem; align-items: center; border-bottom: 2px solid #2b5797; }
header h1 { font-size: 1.4rem; flex: 1; } .kpis { display: flex; flex-wrap: wrap; gap: .8rem; margin: .8rem 0; }
.kpi { background: #f0f3f7; border-radius: 6px; padding: .6rem 1rem; min-width: 11rem; }
.kpi .value { font-size: 1.8rem; font-weight: bold; } .kpi .label, .kpi .note { font-size: .85rem; color: #445; }
table.grid { border-collapse: collapse; width: 100%; font-size: .9rem; margin: .4rem 0 1rem; }
table.grid th, table.grid td { border: 1px solid #ccc; padding: .25rem .45rem; text-align: left; }
table.grid th { background: #f0f3f7; } tr.too-long { background: #fff3cd; }
.alert { padding: .4rem .8rem; margin: .3rem 0; border-radius: 4px; font-weight: bold; }
.alert.danger { background: #b00020; color: #fff; } .alert.warning { background: #ffc107; color: #222; }
.controls { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.controls .dash-input-container { width: 16rem; } .ok { color: #1b5e20; }
.refused { color: #b00020; } .calm { color: #1b5e20; } h2 { font-size: 1.1rem; border-bottom: 1px solid #9ab; }"""


def build_wallboard_app(server: Flask, data: WallboardData, *, mount: str) -> Dash:
    """The Dash app at ``{mount}/wallboard/`` on ``server`` (whose gate has already checked the role)."""
    options: dict[str, Any] = {
        "server": server, "routes_pathname_prefix": PATH, "requests_pathname_prefix": f"{mount}{PATH}",
        "title": "실시간 상황판 · 국민의 소리", "update_title": None, "serve_locally": True,
        "suppress_callback_exceptions": True, "assets_folder": str(Path(__file__).parent / "wallboard_assets"),
    }  # fmt: skip
    app = Dash("sori.dashboard.wallboard", **options)
    app.index_string = app.index_string.replace("<html>", '<html lang="ko">').replace(
        "{%css%}", "{%css%}<style>" + CSS + "</style>"
    )
    app.layout = lambda: layout(g.get("viewer"), mount)

    @server.before_request
    def _page_scope() -> Response | None:
        """The page of a scope the viewer may not see: the reason, not an empty board (its stream and callbacks
        refuse as well)."""
        path = request.path
        if not path.startswith(PATH) or "/_" in path or "/assets/" in path or request.method != "GET":
            return None
        try:
            grant(g.get("viewer"), scope_of(mount + path, mount), data.institutions())
        except Refused as refused:
            body = f'<h1>실시간 상황판</h1><p role="alert" data-testid="forbidden">{escape(refused.message)}</p>'
            page = (
                f'<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><title>권한 없음 · 상황판</title>'
                f"</head><body><main>{body}</main></body></html>"
            )
            return Response(page, status=refused.status, content_type="text/html; charset=utf-8")
        return None

    @app.callback(Output("wb-body", "children"), Output("wb-abandon-count", "data"),
                  Input("wb-snapshot", "data"), State("wb-url", "pathname"),
                  State("wb-abandon-count", "data"))  # fmt: skip
    def _render(snapshot: dict[str, Any] | None, pathname: str | None, before: Any) -> tuple[list[Any], Any]:
        return render_view(require(SUPERVISOR_ROLES), pathname, snapshot, mount, data, before)

    @app.callback(Output("wb-abandoned", "children"), Input("wb-abandon-count", "data"),
                  Input("wb-action-result", "children"), State("wb-url", "pathname"))  # fmt: skip
    def _abandoned(_: Any, __: Any, pathname: str | None) -> Any:
        return abandoned_view(require(SUPERVISOR_ROLES), pathname, mount, data)

    @app.callback(
        Output("wb-action-result", "children"),
        *(Input(f"wb-state-{state}", "n_clicks") for state in STATE_CHOICES),
        Input("wb-act-skills", "n_clicks"), Input("wb-act-message", "n_clicks"),
        Input({"type": "wb-callback", "call": ALL}, "n_clicks"),
        State("wb-url", "pathname"), State("wb-login", "value"),
        State("wb-reason", "value"), State("wb-skills", "value"), State("wb-text", "value"),
        prevent_initial_call=True,
    )  # fmt: skip
    def _act(*args: Any) -> Any:
        viewer = require(SUPERVISOR_ROLES)
        if not ctx.triggered or not any(t.get("value") for t in ctx.triggered):
            return no_update  # a list (re)drawn, not a click
        pathname, login, reason, skills, text = args[len(STATE_CHOICES) + 3 :]
        trigger, state = ctx.triggered_id, None
        if isinstance(trigger, str) and trigger.startswith("wb-state-"):
            trigger, state = "wb-act-state", trigger.removeprefix("wb-state-")
        return action_view(viewer, pathname, mount, data, request.cookies.get(COOKIE, ""), trigger,
                           login, state, reason, skills, text)  # fmt: skip

    return app
