"""Routes: cases (create, read, list, status, update, contacts, hand-offs, merge, 신문고 links), callbacks,
complaints and the access log."""

from __future__ import annotations

import re
from typing import Any

from crm.access import views
from crm.access.model import Purpose, Scope
from crm.access.policy import AccessDecision
from crm.api import present
from crm.api import schemas as s
from crm.api.deps import ApiDeps
from crm.api.routes_core import CENTER_PARAM, PURPOSE_PARAM, REASON_PARAM, V1
from crm.cases import contacts
from crm.cases import services as cases
from crm.cases.model import Case, parse_case_number
from crm.cases.status import CaseStatus
from crm.errors import Forbidden, OtherCenter
from crm.store.uow import SqlUnitOfWork
from kernel.actor import Role
from kernel.http.errors import ApiError
from kernel.http.kit import ApiRequest, QueryParam, Reply, Router
from kernel.http.params import ID_MAX

IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def _number(req: ApiRequest[Any]) -> str:
    number = req.params["number"]
    parse_case_number(number)
    return number


def _expected(req: ApiRequest[Any], body_version: int | None) -> int | None:
    """``If-Match: "<version>"`` or ``expected_version`` in the body; both must agree when both are sent."""
    header = req.headers.get("if-match")
    if header is None:
        return body_version
    match = IF_MATCH.match(header)
    if match is None:
        raise ApiError("validation-failed", 'If-Match must be the case version in quotes, e.g. "3"')
    version = int(match.group(1))
    if body_version is not None and body_version != version:
        raise ApiError("validation-failed", "If-Match and expected_version disagree")
    return version


def _case_reply(status: int, case: Case, uow: SqlUnitOfWork, headers: dict[str, str] | None = None) -> Reply:
    uow.flush()
    return Reply(status, present.case(case), {"etag": f'"{case.version}"', **(headers or {})})


