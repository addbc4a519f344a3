"""Routes: health, OpenAPI, login/logout, centers and agents."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from crm.access.model import Purpose
from crm.api import auth, present
from crm.api import schemas as s
from crm.api.deps import ApiDeps
from crm.errors import CenterNotFound, OtherCenter
from crm.store.uow import SqlUnitOfWork
from kernel.actor import Role
from kernel.http.errors import ApiError, error_body
from kernel.http.kit import ALL_ROLES, ApiRequest, QueryParam, Reply, Router

V1 = "/api/v1"
PURPOSE_PARAM = QueryParam.choice(
    "purpose", "why you read this citizen's data (serving is checked, never trusted)", [p.value for p in Purpose]
)
REASON_PARAM = QueryParam.text(
    "reason", "stated reason (at least 4 characters), required when you are not serving this citizen", 500
)
CENTER_PARAM = QueryParam.text("center", "center code (admins only for other centers)", 20)


def register(router: Router, deps: ApiDeps) -> None:
    def healthz(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        assert uow.session is not None
        try:
            revision = uow.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:
            return Reply(503, s.HealthOut(status="degraded", database="unavailable", schema_revision=None))
        return Reply(200, s.HealthOut(status="ok", database="ok", schema_revision=revision))

    router.route(
        "GET",
        "/healthz",
        summary="Liveness and database check",
        tag="system",
        roles=None,
        writes=False,
        responses={200: s.HealthOut, 503: s.HealthOut},
    )(healthz)

    def openapi(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        return Reply(200, deps.openapi())

    router.route(
        "GET",
        "/openapi.json",
        summary="This API's OpenAPI 3.1 document",
        tag="system",
        roles=None,
        writes=False,
        responses={200: None},
    )(openapi)

    def login(req: ApiRequest[s.LoginIn], uow: SqlUnitOfWork) -> Reply:
        body = req.body
        try:
            granted = auth.log_in(uow, deps.limiter, body.login, body.password, req.remote, req.now, deps.token_hours)
        except auth.LoginRateLimited as limited:
            wait = limited.details["retry_after"]
            return Reply(429, error_body(limited.code, limited.message, limited.details), {"retry-after": str(wait)})
        except auth.WrongCredentials as wrong:
            raise ApiError("unauthorized", wrong.message) from None
        agent = granted.agent
        return Reply(200, s.LoginOut(token=granted.token, expires_at=granted.expires_at, agent=present.agent(agent)))

    router.route(
        "POST",
        f"{V1}/auth/login",
        summary="Log in; returns a bearer token valid for 8 hours",
        tag="auth",
        roles=None,
        body=s.LoginIn,
        idempotent_post=False,
        responses={200: s.LoginOut},
        errors=(401, 422, 429),
    )(login)

    def logout(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        assert uow.session is not None
        auth.revoke_token(uow.session, req.token or "", req.now)
        return Reply(204, None)

    router.route(
        "POST",
        f"{V1}/auth/logout",
        summary="Revoke the current token",
        tag="auth",
        roles=ALL_ROLES,
        idempotent_post=False,
        responses={204: None},
        errors=(401,),
    )(logout)

    def me(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        actor = req.require_actor()
        agent = uow.agents.get(actor.agent_id or 0)
        assert agent is not None
        return Reply(200, present.agent(agent))

    router.route(
        "GET",
        f"{V1}/me",
        summary="The logged-in agent",
        tag="auth",
        roles=ALL_ROLES,
        writes=False,
        responses={200: s.AgentOut},
        errors=(401,),
    )(me)

    def transcription(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        counts = uow.transcription_jobs.counts()
        oldest = uow.transcription_jobs.oldest_pending()
        age = round((req.now - oldest).total_seconds(), 1) if oldest is not None else None
        return Reply(200, s.TranscriptionBacklogOut(**{str(k): v for k, v in counts.items()}, oldest_pending_s=age))

    router.route(
        "GET",
        f"{V1}/analytics/transcription",
        summary="Post-call transcription backlog (jobs by state)",
        tag="analytics",
        roles=frozenset({Role.SUPERVISOR, Role.ANALYST, Role.ADMIN}),
        writes=False,
        responses={200: s.TranscriptionBacklogOut},
        errors=(401, 403),
    )(transcription)

    def centers(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        active = req.q("active")
        if active not in (None, "true", "false"):
            raise ApiError("validation-failed", "active must be true or false")
        rows = uow.centers.list(active_only=active == "true")
        if active == "false":
            rows = [c for c in rows if not c.active]
        return Reply(
            200, s.CenterList(centers=[present.center(c, c.weekly_hours.is_open(req.now, deps.calendar)) for c in rows])
        )

    router.route(
        "GET",
        f"{V1}/centers",
        summary="All centers (156), with whether each is open now",
        tag="centers",
        roles=ALL_ROLES,
        writes=False,
        responses={200: s.CenterList},
        query=(QueryParam.choice("active", "true or false", ["true", "false"]),),
        errors=(401,),
    )(centers)

    def center(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        found = uow.centers.get(req.params["code"])
        if found is None:
            raise CenterNotFound(f"no center {req.params['code']}", center=req.params["code"])
        return Reply(200, present.center(found, found.weekly_hours.is_open(req.now, deps.calendar)))

    router.route(
        "GET",
        f"{V1}/centers/{{code}}",
        summary="One center",
        tag="centers",
        roles=ALL_ROLES,
        writes=False,
        responses={200: s.CenterOut},
        errors=(401, 404),
    )(center)

    def agents(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        # The staff list (logins are half of a credential) is shown per center: admins see any.
        actor = req.require_actor()
        center = req.q("center") or actor.center_code
        if center != actor.center_code and actor.role is not Role.ADMIN:
            raise OtherCenter("you can list your own center's agents only")
        rows = uow.agents.list(center)
        return Reply(200, s.AgentList(agents=[present.agent(a) for a in rows]))

    router.route(
        "GET",
        f"{V1}/agents",
        summary="Agents of your center (admins: of any center)",
        tag="agents",
        roles=ALL_ROLES,
        writes=False,
        responses={200: s.AgentList},
        query=(CENTER_PARAM,),
        errors=(401, 403),
    )(agents)
