"""The twisted.web resource of GeoReport v2 at ``/open311/v2/<operation>.<json|xml>``.

On the reactor it only matches the path and method, applies the per-address and per-key rate limits (in
memory) and reads the body off the wire. Everything that touches the case store runs on the database thread
pool in one unit of work, in this order: authenticate the API key (403 for an unknown or revoked key, 400 for
none on a POST), then the body's size (413) and its fields (400), then the operation, then the commit. The
catalog's reads (discovery, services, a service's definition) need no database and are answered directly.
A key sent in the body rather than the query can only be found by decoding the body (form or JSON): that
decoding happens first, its fields are looked at only once the key is known; a body too large to read without
a key in the query is 413 before anything else.

Every refusal is the spec's ``[{"code": <HTTP status>, "description": "<Korean>"}]`` in the requested format
(JSON when the suffix itself is unknown) with that HTTP status; an unexpected exception is logged and answered
500 without a traceback. One JSON log line per request, with ids only.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote

from sqlalchemy.exc import IntegrityError, OperationalError
from twisted.internet.interfaces import IReactorFromThreads
from twisted.internet.threads import deferToThreadPool
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool
from twisted.web import resource, server
from twisted.web.server import NOT_DONE_YET

from crm.api.open311 import formats, parse
from crm.api.open311.operations import Operations
from crm.api.open311.refusals import INTERNAL, NOT_FOUND, Refusal, status_of
from crm.open311.keys import key_hash
from crm.store.uow import UnitOfWorkFactory
from kernel.errors import DomainError
from kernel.http.errors import StatusTable

log = logging.getLogger("sori.open311")
PREFIX = "/open311/v2/"
# operation → methods it takes (HEAD is answered as GET, without a body)
METHODS = {
    "discovery": ("GET",),
    "services": ("GET",),
    "service": ("GET",),
    "requests": ("GET", "POST"),
    "request": ("GET",),
    "token": ("GET",),
}
NO_KEY = "api_key가 없습니다. (api_key was not provided)"
TOO_MANY = "요청이 너무 많습니다. Retry-After 초 후에 다시 시도해 주십시오."


class Limiter(Protocol):
    """What the edge needs of ``crm.open311.limits``' token buckets: None, or seconds to wait."""

    def check(self, key: str, now: float) -> float | None: ...


@dataclass(frozen=True)
class Limits:
    per_key: Limiter
    per_address: Limiter
    max_body: int
    monotonic: Callable[[], float] = time.monotonic


@dataclass(frozen=True)
class _Call:
    """One matched request: what the database thread needs to serve it."""

    op: str
    arg: str | None
    fmt: str
    method: str
    query: dict[str, list[str]]
    api_key: str | None
    body: parse.Body | None
    raw: bytes
    content_type: str | None
    too_large: bool
    idempotency_key: str | None
    remote: str
    now: dt.datetime


@dataclass
class _Answer:
    status: int
    root: str
    doc: Any
    headers: dict[str, str]
    app_id: int | None = None
    request_id: str | None = None