def register(router: Router, deps: ApiDeps) -> None:
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
        return _case_reply(201, case, uow, {"location": f"{V1}/cases/{case.number}"})

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
            number=_number(req),
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
                contacts=[present.contact(c) for c in view.contacts],
                handoffs=[present.handoff(h) for h in view.handoffs],
                events=[present.event(e) for e in view.events],
                callbacks=[present.callback(c) for c in view.callbacks],
                complaints=complaints,
            ),
            {"etag": f'"{view.case.version}"'},
        )

    router.route(
        "GET",
        f"{V1}/cases/{{number}}",
        summary="A case with its contacts, hand-offs, events, callbacks and 신문고 links (access-logged)",
        tag="cases",
        responses={200: s.CaseDetailOut},
        errors=(400, 401, 403, 404, 422),
        query=(PURPOSE_PARAM, REASON_PARAM),
    )(get_case)

    def update(req: ApiRequest[s.CaseUpdateIn], uow: SqlUnitOfWork) -> Reply:
        case = cases.update_case(
            uow,
            req.require_actor(),
            req.now,
            number=_number(req),
            expected_version=_expected(req, req.body.expected_version),
            category=req.body.category,
            summary=req.body.summary,
        )
        return _case_reply(200, case, uow)

    router.route(
        "PATCH",
        f"{V1}/cases/{{number}}",
        summary="Change category or summary (If-Match honoured)",
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
            number=_number(req),
            target=req.body.status,
            reason=req.body.reason,
            expected_version=_expected(req, req.body.expected_version),
        )
        return _case_reply(200, case, uow)

    router.route(
        "POST",
        f"{V1}/cases/{{number}}/status",
        summary="Change status (legal transitions only; If-Match honoured)",
        tag="cases",
        body=s.StatusIn,
        responses={200: s.CaseOut},
        errors=(401, 403, 404, 409, 422),
    )(status)

    def add_contact(req: ApiRequest[s.ContactIn], uow: SqlUnitOfWork) -> Reply:
        interaction = contacts.add_contact(
            uow, req.require_actor(), req.now, number=_number(req), channel=req.body.channel, notes=req.body.notes
        )
        return Reply(201, present.interaction(interaction))

    router.route(
        "POST",
        f"{V1}/cases/{{number}}/contacts",
        summary="Add a note, SMS or 신문고 text to the case",
        tag="cases",
        body=s.ContactIn,
        responses={201: s.InteractionOut},
        errors=(401, 403, 404, 422),
    )(add_contact)

    def hand_off(req: ApiRequest[s.HandoffIn], uow: SqlUnitOfWork) -> Reply:
        b = req.body
        handoff = cases.hand_off(
            uow,
            req.require_actor(),
            req.now,
            deps.calendar,
            deps.policy,
            number=_number(req),
            to_center=b.to_center,
            to_queue=b.to_queue,
            to_agent_id=b.to_agent_id,
            reason=b.reason,
            summary=b.summary,
            expected_version=_expected(req, b.expected_version),
        )
        return Reply(201, present.handoff(handoff))

    router.route(
        "POST",
        f"{V1}/cases/{{number}}/handoffs",
        summary="Transfer the same case (with a summary) to another center, queue or agent",
        tag="cases",
        body=s.HandoffIn,
        responses={201: s.HandoffOut},
        errors=(401, 403, 404, 409, 422),
    )(hand_off)

    def accept(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        handoff = cases.accept_handoff(
            uow, req.require_actor(), req.now, number=_number(req), handoff_id=req.param_int("handoff_id")
        )
        return Reply(200, present.handoff(handoff))

    router.route(
        "POST",
        f"{V1}/cases/{{number}}/handoffs/{{handoff_id}}/accept",
        summary="Accept a hand-off addressed to your center",
        tag="cases",
        responses={200: s.HandoffOut},
        errors=(401, 403, 404, 409),
    )(accept)

    def merge(req: ApiRequest[s.MergeIn], uow: SqlUnitOfWork) -> Reply:
        parse_case_number(req.body.source_number)
        case = cases.merge_cases(
            uow, req.require_actor(), req.now, target_number=_number(req), source_number=req.body.source_number
        )
        return _case_reply(200, case, uow)

    router.route(
        "POST",
        f"{V1}/cases/{{number}}/merge",
        summary="Merge another case of the same citizen into this one",
        tag="cases",
        body=s.MergeIn,
        responses={200: s.CaseOut},
        errors=(401, 403, 404, 409, 422),
    )(merge)

    def link(req: ApiRequest[s.LinkIn], uow: SqlUnitOfWork) -> Reply:
        complaint = cases.link_complaint(
            uow, req.require_actor(), req.now, number=_number(req), sinmungo_id=req.body.sinmungo_id
        )
        return Reply(200, present.complaint(complaint, req.params["number"]))

    router.route(
        "POST",
        f"{V1}/cases/{{number}}/complaints",
        summary="Link a 신문고 complaint of the same citizen",
        tag="cases",
        body=s.LinkIn,
        responses={200: s.ComplaintOut},
        errors=(401, 403, 404, 409, 422),
    )(link)

    def record_complaint(req: ApiRequest[s.ComplaintIn], uow: SqlUnitOfWork) -> Reply:
        b = req.body
        complaint = cases.record_complaint(
            uow,
            req.require_actor(),
            sinmungo_id=b.sinmungo_id,
            received_at=b.received_at,
            title=b.title,
            citizen_id=b.citizen_id,
            assigned_center=b.assigned_center,
        )
        return Reply(201, present.complaint(complaint))

    router.route(
        "POST",
        f"{V1}/complaints",
        summary="Record a 신문고 complaint for your center to work (idempotent by sinmungo_id)",
        tag="complaints",
        body=s.ComplaintIn,
        responses={201: s.ComplaintOut},
        errors=(401, 403, 404, 409, 422),
    )(record_complaint)

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
