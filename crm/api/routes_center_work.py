"""Routes: a center's work outside one case: its pending callbacks, and the access log its supervisors (or an
admin) read. Its 신문고 complaints are ``crm.api.routes_complaints``."""

from __future__ import annotations

from typing import Any

from crm.api import present
from crm.api import schemas as s
from crm.api.routes_core import CENTER_PARAM, V1
from crm.errors import Forbidden, OtherCenter
from crm.store.uow import SqlUnitOfWork
from kernel.actor import Role
from kernel.http.kit import ApiRequest, QueryParam, Reply, Router
from kernel.http.params import ID_MAX


def register(router: Router) -> None:
    """Callbacks and the access log, in the order of the OpenAPI document."""
    register_callbacks(router)
    register_access_log(router)


def register_callbacks(router: Router) -> None:
    """The center's pending callback tasks."""

    def callbacks(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        actor = req.require_actor()
        center = req.q("center") or actor.center_code
        if center != actor.center_code and actor.role is not Role.ADMIN:
            raise OtherCenter("you can list your own center's callbacks only")
        rows = uow.callbacks.pending(center, None)
        return Reply(200, s.CallbackList(callbacks=[present.callback(c) for c in rows]))

    router.route(
        "GET",
        f"{V1}/callbacks",
        summary="Pending callback tasks of your center, earliest due first",
        tag="callbacks",
        writes=False,
        responses={200: s.CallbackList},
        errors=(401, 403),
        query=(CENTER_PARAM,),
    )(callbacks)


def register_access_log(router: Router) -> None:
    """Who read which citizen's data (supervisors and admins)."""

    def access_log(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        actor = req.require_actor()
        center = None if actor.role is Role.ADMIN else actor.center_code
        if actor.role not in (Role.SUPERVISOR, Role.ADMIN):
            raise Forbidden("supervisors and admins only")
        limit = req.q_int("limit", 100, 1, 500) or 100
        rows = list(
            uow.access_log.query(
                citizen_id=req.q_int("citizen_id", None, 1, 10**18),
                agent_login=req.q("agent"),
                center=center,
                after_id=req.q_int("cursor", None, 1, 10**18),
                limit=limit,
            )
        )
        return Reply(
            200,
            s.AccessLogList(
                entries=[present.access_entry(e) for e in rows], next_cursor=rows[-1].id if len(rows) == limit else None
            ),
        )

    router.route(
        "GET",
        f"{V1}/access-log",
        summary="Who read which citizen's data, when and why (supervisors: their center's agents)",
        tag="audit",
        writes=False,
        responses={200: s.AccessLogList},
        roles=frozenset({Role.SUPERVISOR, Role.ADMIN}),
        errors=(401, 403),
        query=(
            QueryParam.integer("citizen_id", "one citizen", 1, ID_MAX),
            QueryParam.text("agent", "one agent login", 64),
            QueryParam.integer("cursor", "next_cursor of the previous page", 1, ID_MAX),
            QueryParam.integer("limit", "page size", 1, 500, default=100),
        ),
    )(access_log)
