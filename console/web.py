"""The console's twisted.web resource, mounted at ``/console`` on the main HTTP port by the composition root.

Routes: ``GET|POST /console/login``, ``POST /console/logout``, ``GET /console/`` (the shell),
``POST /console/state`` (the agent's own state: ready, not-ready with a reason of their center, logged-out),
``GET /console/static/<file>`` (a fixed allow-list) and ``/console/stream``, handed to the push stream's
resource, which learns who is asking through ``identity`` (a check that is not the agent's input).

The browser holds only a random console session id (cookie ``sori_console``: HttpOnly, SameSite=Strict,
Path=/console, Secure under TLS or when forced); the API token stays on the server (``console.sessions``).
The accounts port may block (argon2, the database), so logins and revocations run in a thread, never on
the reactor. Every answer carries a Content-Security-Policy without inline script or style, and pages are
never cached.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from twisted.internet import threads
from twisted.python.failure import Failure
from twisted.web import resource, server
from twisted.web.server import Request

from console import pages
from console.api_proxy import ApiProxy, is_input
from console.csrf import FIELD, PRE_SESSION_COOKIE, LoginForms
from console.desk_port import AgentDesk
from console.ports import DeskUnavailable, LoginRefused, Sessions, Viewer
from console.reasons import ReasonBook, UnknownReason
from console.sessions import ConsoleSession, ConsoleSessions
from kernel.errors import DomainError, ValidationFailed

log = logging.getLogger("sori.console")
COOKIE = "sori_console"
PATH = "/console"
STATIC_DIR = Path(__file__).parent / "static"
STATIC_TYPES = {
    "console.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
    **{name: "text/javascript; charset=utf-8" for name in pages.SCRIPTS},
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
BAD_FORM = "로그인 화면이 만료되었거나 올바르지 않은 요청입니다. 다시 로그인하세요."
BAD_REQUEST = "올바르지 않은 요청입니다. 화면을 새로 고친 뒤 다시 시도하세요."
STATES = ("ready", "not-ready", "logged-out")
NO_TELEPHONY = "전화 시스템이 동작하지 않아 상태를 바꿀 수 없습니다. 관리자에게 문의하세요."
NOT_AN_AGENT = "전화 상담에 등록되지 않은 계정이라 상태를 바꿀 수 없습니다."
NOT_NOW = "지금 상태에서는 그 상태로 바꿀 수 없습니다. 화면의 상태를 확인하세요."


class ConsoleResource(resource.Resource):
    isLeaf = True

    def __init__(
        self,
        sessions: ConsoleSessions,
        port: Sessions,
        stream: resource.Resource | None = None,
        secure_cookie: bool | Literal["auto"] = "auto",
        *,
        clock: Callable[[], float] = time.time,
        forms: LoginForms | None = None,
        desk: AgentDesk | None = None,
        reasons: ReasonBook | None = None,
        api: resource.Resource | None = None,
    ) -> None:
        """``secure_cookie``: "auto" marks cookies Secure when the request came over TLS (or a proxy says
        ``X-Forwarded-Proto: https``); True or False force it. ``clock``: seconds, for session times.
        ``desk``: agents' states (None: nobody's state can change, 503); ``reasons``: each center's 이석 reasons;
        ``api``: the JSON API's resource, which ``/console/api/`` reaches as the session's agent."""
        super().__init__()  # type: ignore[no-untyped-call]
        self.sessions = sessions
        self.port = port
        self.stream = stream
        self.secure_cookie = secure_cookie
        self.clock = clock
        self.forms = forms or LoginForms()
        self.desk = desk
        self.reasons = reasons or ReasonBook()
        self.proxy = ApiProxy(api)
        self.static = {name: (STATIC_DIR / name).read_bytes() for name in STATIC_TYPES}
        versions = {name: hashlib.sha256(body).hexdigest()[:12] for name, body in self.static.items()}
        self.assets = {name: f"{PATH}/static/{name}?v={version}" for name, version in versions.items()}

    # -- for the stream --------------------------------------------------------------------------------------
    def identity(self, request: Request) -> Viewer | None:
        """The agent behind this request's console cookie; not input, so idle time keeps running."""
        found = self._session(request, input=False)
        return found.viewer if found else None

    def signed_in(self, agent_id: int) -> bool:
        """Has this agent a live console session now (not input)? For the stream's heartbeat (``alive``)."""
        return self.sessions.agent_signed_in(agent_id, self.clock())

    def sweep(self) -> int:
        """End the expired sessions and revoke their API tokens; the composition root runs it every minute
        (``task.LoopingCall(console.sweep).start(60)``) so that a call's end is noticed within that minute."""
        ended = self.sessions.sweep(self.clock())
        self._revoke_ended()
        return ended

    # -- dispatch --------------------------------------------------------------------------------------------
    def render(self, request: Request) -> bytes | int:
        for name, value in SECURITY_HEADERS.items():
            request.setHeader(name, value)
        postpath: list[bytes] = request.postpath or []
        parts = [p.decode("utf-8", "replace") for p in postpath]
        method = (request.method or b"").decode("ascii", "replace")
        try:
            if not parts:
                return self._redirect(request, f"{PATH}/")
            if parts[0] == "stream" and len(parts) == 1 and self.stream is not None:
                request.prepath, request.postpath = [*(request.prepath or []), postpath[0]], postpath[1:]
                answer: bytes | int = resource.getChildForRequest(self.stream, request).render(request)
                return answer
            if parts[0] == "api":
                found = self._session(request, input=is_input(request))
                return self.proxy.render(request, parts[1:], found, self._refuse_json)
            if parts[0] == "static" and len(parts) == 2 and parts[1] in self.static:
                return self._allowed(request, method, ("GET", "HEAD")) or self._asset(request, parts[1])
            if parts == [""]:
                return self._allowed(request, method, ("GET", "HEAD")) or self._shell(request)
            if parts == ["login"]:
                if method == "POST":
                    return self._log_in(request)
                return self._allowed(request, method, ("GET", "HEAD")) or self._login_form(request, "", 200)
            if parts == ["logout"]:
                return self._allowed(request, method, ("POST",)) or self._log_out(request)
            if parts == ["state"]:
                return self._allowed(request, method, ("POST",)) or self._set_state(request)
            return self._page(request, 404, pages.message_page("찾을 수 없음", "없는 화면입니다.", self.assets))
        finally:
            self._revoke_ended()

    # -- pages -----------------------------------------------------------------------------------------------
    def _shell(self, request: Request) -> bytes:
        found = self._session(request, input=True)
        if found is None:
            if request.getCookie(COOKIE.encode()):
                self._clear(request, COOKIE)
            return self._redirect(request, f"{PATH}/login")
        reasons = self.reasons.for_center(found.viewer.center)
        return self._page(request, 200, pages.shell_page(found.viewer, found.csrf, self.assets, reasons))

    def _login_form(self, request: Request, error: str, status: int, *, fresh: bool = False) -> bytes:
        nonce = None if fresh else _cookie(request, PRE_SESSION_COOKIE)
        if not nonce:
            nonce = self.forms.nonce()
            self._set_cookie(request, PRE_SESSION_COOKIE, nonce, int(self.forms.lifetime_s))
        token = self.forms.issue(nonce, self.clock())
        return self._page(request, status, pages.login_page(token, error, self.assets))

    def _log_in(self, request: Request) -> bytes | int:
        if not self.forms.check(_cookie(request, PRE_SESSION_COOKIE), _field(request, FIELD), self.clock()):
            log.info("console login refused", extra={"code": "csrf-token-invalid"})
            return self._login_form(request, BAD_FORM, 403, fresh=True)
        login, password = _field(request, "login").strip(), _field(request, "password")
        if not login or not password:
            return self._login_form(request, "아이디와 비밀번호를 입력하세요.", 400)
        remote = getattr(request.getClientAddress(), "host", "unknown")
        pending = threads.deferToThread(self._grant, login, password, remote)
        pending.addCallback(self._logged_in, request, login)
        pending.addErrback(self._login_failed, request, login)
        pending.addErrback(self._failed, request)
        return server.NOT_DONE_YET

    def _grant(self, login: str, password: str, remote: str) -> tuple[str, Viewer]:
        """In a thread: the accounts' token and the agent behind it; raises ``LoginRefused``."""
        token, _ = self.port.log_in(login, password, remote)
        viewer = self.port.viewer(token)
        if viewer is None:  # the accounts gave a token they do not honour: refuse rather than guess
            raise LoginRefused("unauthorized", "로그인할 수 없습니다. 관리자에게 문의하세요.")
        return token, viewer

    def _logged_in(self, granted: tuple[str, Viewer], request: Request, login: str) -> None:
        token, viewer = granted
        old = _cookie(request, COOKIE)
        if old:  # a login always starts a new session; the browser's previous one ends
            self.sessions.close(old)
        session = self.sessions.open(token, viewer, self.clock())
        log.info("console login", extra={"login": login})
        self._set_cookie(request, COOKIE, session.session_id, int(self.sessions.absolute_s))
        self._clear(request, PRE_SESSION_COOKIE)
        self._finish(request, self._redirect(request, f"{PATH}/"))
        self._revoke_ended()

    def _login_failed(self, failure: Failure, request: Request, login: str) -> None:
        failure.trap(LoginRefused)
        refused = failure.value
        assert isinstance(refused, LoginRefused)
        log.info("console login refused", extra={"login": login, "code": refused.code})
        status = 429 if refused.retry_after is not None else 401
        if refused.retry_after is not None:
            request.setHeader("Retry-After", str(refused.retry_after))
        self._finish(request, self._login_form(request, refused.message, status))

    def _failed(self, failure: Failure, request: Request) -> None:
        log.error("console request failed: %s", failure.getTraceback())
        message = "일시적인 오류입니다. 잠시 뒤에 다시 시도하세요."
        self._finish(request, self._page(request, 500, pages.message_page("오류", message, self.assets)))

    def _log_out(self, request: Request) -> bytes | int:
        found = self._session(request, input=True)
        if found is None:
            self._clear(request, COOKIE)
            return self._redirect(request, f"{PATH}/login")
        if not hmac.compare_digest(_field(request, FIELD).encode(), found.csrf.encode()):
            log.info("console logout refused", extra={"code": "csrf-token-invalid"})
            return self._page(request, 403, pages.message_page("요청 거부", BAD_REQUEST, self.assets, link=f"{PATH}/"))
        self.sessions.close(found.session_id, queue=False)  # revoked below, before the answer
        log.info("console logout", extra={"login": found.viewer.login})
        self._clear(request, COOKIE)
        done = threads.deferToThread(self.port.log_out, found.api_token)
        done.addCallback(lambda _: self._finish(request, self._redirect(request, f"{PATH}/login")))
        done.addErrback(self._failed, request)
        return server.NOT_DONE_YET

    def _set_state(self, request: Request) -> bytes | int:
        """The session's own agent (never a login from the form) goes ready, not-ready or logged-out: input."""
        found = self._session(request, input=True)
        if found is None:
            self._clear(request, COOKIE)
            if _wants_json(request):
                return self._json(request, 401, {"error": "unauthorized", "message": "다시 로그인하세요."})
            return self._redirect(request, f"{PATH}/login")
        if not hmac.compare_digest(_field(request, FIELD).encode(), found.csrf.encode()):
            log.info("console state refused", extra={"code": "csrf-token-invalid"})
            return self._refuse(request, 403, "csrf-token-invalid", BAD_REQUEST)
        viewer, state = found.viewer, _field(request, "state")
        if state not in STATES:
            return self._refuse(request, 422, "validation-failed", "대기, 이석, 로그아웃 중에서 고르세요.")
        reason: str | None = None
        if state == "not-ready":
            try:
                reason = self.reasons.check(viewer.center, _field(request, "reason"))
            except UnknownReason as refused:
                return self._refuse(request, 422, refused.code, refused.message)
        if self.desk is None:
            return self._refuse(request, 503, DeskUnavailable.code, NO_TELEPHONY)
        changed = self.desk.set_state(viewer.login, state, reason)
        changed.addCallback(self._state_set, request, viewer)
        changed.addErrback(self._state_failed, request)
        changed.addErrback(self._failed, request)
        return server.NOT_DONE_YET

    def _state_set(self, view: dict[str, Any], request: Request, viewer: Viewer) -> None:
        log.info("console state", extra={"login": viewer.login, "state": view.get("state")})
        if not _wants_json(request):
            self._finish(request, self._redirect(request, f"{PATH}/"))
            return
        reason = view.get("reason")
        label = self.reasons.label(viewer.center, reason) if isinstance(reason, str) else None
        body = {"state": view.get("state"), "reason": reason, "reason_label": label}
        self._finish(request, self._json(request, 200, body))

    def _state_failed(self, failure: Failure, request: Request) -> None:
        failure.trap(DomainError)
        error = failure.value
        assert isinstance(error, DomainError)
        log.info("console state refused", extra={"code": error.code, "detail": error.message})
        if isinstance(error, DeskUnavailable):
            status, message = 503, NO_TELEPHONY
        elif isinstance(error, ValidationFailed):
            status, message = 422, NOT_AN_AGENT
        else:
            status, message = 409, NOT_NOW
        self._finish(request, self._refuse(request, status, error.code, message))

    def _refuse(self, request: Request, status: int, code: str, message: str) -> bytes:
        if _wants_json(request):
            return self._json(request, status, {"error": code, "message": message})
        return self._page(request, status, pages.message_page("요청 거부", message, self.assets, link=f"{PATH}/"))

    def _refuse_json(self, request: Request, status: int, code: str, message: str) -> bytes:
        return self._json(request, status, {"error": code, "message": message})

    def _asset(self, request: Request, name: str) -> bytes:
        request.setHeader("Content-Type", STATIC_TYPES[name])
        request.setHeader("Cache-Control", "public, max-age=31536000, immutable")
        return self.static[name]

    # -- plumbing --------------------------------------------------------------------------------------------
    def _session(self, request: Request, *, input: bool) -> ConsoleSession | None:
        session_id = _cookie(request, COOKIE)
        return self.sessions.resolve(session_id, self.clock(), input=input) if session_id else None

    def _revoke_ended(self) -> None:
        for token in self.sessions.revocations():
            threads.deferToThread(self.port.log_out, token).addErrback(
                lambda failure: log.warning("console token revocation failed: %s", failure.getErrorMessage())
            )

    def _secure(self, request: Request) -> bool:
        if self.secure_cookie != "auto":
            return bool(self.secure_cookie)
        forwarded = (request.getHeader("X-Forwarded-Proto") or "").split(",")[0].strip().lower()
        return bool(request.isSecure()) or forwarded == "https"

    def _set_cookie(self, request: Request, name: str, value: str, max_age: int) -> None:
        request.addCookie(name, value, path=PATH, max_age=str(max_age), httpOnly=True, sameSite="strict",
                          secure=self._secure(request))  # fmt: skip

    def _clear(self, request: Request, name: str) -> None:
        request.addCookie(name, "", path=PATH, max_age="0", expires="Thu, 01 Jan 1970 00:00:00 GMT",
                          httpOnly=True, sameSite="strict", secure=self._secure(request))  # fmt: skip

    @staticmethod
    def _page(request: Request, status: int, html: str) -> bytes:
        request.setResponseCode(status)
        request.setHeader("Content-Type", "text/html; charset=utf-8")
        request.setHeader("Cache-Control", "no-store")
        return html.encode("utf-8")

    @staticmethod
    def _json(request: Request, status: int, body: dict[str, Any]) -> bytes:
        request.setResponseCode(status)
        request.setHeader("Content-Type", "application/json; charset=utf-8")
        request.setHeader("Cache-Control", "no-store")
        return json.dumps(body, ensure_ascii=False).encode("utf-8")

    @staticmethod
    def _redirect(request: Request, location: str) -> bytes:
        request.setResponseCode(303)
        request.setHeader("Location", location)
        request.setHeader("Cache-Control", "no-store")
        return b""

    @staticmethod
    def _allowed(request: Request, method: str, allowed: tuple[str, ...]) -> bytes | None:
        if method in allowed:
            return None
        request.setResponseCode(405)
        request.setHeader("Allow", ", ".join(allowed))
        request.setHeader("Content-Type", "text/plain; charset=utf-8")
        return "허용되지 않는 요청 방식입니다.".encode()

    @staticmethod
    def _finish(request: Request, body: bytes) -> None:
        if request.finished or getattr(request, "_disconnected", False):
            return
        request.write(body)
        request.finish()


def _cookie(request: Request, name: str) -> str | None:
    value = request.getCookie(name.encode())
    return value.decode("ascii", "replace") if value else None


def _wants_json(request: Request) -> bool:
    return "application/json" in (request.getHeader("Accept") or "")


def _field(request: Request, name: str) -> str:
    values: list[bytes] = (request.args or {}).get(name.encode()) or [b""]
    return values[0].decode("utf-8", "replace")