class Open311Resource(resource.Resource):
    isLeaf = True

    def __init__(
        self,
        ops: Operations,
        uow_factory: UnitOfWorkFactory,
        pool: ThreadPool,
        reactor: IReactorFromThreads,
        clock: Callable[[], dt.datetime],
        limits: Limits,
        statuses: StatusTable,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.ops = ops
        self.uow_factory = uow_factory
        self.pool = pool
        self.reactor = reactor
        self.clock = clock
        self.limits = limits
        self.statuses = statuses

    # -- on the reactor thread ---------------------------------------------------------------------------
    def render(self, request: server.Request) -> int | bytes:
        started = time.monotonic()
        fmt, op = "json", None
        try:
            op, arg, fmt = _route(request.path or b"/")
            call = self._prepare(request, op, arg, fmt)
            if op in ("discovery", "services", "service"):
                self._write(request, self._catalog(request, call), fmt, op, started)
                return NOT_DONE_YET
        except Refusal as refusal:
            self._write(request, _refused(refusal), fmt, op, started)
            return NOT_DONE_YET
        except DomainError as error:
            self._write(request, self._error(error, False), fmt, op, started)
            return NOT_DONE_YET
        except Exception:
            log.exception("open311 request preparation failed")
            self._write(request, _refused(Refusal(500, INTERNAL)), fmt, op, started)
            return NOT_DONE_YET
        finished = [False]
        request.notifyFinish().addBoth(lambda _: finished.__setitem__(0, True))
        d = deferToThreadPool(self.reactor, self.pool, self._run, call)

        def done(answer: _Answer) -> None:
            if not finished[0]:
                self._write(request, answer, call.fmt, call.op, started)

        def failed(failure: Failure) -> None:
            log.error("open311 unhandled failure", extra={"op": call.op, "traceback": failure.getTraceback()})
            done(_refused(Refusal(500, INTERNAL)))

        d.addCallbacks(done, failed)
        return NOT_DONE_YET

    def _prepare(self, request: server.Request, op: str, arg: str | None, fmt: str) -> _Call:
        method = (request.method or b"GET").decode("ascii", "replace")
        allowed = METHODS[op]
        if method not in allowed and not (method == "HEAD" and "GET" in allowed):
            raise Refusal(405, f"{method} 메서드는 쓸 수 없습니다.", {"allow": ", ".join(allowed)})
        remote = getattr(request.getClientAddress(), "host", "unknown")
        moment = self.limits.monotonic()
        _limit(self.limits.per_address, remote, moment)
        query = parse.query_of(request.uri or b"")
        api_key = parse.one(query, "api_key")
        raw = request.content.read() if request.content is not None and method == "POST" else b""
        too_large = bool(getattr(request, "too_large", False)) or len(raw) > self.limits.max_body
        content_type = _header(request, b"content-type")
        body = None
        if method == "POST" and api_key is None:
            if too_large:  # the key could only be in a body too large to read
                raise Refusal(413, f"요청 본문은 {self.limits.max_body}바이트를 넘을 수 없습니다.")
            body = parse.read_body(raw, content_type)  # only to find the key: validated once the key is known
            api_key = body.get("api_key")
        if api_key is not None:
            _limit(self.limits.per_key, key_hash(api_key), moment)
        return _Call(
            op,
            arg,
            fmt,
            method,
            query,
            api_key,
            body,
            raw,
            content_type,
            too_large,
            _header(request, b"idempotency-key"),
            remote,
            self.clock(),
        )

    def _catalog(self, request: server.Request, call: _Call) -> _Answer:
        jurisdiction = parse.one(call.query, "jurisdiction_id")
        cache = {"cache-control": "public, max-age=300"}
        if call.op == "discovery":
            host = _header(request, b"host") or "localhost"
            scheme = "https" if request.isSecure() else "http"
            doc = formats.discovery_doc(
                f"{scheme}://{host}{PREFIX}", self.ops.changeset, self.ops.contact, self.ops.key_service
            )
            return _Answer(200, "discovery", doc, cache)
        if call.op == "services":
            return _Answer(200, "services", formats.services_doc(self.ops.list_services(jurisdiction)), cache)
        assert call.arg is not None
        service = self.ops.service_definition(call.arg, jurisdiction)
        return _Answer(200, "service_definition", formats.definition_doc(service), cache)

    def _write(self, request: server.Request, answer: _Answer, fmt: str, op: str | None, started: float) -> None:
        request.setResponseCode(answer.status)
        request.setHeader(b"content-type", formats.content_type(fmt).encode())
        headers = {"cache-control": "no-store", **answer.headers}
        for name, value in headers.items():
            request.setHeader(name.encode(), value.encode())
        request.write(formats.render(answer.root, answer.doc, fmt))
        request.finish()
        log.info(
            "open311",
            extra={
                "method": (request.method or b"").decode("ascii", "replace"),
                "op": op,
                "format": fmt,
                "status": answer.status,
                "ms": round((time.monotonic() - started) * 1000, 1),
                "app_id": answer.app_id,
                "service_request_id": answer.request_id,
            },
        )

    def _error(self, error: DomainError, posting: bool) -> _Answer:
        status = status_of(error, posting) or self.statuses.status_of(error)
        if status is None:
            log.error("open311 error code without an HTTP status", extra={"code": error.code})
            return _refused(Refusal(500, INTERNAL))
        headers = {}
        if status == 429:
            headers["retry-after"] = str(max(1, math.ceil(float(error.details.get("retry_after", 1)))))
        if status >= 500:
            return _refused(Refusal(status, INTERNAL, headers))
        return _refused(Refusal(status, error.message, headers))

    # -- on a database thread ----------------------------------------------------------------------------
    def _run(self, call: _Call) -> _Answer:
        try:
            try:
                return self._serve(call)
            except IntegrityError:  # two POSTs of one app_request_id at once: the second finds the first's row
                return self._serve(call)
        except Refusal as refusal:
            return _refused(refusal)
        except DomainError as error:
            return self._error(error, call.method == "POST")
        except OperationalError as exc:
            log.error("open311 database error", extra={"op": call.op, "error": str(exc.orig)[:300]})
            return _refused(
                Refusal(503, "민원 저장소를 잠시 쓸 수 없습니다. 다시 시도해 주십시오.", {"retry-after": "1"})
            )

    def _serve(self, call: _Call) -> _Answer:
        posting = call.method == "POST"
        with self.uow_factory(readonly=not posting) as uow:
            app = self.ops.authenticate(uow, call.api_key)
            app_id = getattr(app, "id", None)
            if posting:
                if app is None:
                    raise Refusal(400, NO_KEY)
                if call.too_large:
                    raise Refusal(413, f"요청 본문은 {self.limits.max_body}바이트를 넘을 수 없습니다.")
                body = call.body or parse.read_body(call.raw, call.content_type)
                result = self.ops.submit(uow, app, parse.submission(body, call.idempotency_key), call.now, call.remote)
                uow.commit()
                request_id = result.service_request_id
                return _Answer(200, "service_requests", formats.submit_doc(result), {}, app_id, request_id)
            if call.op == "token":
                assert call.arg is not None
                state = self.ops.resolve_token(uow, app, call.arg)
                doc = formats.token_doc(state)
                return _Answer(200, "service_requests", doc, {}, app_id, state.service_request_id)
            if call.op == "request":
                assert call.arg is not None
                view = self.ops.get_request(uow, app, call.arg)
                return _Answer(200, "service_requests", formats.requests_doc([view]), {}, app_id, call.arg)
            views = self.ops.find_requests(uow, app, parse.request_query(call.query), call.now)
            return _Answer(200, "service_requests", formats.requests_doc(views), {}, app_id)


def _route(path: bytes) -> tuple[str, str | None, str]:
    """(operation, its path argument, format) of ``/open311/v2/...``; anything else is 404."""
    try:
        text = path.decode("ascii")
    except UnicodeDecodeError:
        raise Refusal(404, NOT_FOUND) from None
    if not text.startswith(PREFIX):
        raise Refusal(404, NOT_FOUND)
    parts = text[len(PREFIX) :].split("/")
    name, dot, fmt = parts[-1].rpartition(".")
    if not dot or fmt not in formats.FORMATS or not name:
        raise Refusal(404, NOT_FOUND)
    try:
        arg = unquote(name, errors="strict") if len(parts) == 2 else None
    except UnicodeDecodeError:
        raise Refusal(404, NOT_FOUND) from None
    if len(parts) == 1 and name in ("discovery", "services", "requests"):
        return name, None, fmt
    if (
        len(parts) == 2
        and arg
        and (op := {"services": "service", "requests": "request", "tokens": "token"}.get(parts[0]))
    ):
        return op, arg, fmt
    raise Refusal(404, NOT_FOUND)


def _limit(limiter: Limiter, key: str, now: float) -> None:
    wait = limiter.check(key, now)
    if wait is not None:
        raise Refusal(429, TOO_MANY, {"retry-after": str(max(1, math.ceil(wait)))})


def _header(request: server.Request, name: bytes) -> str | None:
    value = request.getHeader(name)
    return value.decode("latin-1") if isinstance(value, bytes) else value


def _refused(refusal: Refusal) -> _Answer:
    return _Answer(refusal.status, "errors", formats.errors_doc(refusal.status, refusal.description), refusal.headers)
