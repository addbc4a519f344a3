"""The twisted.web adapter: parse and limit the request, authenticate, run the handler on a database thread.

Nothing here blocks the reactor: authentication, idempotency, the handler and
the commit all happen in one unit of work on the database thread pool.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from twisted.internet.interfaces import IReactorFromThreads
from twisted.internet.threads import deferToThreadPool
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool
from twisted.web import http, resource, server
from twisted.web.http import HTTPChannel
from twisted.web.server import NOT_DONE_YET

from crm.actor import Actor
from crm.api import auth, idempotency
from crm.api.errors import ApiError, error_body, status_of
from crm.api.kit import ApiRequest, Reply, Route, Router
from crm.errors import DomainError
from crm.store.uow import UnitOfWorkFactory

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
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.router = router
        self.uow_factory = uow_factory
        self.pool = pool
        self.reactor = reactor
        self.clock = clock

    def render(self, request: server.Request) -> int | bytes:
        started = time.monotonic()
        try:
            route, prepared = self._prepare(request)
        except DomainError as error:
            self._write(
                request, Reply(status_of(error), error_body(error.code, error.message, error.details)), None, started
            )
            return NOT_DONE_YET
        except Exception:
            log.exception("request preparation failed")
            self._write(request, Reply(500, error_body("internal-error", "internal error")), None, started)
            return NOT_DONE_YET
        finished = [False]
        request.notifyFinish().addBoth(lambda _: finished.__setitem__(0, True))
        d = deferToThreadPool(self.reactor, self.pool, self._run, route, *prepared)

        def done(reply: Reply) -> None:
            if not finished[0]:
                self._write(request, reply, route, started, prepared[0])

        def failed(failure: Failure) -> None:
            log.error("unhandled failure", extra={"route": route.template, "exc_text": failure.getTraceback()})
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
        if getattr(request, "too_large", False):
            limit = getattr(request, "max_body", 0)
            raise ApiError("body-too-large", f"the request body is over the {limit}-byte limit", limit=limit)
        raw = request.content.read() if request.content is not None else b""
        body: BaseModel | None = None
        if route.body is not None:
            body = _parse_body(route.body, raw, request.getHeader(b"content-type"))
        elif raw.strip():
            raise ApiError("validation-failed", "this endpoint takes no request body")
        headers = {
            k.decode("latin-1").lower(): v[-1].decode("latin-1") for k, v in request.requestHeaders.getAllRawHeaders()
        }
        token = None
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            token = authorization[7:].strip() or None
        if route.roles is not None and token is None:
            raise ApiError("unauthorized", "log in first: send 'Authorization: Bearer <token>'")
        key = headers.get("idempotency-key")
        if key is not None and (not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX):
            raise ApiError("validation-failed", f"Idempotency-Key must be 1-{IDEMPOTENCY_KEY_MAX} characters")
        peer = request.getClientAddress()
        remote = getattr(peer, "host", "unknown")
        api_request: ApiRequest[Any] = ApiRequest(
            method=method,
            path=path,
            route=route.template,
            params=params,
            query=query,
            body=body,
            headers=headers,
            actor=None,
            remote=remote,
            now=self.clock(),
            token=token,
        )
        fp = idempotency.fingerprint(method, path, raw) if key and method == "POST" and route.idempotent_post else None
        return route, (api_request, key if fp else None, fp)

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
    def _run(self, route: Route, req: ApiRequest[Any], key: str | None, fp: str | None) -> Reply:
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
                if key is not None and fp is not None and req.actor is not None and req.actor.agent_id is not None:
                    stored = idempotency.lookup(uow.session, req.actor.agent_id, key)
                    if stored is not None:
                        if stored[0] != fp:
                            raise ApiError(
                                "idempotency-key-reused", "this Idempotency-Key was used for a different request"
                            )
                        return Reply(stored[1], stored[2], {"idempotent-replayed": "true"})  # type: ignore[arg-type]
                reply = route.handler(req, uow)
                if key is not None and fp is not None and req.actor is not None and req.actor.agent_id is not None:
                    payload = reply.body.model_dump(mode="json") if isinstance(reply.body, BaseModel) else reply.body
                    idempotency.store(uow.session, req.actor.agent_id, key, fp, reply.status, payload, req.now)
                uow.commit()
                return reply
        except DomainError as error:
            return Reply(status_of(error), error_body(error.code, error.message, error.details))
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


def _parse_body(model: type[BaseModel], raw: bytes, content_type: bytes | None) -> BaseModel:
    if content_type is None or not content_type.split(b";")[0].strip().lower() == b"application/json":
        raise ApiError("unsupported-media-type", "send the body as application/json")
    try:
        decoded = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError("malformed-json", f"the body is not valid JSON: {exc}") from None
    if not isinstance(decoded, dict):
        raise ApiError("malformed-json", "the body must be a JSON object")
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        fields = ", ".join(p["field"] or "(body)" for p in problems)
        raise ApiError("validation-failed", f"invalid field(s): {fields}", errors=problems) from None
