"""Routes: cases themselves (open, list, read, update, change status). What a case gathers (contacts,
hand-offs, merges, 신문고 links) is ``crm.api.routes_case_work``; the center's other lists (complaints to work,
callbacks, the access log) are ``crm.api.routes_center_work``."""

from __future__ import annotations

from typing import Any

from crm.access import views
from crm.access.model import Purpose, Scope
from crm.access.policy import AccessDecision
from crm.api import present, routes_case_assist, routes_case_work, routes_center_work, routes_recordings
from crm.api import schemas as s
from crm.api.case_params import case_number, case_reply, expected_version
from crm.api.category_choices import record_category_choice
from crm.api.deps import ApiDeps
from crm.api.routes_core import CENTER_PARAM, PURPOSE_PARAM, REASON_PARAM, V1
from crm.cases import services as cases
from crm.cases.status import CaseStatus
from crm.cases.wrap_up_codes import WrapUpCodeBook
from crm.errors import OtherCenter
from crm.store.uow import SqlUnitOfWork
from kernel.actor import Role
from kernel.http.errors import ApiError
from kernel.http.kit import ApiRequest, QueryParam, Reply, Router
from kernel.http.params import ID_MAX


def register(router: Router, deps: ApiDeps) -> None:
    """Every case, complaint, callback and access-log route, in the order of the OpenAPI document."""
    register_cases(router, deps.wrap_up_codes)
    register_case_updates(router)
    routes_case_work.register(router, deps)
    routes_case_assist.register(router, deps)
    routes_recordings.register(router, deps)
    routes_center_work.register(router)


def register_cases(router: Router, codes: WrapUpCodeBook | None = None) -> None:
    """Open, list and read cases."""

    def create(req: ApiRequest[s.CaseIn], uow: SqlUnitOfWork) -> Reply:
        actor = req.require_actor()
        b = req.body
        center = b.center_code or actor.center_code
        if center is None:
            raise ApiError("validation-failed", "center_code is required")
        case = cases.open_case(
            uow,
            actor,
            req.now,
            citizen_id=b.citizen_id,
            center_code=center,
            channel=b.channel,
            category=b.category,
            summary=b.summary,
            interaction_id=b.interaction_id,
        )
        return case_reply(201, case, uow, {"location": f"{V1}/cases/{case.number}"})

    router.route(
        "POST",
        f"{V1}/cases",
        summary="Open a case (number YYYY-CENTER-SEQUENCE)",
        tag="cases",
        body=s.CaseIn,
        responses={201: s.CaseOut},
        errors=(401, 403, 404, 409, 422),
    )(create)

    def list_cases(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        actor = req.require_actor()
        center = req.q("center") or actor.center_code
        if center != actor.center_code and actor.role is not Role.ADMIN:
            raise OtherCenter("you can list your own center's cases only")
        status = req.q_enum("status", CaseStatus)
        limit = req.q_int("limit", 50, 1, 200) or 50
        rows = list(
            uow.cases.list(
                center_code=center,
                status=status,
                citizen_id=req.q_int("citizen_id", None, 1, 10**18),
                after_id=req.q_int("cursor", None, 1, 10**18),
                limit=limit,
            )
        )
        decision = AccessDecision(Purpose.WORKLIST, Scope.OWN_CENTER, None, None)
        views.log_list_read(uow, actor, req.now, rows, decision, req.via)
        out = [present.case_summary(views.CaseView(c, "full")) for c in rows]
        cursor = rows[-1].id if len(rows) == limit else None
        return Reply(200, s.CaseListOut(cases=out, next_cursor=cursor))

    router.route(
        "GET",
        f"{V1}/cases",
        summary="Your center's cases, newest first (each row access-logged)",
        tag="cases",
        responses={200: s.CaseListOut},
        errors=(400, 401, 403, 422),
        query=(
            QueryParam.choice("status", "case status", [x.value for x in CaseStatus]),
            CENTER_PARAM,
            QueryParam.integer("citizen_id", "only this citizen's cases", 1, ID_MAX),
            QueryParam.integer("cursor", "next_cursor of the previous page", 1, ID_MAX),
            QueryParam.integer("limit", "page size", 1, 200, default=50),
        ),
    )(list_cases)

    def get_case(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        purpose = req.q_enum("purpose", Purpose)
        view = views.read_case(
            uow,
            req.require_actor(),
            req.now,
            number=case_number(req),
            requested=purpose,
            reason=req.q("reason"),
            via=req.via,
        )
        complaints = [present.complaint(c, view.case.number) for c in view.complaints]
        return Reply(
            200,
            s.CaseDetailOut(
                case=present.case(view.case),
                access=present.access(view.decision),
                contacts=[present.contact(c, codes) for c in view.contacts],
                handoffs=[present.handoff(h) for h in view.handoffs],
                events=[present.event(e) for e in view.events],
                callbacks=[present.callback(c) for c in view.callbacks],
                complaints=complaints,
                tool_uses=[present.tool_use(u) for u in view.tool_uses],
            ),
            {"etag": f'"{view.case.version}"'},
        )

    router.route(
        "GET",
        f"{V1}/cases/{{number}}",
        summary="A case with its contacts, hand-offs, events, callbacks, 신문고 links and tool uses (access-logged)",
        tag="cases",
        responses={200: s.CaseDetailOut},
        errors=(400, 401, 403, 404, 422),
        query=(PURPOSE_PARAM, REASON_PARAM),
    )(get_case)


def register_case_updates(router: Router) -> None:
    """Change a case's category, summary or status (optimistic: ``If-Match``)."""

    def update(req: ApiRequest[s.CaseUpdateIn], uow: SqlUnitOfWork) -> Reply:
        actor = req.require_actor()
        case = cases.update_case(
            uow,
            actor,
            req.now,
            number=case_number(req),
            expected_version=expected_version(req, req.body.expected_version),
            category=req.body.category,
            summary=req.body.summary,
        )
        if req.body.suggestions is not None:  # the classifier's suggestions were shown: keep the choice
            record_category_choice(uow, actor, req.now, case, req.body.category, req.body.suggestions)
        return case_reply(200, case, uow)

    router.route(
        "PATCH",
        f"{V1}/cases/{{number}}",
        summary="Change category or summary (If-Match honoured); with the suggestions shown, the choice is recorded",
        tag="cases",
        body=s.CaseUpdateIn,
        responses={200: s.CaseOut},
        errors=(401, 403, 404, 409, 422),
    )(update)

    def status(req: ApiRequest[s.StatusIn], uow: SqlUnitOfWork) -> Reply:
        case = cases.change_status(
            uow,
            req.require_actor(),
            req.now,
            number=case_number(req),
            target=req.body.status,
            reason=req.body.reason,
            expected_version=expected_version(req, req.body.expected_version),
        )
        return case_reply(200, case, uow)

    router.route(
        "POST",
        f"{V1}/cases/{{number}}/status",
        summary="Change status (legal transitions only; If-Match honoured)",
        tag="cases",
        body=s.StatusIn,
        responses={200: s.CaseOut},
        errors=(401, 403, 404, 409, 422),
    )(status)
