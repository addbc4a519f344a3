"""A small typed routing kit: routes declare method, path, roles and models; the OpenAPI document is built from them.

Handlers are plain functions that run on a database thread, never on the
reactor thread: ``handler(request, uow) -> Reply``.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from kernel.actor import Actor, Role
from kernel.errors import ValidationFailed
from kernel.http.params import QueryParam, check_parameters, parse_integer, path_schema

__all__ = [
    "ALL_ROLES",
    "STAFF",
    "ApiRequest",
    "BinaryReply",
    "Handler",
    "Later",
    "QueryParam",
    "Reply",
    "Route",
    "Router",
]

ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
B = TypeVar("B", bound=BaseModel)
E = TypeVar("E", bound=enum.Enum)


@dataclass
class Reply:
    status: int
    body: BaseModel | dict[str, Any] | list[Any] | None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class BinaryReply(Reply):
    """A reply of raw bytes (e.g. audio): ``headers`` carry its content-type; no JSON body."""

    content: bytes = b""


@dataclass
class ApiRequest(Generic[B]):
    method: str
    path: str
    route: str  # the route's template, e.g. "/api/v1/cases/{number}" (what the access log records)
    params: dict[str, str]
    query: Mapping[str, list[str]]
    body: B
    headers: Mapping[str, str]
    actor: Actor | None
    remote: str
    now: dt.datetime
    token: str | None = None

    @property
    def via(self) -> str:
        return f"{self.method} {self.route}"

    def require_actor(self) -> Actor:
        assert self.actor is not None, "route declared without auth"
        return self.actor

    def q(self, name: str) -> str | None:
        values = self.query.get(name)
        if not values:
            return None
        if len(values) > 1:
            raise ValidationFailed(f"query parameter '{name}' given more than once", parameter=name)
        return values[0]

    def q_enum(self, name: str, choices: type[E]) -> E | None:
        """An optional query parameter that must be one of an enum's values."""
        text = self.q(name)
        if text is None or text == "":
            return None
        try:
            return choices(text)
        except ValueError:
            allowed = ", ".join(str(c.value) for c in choices)
            raise ValidationFailed(f"{name} must be one of {allowed}", parameter=name) from None

    def param_int(self, name: str) -> int:
        """A path parameter that must be a positive integer (an id)."""
        value = parse_integer(self.params[name])
        if value is None or value < 0:
            raise ValidationFailed(f"{name} must be a positive integer", parameter=name)
        return value

    def q_int(self, name: str, default: int | None, low: int, high: int) -> int | None:
        text = self.q(name)
        if text is None:
            return default
        value = parse_integer(text)
        if value is None:
            raise ValidationFailed(f"query parameter '{name}' must be an integer", parameter=name)
        if not low <= value <= high:
            raise ValidationFailed(f"query parameter '{name}' must be between {low} and {high}", parameter=name)
        return value


@dataclass
class Later:
    """A handler's answer still to come: ``run`` is called on the reactor thread once the handler's unit of work
    has committed and its database thread is free, and returns a ``Reply`` or a Deferred of one.

    For routes whose work waits on something other than the database (the telephony desk): the wait holds no
    database thread, so many such requests at once cannot starve the pool the work itself needs."""

    run: Callable[[], Any]


Handler = Callable[[ApiRequest[Any], Any], "Reply | Later"]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    summary: str
    tag: str
    roles: frozenset[Role] | None = STAFF  # None: no authentication
    body: type[BaseModel] | None = None
    responses: Mapping[int, type[BaseModel] | None] = field(default_factory=dict)
    query: tuple[QueryParam, ...] = ()
    # Path parameters' schemas where the router's default for the name does not fit (every one, once added).
    path_params: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    idempotent_post: bool = True  # honours Idempotency-Key
    writes: bool = True  # False: read-only transaction (no access-log rows written)
    # Who may see this route's answer, checked afresh before the handler *and* before a stored answer is
    # replayed for an Idempotency-Key: a replay never shows what the actor may no longer see.
    guard: Callable[[ApiRequest[Any], Any], None] | None = None
    # The success replies' media type when not JSON (a ``BinaryReply``, e.g. "audio/wav").
    media_type: str = "application/json"

    @property
    def regex(self) -> re.Pattern[str]:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        return re.compile(f"^{pattern}$")


class Router:
    """The routes of one HTTP API; ``path_params`` gives the schema a path parameter takes from its name."""

    def __init__(self, path_params: Mapping[str, dict[str, Any]] | None = None) -> None:
        self.routes: list[Route] = []
        self.path_params = dict(path_params or {})

    def add(self, route: Route) -> None:
        """Register ``route``; its handler runs only once the path and query parameters match their schemas."""
        if any(r.method == route.method and r.template == route.template for r in self.routes):
            raise ValueError(f"duplicate route {route.method} {route.template}")
        names = re.findall(r"\{(\w+)\}", route.template)
        route = replace(route, path_params={n: path_schema(n, route.path_params, self.path_params) for n in names})
        self.routes.append(replace(route, handler=_checking_parameters(route)))

    def route(self, method: str, template: str, **options: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.add(Route(method=method, template=template, handler=handler, **options))
            return handler

        return register

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, str], list[str]]:
        """The route and path parameters; or None and the methods allowed on that path (405 vs 404)."""
        allowed: list[str] = []
        for route in self.routes:
            found = route.regex.match(path)
            if found is None:
                continue
            if route.method == method:
                return route, found.groupdict(), []
            allowed.append(route.method)
        return None, {}, allowed


def _checking_parameters(route: Route) -> Handler:
    """``route``'s handler behind the check of its parameters against the schemas the document states."""
    handler = route.handler

    def checked(req: ApiRequest[Any], uow: Any) -> Reply | Later:
        check_parameters(req.params, req.query, route.path_params, route.query)
        return handler(req, uow)

    return checked
