"""The console's HTML: the login form, the shell page and short message pages, as plain functions of their
inputs. No inline script or style (the Content-Security-Policy forbids both); every asset is under
``/console/static/`` with a content hash in its URL, so browsers may cache it for a year.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from console.csrf import FIELD
from console.ports import Viewer
from console.shell import help_overlay, work_area

ROLE_NAMES = {"agent": "상담사", "supervisor": "관리자", "analyst": "분석관", "admin": "시스템 관리자"}


#: The shell's modules, in load order: the core first (window.Sori), its error words (Sori.ERRORS), then the panels
#: that subscribe to it.
SCRIPTS = (
    "console.js",
    "errors-ko.js",
    "call.js",
    "pop.js",
    "work.js",
    "inbox.js",
    "tools.js",
    "keys.js",
    "message.js",
)


def _document(
    title: str, body: str, assets: dict[str, str], *, script: bool = False, data: dict[str, str] | None = None
) -> str:
    css = escape(assets["console.css"])
    js = "".join(f'<script src="{escape(assets[name])}" defer></script>' for name in SCRIPTS) if script else ""
    attrs = "".join(f' data-{escape(k)}="{escape(v)}"' for k, v in (data or {}).items())
    return f"""<!DOCTYPE html>
<html lang="ko"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · 국민의 소리 상담 콘솔</title>
<link rel="icon" href="{escape(assets["favicon.svg"])}" type="image/svg+xml">
<link rel="stylesheet" href="{css}">{js}</head>
<body{attrs}>{body}</body></html>"""


def login_page(csrf_token: str, error: str, assets: dict[str, str]) -> str:
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = f"""<main class="login"><h1>상담 콘솔 로그인</h1><p>국민의 소리 · 상담사용</p>{alert}
<form method="post" action="/console/login">
<input type="hidden" name="{FIELD}" value="{escape(csrf_token)}">
<label for="login">아이디</label>
<input id="login" name="login" data-testid="login-id" autocomplete="username" required autofocus>
<label for="password">비밀번호</label>
<input id="password" name="password" type="password" data-testid="login-password"
 autocomplete="current-password" required>
<button type="submit" data-testid="login-submit">로그인</button>
</form></main>"""
    return _document("로그인", body, assets)


def shell_page(viewer: Viewer, csrf_token: str, assets: dict[str, str], reasons: Sequence[tuple[str, str]] = ()) -> str:
    """The agent's shell; ``reasons``: the (code, Korean label) 이석 reasons of the agent's center."""
    role = ROLE_NAMES.get(viewer.role, viewer.role)
    options = "".join(f'<option value="{escape(code)}">{escape(label)}</option>' for code, label in reasons)
    body = f"""<header class="bar">
<div class="who"><span class="name" data-testid="agent-name">{escape(viewer.name)}</span>
<span class="role">{escape(role)}</span>
<span class="center" data-testid="agent-center">{escape(viewer.center)}</span></div>
<div class="state">상태 <strong id="agent-state" data-testid="agent-state">로그아웃</strong>
<span id="agent-since" data-testid="agent-since" class="since"></span></div>
<form method="post" action="/console/state" id="state-form" class="state-form">
<input type="hidden" name="{FIELD}" value="{escape(csrf_token)}">
<button type="submit" name="state" value="ready" id="state-ready" data-testid="state-ready"
 aria-keyshortcuts="Alt+R">대기</button>
<label for="not-ready-reason" class="visually-hidden">이석 사유</label>
<select id="not-ready-reason" name="reason" data-testid="not-ready-reason">{options}</select>
<button type="submit" name="state" value="not-ready" id="state-not-ready" data-testid="state-not-ready"
 aria-keyshortcuts="Alt+N">이석</button>
<span id="state-error" class="error" role="alert" data-testid="state-error"></span>
</form>
<button type="button" id="help-open" class="secondary" aria-controls="help" aria-keyshortcuts="?"
 data-testid="help-open">단축키 ?</button>
<div class="link">서버 <span id="connection-status" data-testid="connection-status"
 class="down">연결 확인 중</span></div>
<form method="post" action="/console/logout" class="logout">
<input type="hidden" name="{FIELD}" value="{escape(csrf_token)}">
<button type="submit" data-testid="logout">로그아웃</button></form>
</header>
<main class="work">{work_area()}</main>{help_overlay()}
<div id="announcer" class="visually-hidden" aria-live="polite" role="status"></div>
<div id="call-announcer" class="visually-hidden" aria-live="assertive" role="alert"
 data-testid="call-announcer"></div>"""
    data = {"csrf": csrf_token, "center": viewer.center, "login": viewer.login}
    return _document("상담 콘솔", body, assets, script=True, data=data)


def message_page(title: str, message: str, assets: dict[str, str], *, link: str = "/console/login") -> str:
    body = f"""<main class="login"><h1>{escape(title)}</h1><p class="error" role="alert">{escape(message)}</p>
<p><a href="{escape(link)}">로그인 화면으로</a></p></main>"""
    return _document(title, body, assets)
