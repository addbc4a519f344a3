"""The reference service's HTTP edge (twisted.web): one ``Mount`` per played system, each a kernel ``Router``.

Every request is handled in this order, so nothing about a route leaks to a caller without the right key and
bad input never reaches a handler: the mount by path prefix (404), the system's API key in ``X-API-Key`` (401;
compared in constant time), the route (404 / 405), the body's size (413), then the path and query parameters
and the body against the schemas the OpenAPI document states (400 / 415 / 422), and only then the handler.
A handler's ``DomainError`` becomes ``{error, message, details}`` with the status its system's table states;
anything else is logged and answered 500 (a defect the fuzz suite looks for).

Handlers run on the reactor thread with the service's SQLite store: every operation is short, and the store
is one connection used from one thread.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from twisted.web import http, resource, server
from twisted.web.http import HTTPChannel

from integrations.refsvc.system import Mount
from kernel.errors import DomainError
from kernel.http.body import parse_body
from kernel.http.errors import ApiError, StatusTable, error_body
from kernel.http.kit import ApiRequest, Reply

log = logging.getLogger("sori.refsvc")
MAX_BODY = 4 * 1024 * 1024  # an uploaded certificate PDF fits; anything larger is refused unread
API_KEY_HEADER = "x-api-key"


class LimitedRequest(server.Request):
    """Stops buffering a body past ``MAX_BODY`` (answered 413 after the key check, nothing more read)."""

    def __init__(self, channel: HTTPChannel, queued: object = None) -> None:
        super().__init__(channel)  # type: ignore[no-untyped-call]
        self.received = 0
        self.too_large = False

    def gotLength(self, length: int | None) -> None:
        if length is not None and length > MAX_BODY:
            self.too_large = True
            length = 0
        super().gotLength(length)  # type: ignore[no-untyped-call]

    def handleContentChunk(self, data: bytes) -> None:
        self.received += len(data)
        if self.received > MAX_BODY:
            self.too_large = True
            return
        super().handleContentChunk(data)  # type: ignore[no-untyped-call]


class ReferenceResource(resource.Resource):
    isLeaf = True

    def __init__(self, mounts: list[Mount], clock: Callable[[], Any], fallback: StatusTable) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.mounts = sorted(mounts, key=lambda m: -len(m.prefix))
        self.clock = clock
        self.fallback = fallback  # the kernel's codes (the edge's own refusals)

    def render(self, request: server.Request) -> bytes:
        started = time.monotonic()
        mount: Mount | None = None
        try:
            mount, reply = self._handle(request)
        except DomainError as error:
            reply = self._error(error, mount)
        except Exception:
            log.exception("reference service: unhandled error")
            reply = Reply(500, error_body("internal-error", "internal error"))
        request.setResponseCode(reply.status)
        for name, value in reply.headers.items():
            request.setHeader(name.encode("latin-1"), value.encode("latin-1"))
        request.setHeader(b"cache-control", b"no-store")
        body = reply.body
        if isinstance(body, bytes | bytearray):
            if not reply.headers.get("content-type"):
                request.setHeader(b"content-type", b"application/octet-stream")
            out = bytes(body)
        else:
            request.setHeader(b"content-type", b"application/json; charset=utf-8")
            payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
            out = json.dumps(payload, ensure_ascii=False).encode("utf-8") if payload is not None else b""
        log.debug("refsvc", extra={"status": reply.status, "ms": round((time.monotonic() - started) * 1000, 1)})
        return out

    def _error(self, error: DomainError, mount: Mount | None) -> Reply:
        status = mount.statuses.status_of(error) if mount is not None else None
        status = status or self.fallback.status_of(error)
        if status is None:
            log.error("reference service: error code without a status", extra={"code": error.code})
            return Reply(500, error_body("internal-error", "internal error"))
        headers = {"www-authenticate": 'ApiKey header="X-API-Key"'} if status == 401 else {}
        return Reply(status, error_body(error.code, error.message, dict(error.details)), headers)

    def _handle(self, request: server.Request) -> tuple[Mount | None, Reply]:
        method = (request.method or b"GET").decode("ascii", "replace")
        try:
            path = (request.path or b"/").decode("utf-8")
            query = {k.decode("utf-8"): [v.decode("utf-8") for v in vs] for k, vs in (request.args or {}).items()}
        except UnicodeDecodeError:
            raise ApiError("malformed-request", "the request line is not valid UTF-8") from None
        if method == "GET" and path == "/health":
            return None, Reply(200, {"status": "ok"})
        mount = next((m for m in self.mounts if path == m.prefix or path.startswith(m.prefix + "/")), None)
        if mount is None:
            raise ApiError("route-not-found", f"no such endpoint: {method} {path}")
        try:
            return mount, self._dispatch(mount, request, method, path[len(mount.prefix) :] or "/", query)
        except DomainError as error:
            return mount, self._error(error, mount)

    def _dispatch(
        self, mount: Mount, request: server.Request, method: str, path: str, query: dict[str, list[str]]
    ) -> Reply:
        headers = {
            k.decode("latin-1").lower(): v[-1].decode("latin-1") for k, v in request.requestHeaders.getAllRawHeaders()
        }
        given = headers.get(API_KEY_HEADER, "").encode("latin-1")
        if not hmac.compare_digest(given, mount.api_key.encode("latin-1")):
            raise ApiError("unauthorized", "send this system's API key in the X-API-Key header")
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        route, params, allowed = mount.router.match(method, path)
        if route is None:
            if allowed:
                request.setHeader(b"allow", ", ".join(allowed).encode("ascii"))
                raise ApiError("method-not-allowed", f"{method} is not allowed here", allowed=allowed)
            raise ApiError("route-not-found", f"no such endpoint: {method} {path}")
        if getattr(request, "too_large", False):
            raise ApiError("body-too-large", f"the request body is over the {MAX_BODY}-byte limit", limit=MAX_BODY)
        raw = request.content.read() if request.content is not None else b""
        media = mount.raw_bodies.get((route.method, route.template))
        body: Any = None
        if media is not None:
            given_type = headers.get("content-type", "").split(";")[0].strip().lower()
            if given_type != media:
                raise ApiError("unsupported-media-type", f"send the body as {media}")
            body = raw
        elif route.body is not None:
            body = parse_body(route.body, raw, headers.get("content-type"))
        elif raw.strip():
            raise ApiError("validation-failed", "this endpoint takes no request body")
        peer = request.getClientAddress()
        req: ApiRequest[Any] = ApiRequest(
            method=method,
            path=path,
            route=route.template,
            params=params,
            query=query,
            body=body,
            headers=headers,
            actor=None,
            remote=getattr(peer, "host", "?"),
            now=self.clock(),
        )
        reply = route.handler(req, mount.state)
        if not isinstance(reply, Reply):
            raise TypeError(f"{route.template}: reference handlers answer a Reply")
        return reply


class QuietSite(server.Site):
    """No access log: request paths and queries can hold citizens' references."""

    def __init__(self, root: resource.Resource) -> None:
        super().__init__(root, requestFactory=LimitedRequest)  # type: ignore[no-untyped-call]
        self.displayTracebacks = False
        self.noisy = False

    def log(self, request: http.Request) -> None:
        pass
