"""Routes: the HTTP edge's own security figures (the failed-login throttle's counters), for admins."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crm.api.deps import ApiDeps
from kernel.actor import Role
from kernel.http.kit import ApiRequest, Reply, Router

V1 = "/api/v1"


class LoginThrottleOut(BaseModel):
    """Counters since the process started, and the keys the throttle holds now (bounded by ``max_keys``)."""

    model_config = ConfigDict(extra="forbid")
    failures: int = Field(description="failed logins")
    refused: int = Field(description="attempts refused by the throttle before any password was checked")
    bursts: int = Field(description="burst alerts written (event login-failure-burst)")
    evicted: int = Field(description="keys dropped, least recently used first, to stay under max_keys")
    keys: int
    max_keys: int


def register(router: Router, deps: ApiDeps) -> None:
    def throttle(req: ApiRequest[Any], uow: Any) -> Reply:
        return Reply(200, LoginThrottleOut(**deps.limiter.stats()))

    router.route(
        "GET",
        f"{V1}/auth/throttle",
        summary="The failed-login throttle's counters (failures, refusals, burst alerts, keys held)",
        tag="auth",
        roles=frozenset({Role.ADMIN}),
        writes=False,
        responses={200: LoginThrottleOut},
        errors=(401, 403),
    )(throttle)
