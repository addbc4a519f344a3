"""The console's way to the JSON API: ``/console/api/v1/<path>`` runs ``/api/v1/<path>`` in this process as the
session's own agent.

The browser never holds an API token; the console session does (``console.sessions``). A request here is
checked for a live console session first, then — for anything but GET and HEAD — for the session's CSRF token
in the ``X-CSRF-Token`` header; only then is the session's bearer token set on the request and the request
handed to the API's resource, unchanged otherwise. So every rule of the API (role, center, serving scope,
verification, access log, idempotency, body limits) holds in the console exactly as it holds for curl: the
console adds no second copy of any rule, and editing a URL in the browser reaches nothing the agent's token
could not. Logging in and out stays with the console's own forms: ``auth/*`` is not forwarded.

A request counts as the agent's own input (which keeps the session from idling out) only when the page says
so with ``X-Console-Input: 1`` — sent for clicks and keys, not for reads the page makes by itself after a
pushed event.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from twisted.web import resource
from twisted.web.server import Request

from console.sessions import ConsoleSession

API_PREFIX = b"/api/"
CSRF_HEADER = "X-CSRF-Token"
INPUT_HEADER = "X-Console-Input"
SAFE_METHODS = frozenset({"GET", "HEAD"})
NOT_FORWARDED = ("auth", "public")  # the console's own forms log in and out; public routes need no console


def is_input(request: Request) -> bool:
    """Did the agent's own click or key cause this request (rather than the page reacting to a push)?"""
    return (request.getHeader(INPUT_HEADER) or "").strip() == "1"


class ApiProxy:
    """Hands ``/console/api/<rest>`` to ``api`` (the JSON API's resource) as the session's agent."""

    def __init__(self, api: resource.Resource | None) -> None:
        self.api = api

    def render(
        self,
        request: Request,
        parts: list[str],
        session: ConsoleSession | None,
        refuse: Callable[[Request, int, str, str], bytes],
    ) -> bytes | int:
        """``parts``: the path after ``/console/api``; ``session``: the console session of the cookie, if any;
        ``refuse``: writes a JSON refusal (status, code, Korean message)."""
        method = (request.method or b"GET").decode("ascii", "replace")
        if session is None:
            return refuse(request, 401, "unauthorized", "로그인이 만료되었습니다. 다시 로그인하세요.")
        if self.api is None:
            return refuse(request, 503, "api-unavailable", "서버의 업무 기능이 준비되지 않았습니다.")
        if not parts or parts[0] != "v1" or len(parts) < 2 or parts[1] in NOT_FORWARDED:
            return refuse(request, 404, "route-not-found", "콘솔에서 쓸 수 없는 기능입니다.")
        if method not in SAFE_METHODS:
            sent = request.getHeader(CSRF_HEADER) or ""
            if not hmac.compare_digest(sent.encode(), session.csrf.encode()):
                return refuse(request, 403, "csrf-token-invalid", "올바르지 않은 요청입니다. 화면을 새로 고치세요.")
        raw_path = request.path or b""
        rest = raw_path.split(b"/console/api/", 1)[1] if b"/console/api/" in raw_path else b""
        request.path = API_PREFIX + rest
        headers = request.requestHeaders
        headers.setRawHeaders(b"authorization", [f"Bearer {session.api_token}".encode("ascii")])
        headers.removeHeader(b"cookie")  # the API has no use for the console's cookies
        answer: bytes | int = self.api.render(request)
        return answer
