"""The dashboards' web server: a Flask app that ``sori up`` mounts at ``/dashboard`` on its HTTP port
(through twisted.web's WSGI container), with Korean login and logout pages and one access gate.

Sessions are the API's tokens (``crm.api.auth``), kept in an HttpOnly, SameSite=Strict cookie that is also
Secure whenever the page came over TLS (``secure_cookie="auto"``; true or false to force it). The login form
carries a CSRF token bound to a pre-session cookie (``dashboard.csrf``). Every request
but the login page and Dash's static component bundles needs a live session whose role the dashboard under
that path allows; Dash callbacks check the role again themselves (``require``), because a callback is a
plain HTTP POST.
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import quote

from flask import Flask, current_app, g, redirect, request
from werkzeug.wrappers.response import Response

from dashboard.csrf import FIELD, NONCE_COOKIE, LoginCsrf
from dashboard.ports import LoginRefused, Sessions, Viewer
from kernel.http.json_depth import nesting_depth_over

log = logging.getLogger("sori.dashboard")
COOKIE = "sori_dashboard"
MAX_JSON_DEPTH = 200  # Dash's own bodies nest far less; Python's JSON parser gives up near 1,000 (a 500)
ROLE_NAMES = {"agent": "상담사", "supervisor": "관리자(수퍼바이저)", "analyst": "분석관", "admin": "시스템 관리자"}


class Forbidden(Exception):
    """The viewer may not use this dashboard; raised inside callbacks (answered 403)."""


def build_server(
    sessions: Sessions,
    roles_by_path: Mapping[str, frozenset[str]],
    *,
    home: str,
    secure_cookie: bool | Literal["auto"] = "auto",
    csrf: LoginCsrf | None = None,
) -> Flask:
    """``roles_by_path``: path prefix (inside the mount, e.g. ``/analytics/``) → roles allowed there.

    ``secure_cookie``: "auto" marks cookies Secure when the request came over TLS (or through a proxy that
    says ``X-Forwarded-Proto: https``); True or False force it either way.
    """
    app = Flask("sori.dashboard")
    forms = csrf or LoginCsrf()

    def secure() -> bool:
        if secure_cookie != "auto":
            return bool(secure_cookie)
        forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        return request.is_secure or forwarded == "https"

    def login_page(target: str, error: str, status: int = 200, fresh: bool = False) -> Response:
        """The form, with a CSRF token for this browser's pre-session nonce (a new nonce when asked or none)."""
        nonce = None if fresh else request.cookies.get(NONCE_COOKIE)
        if not nonce:
            nonce = forms.new_nonce()
        page = _login_page(target, error, status, forms.token(nonce))
        if nonce != request.cookies.get(NONCE_COOKIE):
            page.set_cookie(NONCE_COOKIE, nonce, max_age=forms.max_age_s, httponly=True, samesite="Strict",
                            secure=secure(), path=request.script_root or "/")  # fmt: skip
        return page
    app.config["MAX_CONTENT_LENGTH"] = 256 * 1024
    app.extensions["sori.sessions"] = sessions

    def allowed_roles(path: str) -> frozenset[str] | None:
        for prefix, roles in roles_by_path.items():
            if path.startswith(prefix):
                return roles
        return None

    @app.before_request
    def gate() -> Response | None:
        path = request.path
        if path == "/login" or any(path.startswith(f"{p}_dash-component-suites/") for p in roles_by_path):
            return None  # public: the login form and Dash's open-source JavaScript bundles
        token = request.cookies.get(COOKIE)
        viewer = sessions.viewer(token) if token else None
        if viewer is None:
            if request.method == "GET" and "/_dash-" not in path:
                target = request.script_root + request.full_path.rstrip("?")
                return redirect(f"{request.script_root}/login?next={quote(target)}")
            return _json(401, "unauthorized", "로그인이 필요합니다. 다시 로그인하세요.")
        roles = allowed_roles(path)
        if roles is not None and viewer.role not in roles:
            log.info("dashboard refused", extra={"login": viewer.login, "role": viewer.role, "path": path})
            if "/_dash-" in path:
                return _json(403, "forbidden", "이 대시보드를 볼 권한이 없습니다.")
            who = f"{html.escape(viewer.name)}님({ROLE_NAMES.get(viewer.role, viewer.role)})"
            return _page(403, "권한 없음", f"<p>{who}은 이 대시보드를 볼 수 없습니다.</p>"
                         + _logout_form(request.script_root))  # fmt: skip
        if request.is_json and nesting_depth_over(request.get_data(cache=True), MAX_JSON_DEPTH):
            return _json(400, "json-too-deep", "요청 본문의 JSON이 너무 깊게 중첩되어 있습니다.")
        g.viewer = viewer
        return None

    @app.route("/")
    def index() -> Response:
        return redirect(request.script_root + home)

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Response:
        target = _safe_next(request.values.get("next", ""), request.script_root) or request.script_root + home
        if request.method == "GET":
            return login_page(target, "")
        if not forms.valid(request.cookies.get(NONCE_COOKIE), request.form.get(FIELD)):
            log.info("dashboard login refused", extra={"code": "csrf-token-invalid"})
            return login_page(target, "로그인 화면이 만료되었거나 올바르지 않은 요청입니다. 다시 로그인하세요.", 403,
                              fresh=True)  # fmt: skip
        name = request.form.get("login", "").strip()
        password = request.form.get("password", "")
        if not name or not password:
            return login_page(target, "아이디와 비밀번호를 입력하세요.", 400)
        try:
            token, expires = sessions.log_in(name, password, request.remote_addr or "unknown")
        except LoginRefused as refused:
            log.info("dashboard login refused", extra={"login": name, "code": refused.code})
            status = 429 if refused.retry_after is not None else 401
            return login_page(target, refused.message, status)
        log.info("dashboard login", extra={"login": name})
        reply: Response = redirect(target)
        reply.set_cookie(COOKIE, token, expires=expires, httponly=True, samesite="Strict", secure=secure(),
                         path=request.script_root or "/")  # fmt: skip
        reply.delete_cookie(NONCE_COOKIE, path=request.script_root or "/", httponly=True, samesite="Strict",
                            secure=secure())  # fmt: skip
        return reply

    @app.route("/logout", methods=["POST"])
    def logout() -> Response:
        token = request.cookies.get(COOKIE)
        if token:
            sessions.log_out(token)
        reply: Response = redirect(f"{request.script_root}/login")
        reply.delete_cookie(COOKIE, path=request.script_root or "/", httponly=True, samesite="Strict", secure=secure())
        return reply

    @app.errorhandler(Forbidden)
    def forbidden(_: Forbidden) -> Response:
        return _json(403, "forbidden", "이 대시보드를 볼 권한이 없습니다.")

    @app.errorhandler(413)
    def too_large(_: Any) -> Response:
        return _json(413, "body-too-large", "요청 본문이 너무 큽니다.")

    return app


