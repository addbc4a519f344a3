"""Routes: administrators manage Open311 — apps and their API keys, and the requests held for review.

``POST /api/v1/open311/apps`` returns the new key once (the store keeps only its hash); revoking is
idempotent. Held requests (tokens only, no complaint yet) are listed without contact fields; accepting one
records its complaint, rejecting it keeps it out of every read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from crm.api.deps import ApiDeps
from crm.open311 import keys, review
from crm.open311.catalog import load_catalog
from crm.open311.model import App, StoredRequest
from crm.store.uow import SqlUnitOfWork
from kernel.actor import Role
from kernel.errors import Conflict
from kernel.http.kit import ApiRequest, QueryParam, Reply, Router
from kernel.http.models import In, Out

V1 = "/api/v1/open311"
ADMINS = frozenset({Role.ADMIN})
NAME_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"  # (the CLI also takes Korean names and spaces)
TOKEN_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class AppIn(In):
    name: str = Field(min_length=1, max_length=64, pattern=NAME_PATTERN, description="the app's name, unique")


class AppOut(Out):
    name: str
    key_prefix: str = Field(description="the key's first 8 characters (to tell keys apart)")
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None


class AppKeyOut(AppOut):
    api_key: str = Field(description="the key, shown this once only")


class AppsOut(Out):
    apps: list[AppOut]


class HeldOut(Out):
    token: str
    service_code: str
    jurisdiction: str
    center_code: str
    submitted_at: dt.datetime
    held_reason: str | None
    description: str = Field(description="the text as sent (held requests have no masked complaint yet)")


class HeldListOut(Out):
    held: list[HeldOut]


class RejectIn(In):
    reason: str = Field(min_length=1, max_length=500, pattern=r"^[^\u0000]*[^\s\u0000][^\u0000]*$")


class ReviewedOut(Out):
    token: str
    disposition: str
    service_request_id: str | None
    complaint_id: int | None


def app_out(app: App) -> AppOut:
    return AppOut(
        name=app.name,
        key_prefix=app.key_prefix,
        created_at=app.created_at,
        created_by=app.created_by,
        revoked_at=app.revoked_at,
    )


def held_out(request: StoredRequest) -> HeldOut:
    return HeldOut(
        token=request.token,
        service_code=request.service_code,
        jurisdiction=request.jurisdiction,
        center_code=request.center_code,
        submitted_at=request.submitted_at,
        held_reason=request.held_reason,
        description=request.description,
    )


def reviewed_out(request: StoredRequest) -> ReviewedOut:
    request_id = str(request.id) if request.complaint_id is not None else None
    return ReviewedOut(
        token=request.token,
        disposition=str(request.disposition),
        service_request_id=request_id,
        complaint_id=request.complaint_id,
    )


def register(router: Router, deps: ApiDeps) -> None:
    """Apps (create, list, revoke), then held requests (list, accept, reject)."""
    path_params = {
        "name": {"type": "string", "pattern": NAME_PATTERN},
        "token": {"type": "string", "pattern": TOKEN_PATTERN},
    }

    def create(req: ApiRequest[AppIn], uow: SqlUnitOfWork) -> Reply:
        if uow.open311.app_by_name(req.body.name) is not None:
            raise Conflict(f"이미 '{req.body.name}' 앱이 있습니다.", name=req.body.name)
        app, api_key = keys.create_app_key(uow, req.body.name, req.require_actor().login, req.now)
        return Reply(201, AppKeyOut(**app_out(app).model_dump(), api_key=api_key))

    def list_apps(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        return Reply(200, AppsOut(apps=[app_out(a) for a in keys.list_apps(uow)]))

    def revoke(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        return Reply(200, app_out(keys.revoke_app_key(uow, req.params["name"], req.now)))

    def held(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        limit = req.q_int("limit", 100, 1, 500) or 100
        return Reply(200, HeldListOut(held=[held_out(r) for r in review.held_requests(uow, limit)]))

    def accept(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        catalog = load_catalog(uow.centers.list(active_only=True))
        request = review.accept_held(
            uow,
            req.require_actor(),
            req.params["token"],
            req.now,
            catalog=catalog,
            masker=deps.complaint_masker,
            calendar=deps.calendar,
            due_days=deps.complaint_due_days,
        )
        return Reply(200, reviewed_out(request))

    def reject(req: ApiRequest[RejectIn], uow: SqlUnitOfWork) -> Reply:
        request = review.reject_held(uow, req.require_actor(), req.params["token"], req.body.reason, req.now)
        return Reply(200, reviewed_out(request))

    common: dict[str, Any] = {"tag": "open311", "roles": ADMINS, "path_params": path_params}
    router.route(
        "POST",
        f"{V1}/apps",
        summary="Create an Open311 app and its API key (the key is shown once)",
        body=AppIn,
        responses={201: AppKeyOut},
        errors=(401, 403, 409, 422),
        idempotent_post=False,
        **common,
    )(create)
    router.route(
        "GET",
        f"{V1}/apps",
        summary="Open311 apps (key prefixes only)",
        responses={200: AppsOut},
        errors=(401, 403),
        writes=False,
        **common,
    )(list_apps)
    router.route(
        "DELETE",
        f"{V1}/apps/{{name}}",
        summary="Revoke an Open311 app's key (idempotent)",
        responses={200: AppOut},
        errors=(401, 403, 404),
        **common,
    )(revoke)
    router.route(
        "GET",
        f"{V1}/held",
        summary="Open311 requests held for review (oldest first)",
        responses={200: HeldListOut},
        errors=(401, 403),
        writes=False,
        query=(QueryParam.integer("limit", "at most this many", 1, 500, default=100),),
        **common,
    )(held)
    router.route(
        "POST",
        f"{V1}/held/{{token}}/accept",
        summary="Accept a held Open311 request: its complaint is recorded",
        responses={200: ReviewedOut},
        errors=(401, 403, 404, 409),
        idempotent_post=False,
        **common,
    )(accept)
    router.route(
        "POST",
        f"{V1}/held/{{token}}/reject",
        summary="Reject a held Open311 request (never a complaint)",
        body=RejectIn,
        responses={200: ReviewedOut},
        errors=(401, 403, 404, 409, 422),
        idempotent_post=False,
        **common,
    )(reject)
