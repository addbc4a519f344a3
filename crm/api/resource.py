"""The twisted.web adapter: limit the request, authenticate, then validate the body and run the handler.

Nothing here blocks the reactor: authentication, body validation, idempotency, the handler and the commit
all happen in one unit of work on the database thread pool, in that order. The reactor only matches the
route and refuses a request to an authenticated route that carries no bearer token at all; a request whose
token is missing, unknown, expired or revoked gets 401 before anything about its body (size, media type,
JSON, schema) is looked at, so the schema is never revealed to a caller who is not logged in.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from twisted.internet import defer
from twisted.internet.interfaces import IReactorFromThreads
from twisted.internet.threads import deferToThreadPool
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool
from twisted.web import http, resource, server
from twisted.web.http import HTTPChannel
from twisted.web.server import NOT_DONE_YET

from crm.api import auth, idempotency
from crm.store.uow import UnitOfWorkFactory
from kernel.actor import Actor
from kernel.errors import DomainError
from kernel.http.body import parse_body
from kernel.http.errors import ApiError, StatusTable, error_body
from kernel.http.kit import ApiRequest, BinaryReply, Later, Reply, Route, Router

log = logging.getLogger("sori.http")
IDEMPOTENCY_KEY_MAX = 200


class LimitedRequest(server.Request):
    """A request that stops buffering its body past ``max_body`` bytes (answered 413, nothing read)."""

    max_body = 256 * 1024

    def __init__(self, channel: HTTPChannel, queued: object = None) -> None:
        super().__init__(channel)  # type: ignore[no-untyped-call]
        self.received = 0
        self.too_large = False

    def gotLength(self, length: int | None) -> None:
        if length is not None and length > self.max_body:
            self.too_large = True
            length = 0
        super().gotLength(length)  # type: ignore[no-untyped-call]

    def handleContentChunk(self, data: bytes) -> None:
        self.received += len(data)
        if self.received > self.max_body:
            self.too_large = True
            return
        super().handleContentChunk(data)  # type: ignore[no-untyped-call]


class _QuietSite(server.Site):
    """No Combined Log Format lines: ``ApiResource`` writes one JSON line per request itself."""

    def log(self, request: http.Request) -> None:
        pass


def make_site(api: ApiResource, max_body: int) -> server.Site:
    class Request(LimitedRequest):
        pass

    Request.max_body = max_body
    site = _QuietSite(api, requestFactory=Request)  # type: ignore[no-untyped-call]
    site.displayTracebacks = False
    site.noisy = False
    return site


class ApiResource(resource.Resource):
    isLeaf = True

    def __init__(
        self,
        router: Router,
        uow_factory: UnitOfWorkFactory,
        pool: ThreadPool,
        reactor: IReactorFromThreads,
        clock: Callable[[], dt.datetime],
        statuses: StatusTable,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.statuses = statuses
        self.router = router
        self.uow_factory = uow_factory
        self.pool = pool
        self.reactor = reactor
        self.clock = clock

    def _error_reply(self, error: DomainError) -> Reply:
        """A domain error as its JSON reply; a code no package states a status for is a defect: 500, logged."""
        status = self.statuses.status_of(error)
        if status is None:
            log.error("error code without an HTTP status", extra={"code": error.code})
            return Reply(500, error_body("internal-error", "internal error"))
        return Reply(status, error_body(error.code, error.message, error.details))

    def _domain_error_reply(self, failure: Failure) -> Reply:
        """A domain error raised by a ``Later`` on the reactor thread, as its JSON error reply (others pass on)."""
        failure.trap(DomainError)
        error = failure.value
        assert isinstance(error, DomainError)
        return self._error_reply(error)

    def render(self, request: server.Request) -> int | bytes:
        started = time.monotonic()
        try:
            route, prepared = self._prepare(request)
        except DomainError as error:
            self._write(request, self._error_reply(error), None, started)
            return NOT_DONE_YET
        except Exception:
            log.exception("request preparation failed")
            self._write(request, Reply(500, error_body("internal-error", "internal error")), None, started)
            return NOT_DONE_YET
        finished = [False]
        request.notifyFinish().addBoth(lambda _: finished.__setitem__(0, True))
        d = deferToThreadPool(self.reactor, self.pool, self._run, route, *prepared)

        def done(reply: Reply | Later) -> None:
            if isinstance(reply, Later):  # the rest runs on the reactor, holding no database thread
                rest: defer.Deferred[Reply] = defer.maybeDeferred(reply.run)
                rest.addErrback(self._domain_error_reply)
                rest.addCallbacks(done, failed)
                return
            if not finished[0]:
                self._write(request, reply, route, started, prepared[0])

        def failed(failure: Failure) -> None:
            log.error("unhandled failure", extra={"route": route.template, "traceback": failure.getTraceback()})
            done(Reply(500, error_body("internal-error", "internal error")))

        d.addCallbacks(done, failed)
        return NOT_DONE_YET

    # -- on the reactor thread ---------------------------------------------------------------
    def _prepare(self, request: server.Request) -> tuple[Route, tuple[Any, ...]]:
        method = (request.method or b"GET").decode("ascii", "replace")
        try:
            path = (request.path or b"/").decode("utf-8")
            query = {k.decode("utf-8"): [v.decode("utf-8") for v in vs] for k, vs in (request.args or {}).items()}
        except UnicodeDecodeError:
            raise ApiError("malformed-request", "the request line is not valid UTF-8") from None
        if len(path) > 1 and path.endswith("/"):
            path = path[:-1]
        route, params, allowed = self.router.match(method, path)
        if route is None:
            if allowed:
                request.setHeader(b"allow", ", ".join(allowed).encode())
                raise ApiError("method-not-allowed", f"{method} is not allowed here", allowed=allowed)
            raise ApiError("route-not-found", f"no such endpoint: {method} {path}")
        raw = request.content.read() if request.content is not None else b""
        headers = {
            k.decode("latin-1").lower(): v[-1].decode("latin-1") for k, v in request.requestHeaders.getAllRawHeaders()
        }
        token = None
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            token = authorization[7:].strip() or None
        if route.roles is not None and token is None:
            raise ApiError("unauthorized", "log in first: send 'Authorization: Bearer <token>'")
        peer = request.getClientAddress()
        remote = getattr(peer, "host", "unknown")
        api_request: ApiRequest[Any] = ApiRequest(
            method=method,
            path=path,
            route=route.template,
            params=params,
            query=query,
            body=None,
            headers=headers,
            actor=None,
            remote=remote,
            now=self.clock(),
            token=token,
        )
        too_large = bool(getattr(request, "too_large", False))
        incoming = _Incoming(raw, too_large, int(getattr(request, "max_body", 0)), headers.get("idempotency-key"))
        return route, (api_request, incoming)

    def _write(
        self,
        request: server.Request,
        reply: Reply,
        route: Route | None,
        started: float,
        context: ApiRequest[Any] | None = None,
    ) -> None:
        request.setResponseCode(reply.status)
        request.setHeader(b"content-type", b"application/json; charset=utf-8")
        request.setHeader(b"cache-control", b"no-store")
        for name, value in reply.headers.items():
            request.setHeader(name.encode(), value.encode())
        body = reply.body
        if isinstance(body, BaseModel):
            payload: Any = body.model_dump(mode="json")
        else:
            payload = body
        if isinstance(reply, BinaryReply):  # its headers (set above) name its own content-type
            request.write(reply.content)
        else:
            request.write(json.dumps(payload, ensure_ascii=False).encode("utf-8") if payload is not None else b"")
        request.finish()
        log.info(
            "http",
            extra={
                "method": (request.method or b"").decode(),
                "route": route.template if route else None,
                "status": reply.status,
                "ms": round((time.monotonic() - started) * 1000, 1),
                "case_number": context.params.get("number") if context else None,
                "sip_call_id": getattr(context.body, "sip_call_id", None) if context else None,
            },
        )

    # -- on a database thread ----------------------------------------------------------------
    def _run(self, route: Route, req: ApiRequest[Any], incoming: _Incoming) -> Reply | Later:
        key = None
        try:
            with self.uow_factory(readonly=not route.writes) as uow:
                assert uow.session is not None
                if route.roles is not None:
                    agent = auth.resolve_token(uow.session, req.token or "", req.now)
                    if agent is None:
                        raise ApiError("unauthorized", "the token is unknown, expired or revoked")
                    if agent.role not in route.roles:
                        raise ApiError("forbidden", f"role '{agent.role}' may not use this endpoint")
                    req.actor = Actor(
                        center_code=agent.center_code, role=agent.role, login=agent.login, agent_id=agent.id
                    )
                key, fp = _validate(route, req, incoming)
                if route.guard is not None:
                    route.guard(req, uow)
                if key is not None and fp is not None and req.actor is not None and req.actor.agent_id is not None:
                    stored = idempotency.lookup(uow.session, req.actor.agent_id, key)
                    if stored is not None:
                        if stored[0] != fp:
                            raise ApiError(
                                "idempotency-key-reused", "this Idempotency-Key was used for a different request"
                            )
                        return Reply(stored[1], stored[2], {"idempotent-replayed": "true"})  # type: ignore[arg-type]
                reply = route.handler(req, uow)
                if isinstance(reply, Later):
                    uow.commit()
                    return reply
                if key is not None and fp is not None and req.actor is not None and req.actor.agent_id is not None:
                    payload = reply.body.model_dump(mode="json") if isinstance(reply.body, BaseModel) else reply.body
                    idempotency.store(uow.session, req.actor.agent_id, key, fp, reply.status, payload, req.now)
                uow.commit()
                return reply
        except DomainError as error:
            return self._error_reply(error)
        except StaleDataError:
            return Reply(409, error_body("version-conflict", "the record was changed by someone else; read it again"))
        except IntegrityError as exc:
            log.warning("integrity error", extra={"route": route.template, "error": str(exc.orig)[:300]})
            if key is not None and "idempotency_keys" in str(exc.orig):
                return Reply(
                    409,
                    error_body("idempotency-conflict", "a request with this Idempotency-Key is being processed; retry"),
                )
            return Reply(409, error_body("conflict", "the change conflicts with stored data"))
        except OperationalError as exc:
            log.error("database error", extra={"route": route.template, "error": str(exc.orig)[:300]})
            return Reply(
                503,
                error_body("database-unavailable", "the case store is busy or unavailable; retry"),
                {"retry-after": "1"},
            )


@dataclass(frozen=True)
class _Incoming:
    """What the reactor read of a request, checked only once the caller is known."""

    raw: bytes
    too_large: bool
    limit: int
    idempotency_key: str | None


def _validate(route: Route, req: ApiRequest[Any], incoming: _Incoming) -> tuple[str | None, str | None]:
    """Body size, body and Idempotency-Key (after authentication); sets ``req.body``; returns (key, fingerprint)."""
    if incoming.too_large:
        raise ApiError(
            "body-too-large", f"the request body is over the {incoming.limit}-byte limit", limit=incoming.limit
        )
    if route.body is not None:
        req.body = parse_body(route.body, incoming.raw, req.headers.get("content-type"))
    elif incoming.raw.strip():
        raise ApiError("validation-failed", "this endpoint takes no request body")
    key = incoming.idempotency_key
    if key is not None and (not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX):
        raise ApiError("validation-failed", f"Idempotency-Key must be 1-{IDEMPOTENCY_KEY_MAX} characters")
    if key and req.method == "POST" and route.idempotent_post:
        return key, idempotency.fingerprint(req.method, req.path, incoming.raw)
    return None, None