def require(roles: frozenset[str]) -> Viewer:
    """The viewer of this request if their role is in ``roles`` (for Dash callbacks); raises ``Forbidden``."""
    viewer: Viewer | None = g.get("viewer")
    if viewer is None:  # the gate always sets it; resolve again rather than trust a missing gate
        sessions: Sessions = current_app.extensions["sori.sessions"]
        token = request.cookies.get(COOKIE)
        viewer = sessions.viewer(token) if token else None
    if viewer is None or viewer.role not in roles:
        raise Forbidden()
    return viewer


def _safe_next(target: str, root: str) -> str | None:
    """Only a path inside the dashboards: never another host (no open redirect)."""
    if not target.startswith(root + "/") or target.startswith("//") or "\\" in target or "//" in target:
        return None
    return target


def _json(status: int, code: str, message: str) -> Response:
    body = json.dumps({"error": code, "message": message}, ensure_ascii=False)
    return Response(body, status=status, content_type="application/json; charset=utf-8")


STYLE = """body { font-family: sans-serif; margin: 0; background: #f4f6f9; color: #222; }
main { max-width: 380px; margin: 10vh auto; background: #fff; padding: 2rem; border-radius: 8px;
       box-shadow: 0 1px 4px rgba(0,0,0,.15); }
h1 { font-size: 1.3rem; margin-top: 0; } label { display: block; margin: .8rem 0 .3rem; }
input { width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }
button { margin-top: 1.2rem; width: 100%; padding: .6rem; font-size: 1rem; background: #2b5797; color: #fff;
         border: 0; border-radius: 4px; } .error { color: #b00020; }"""


def _page(status: int, title: str, body: str) -> Response:
    page = f"""<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8">
<title>{html.escape(title)} · 국민의 소리</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>
<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"""
    return Response(page, status=status, content_type="text/html; charset=utf-8",
                    headers={"cache-control": "no-store", "x-frame-options": "DENY"})  # fmt: skip


def _login_page(target: str, error: str, status: int, csrf_token: str) -> Response:
    message = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    form = f"""<p>국민의 소리 대시보드 · 분석관과 관리자용</p>{message}
<form method="post" action="login"><input type="hidden" name="next" value="{html.escape(target)}">
<input type="hidden" name="{FIELD}" value="{html.escape(csrf_token)}">
<label for="login">아이디</label><input id="login" name="login" autocomplete="username" required autofocus>
<label for="password">비밀번호</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">로그인</button></form>"""
    return _page(status, "로그인", form)


def _logout_form(root: str) -> str:
    return f'<form method="post" action="{html.escape(root)}/logout"><button type="submit">로그아웃</button></form>'
