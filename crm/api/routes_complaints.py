"""Routes: the 신문고 inbox of the agent's center — record a complaint, list the inbox (earliest 처리기한
first), read one (access-logged), claim, release, answer, close, hand off, and identify the complainant of
one recorded without a citizen as the verified caller of the agent's contact.

Only agents and supervisors of the center a complaint is assigned to see it; to anyone else it does not
exist (404 ``complaint-not-found``). Claim, release, answer and close repeated give the same answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from crm.api import present
from crm.api import schemas as s
from crm.api import schemas_complaints as sc
from crm.api.deps import ApiDeps
from crm.api.routes_core import V1
from crm.cases import complaints, inbox
from crm.cases.complaint_records import ComplaintStatus, InboxQuery
from crm.cases.inbox_rules import is_overdue
from crm.errors import ComplaintNotFound
from crm.store.uow import SqlUnitOfWork
from kernel.actor import Role
from kernel.errors import ValidationFailed
from kernel.http.kit import ApiRequest, QueryParam, Reply, Router

WORKERS = frozenset({Role.AGENT, Role.SUPERVISOR})
ACTION_ERRORS = (401, 403, 404, 409, 422)
CURSOR_PATTERN = r"^(n|[0-9]{1,17})-[0-9]{1,18}$"  # make_cursor's keyset: 처리기한 in µs (n: none) - id


def register(router: Router, deps: ApiDeps) -> None:
    """Record, list, read, then the actions, in the order of the OpenAPI document."""
    register_record(router, deps)
    register_reads(router)
    register_actions(router)


def register_record(router: Router, deps: ApiDeps) -> None:
    def record_complaint(req: ApiRequest[s.ComplaintIn], uow: SqlUnitOfWork) -> Reply:
        b = req.body
        complaint = complaints.record_complaint(
            uow,
            req.require_actor(),
            sinmungo_id=b.sinmungo_id,
            received_at=b.received_at,
            title=b.title,
            citizen_id=b.citizen_id,
            assigned_center=b.assigned_center,
            body=b.body,
            masker=deps.complaint_masker,
            calendar=deps.calendar,
            due_days=deps.complaint_due_days,
            now=req.now,
        )
        return Reply(201, present.complaint(complaint))

    router.route(
        "POST",
        f"{V1}/complaints",
        summary="Record a 신문고 complaint for your center to work (idempotent by sinmungo_id; 처리기한 computed)",
        tag="complaints",
        body=s.ComplaintIn,
        responses={201: s.ComplaintOut},
        errors=(401, 403, 404, 409, 422),
    )(record_complaint)


def register_reads(router: Router) -> None:
    def list_inbox(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        actor = req.require_actor()
        if actor.center_code is None:
            raise ComplaintNotFound("민원함이 있는 센터에 속하지 않았습니다.")
        status = req.q_enum("status", ComplaintStatus)
        overdue = req.q("overdue")
        limit = req.q_int("limit", 50, 1, 200) or 50
        query = InboxQuery(
            center=actor.center_code,
            now=req.now,
            statuses=frozenset({status}) if status is not None else frozenset(),
            overdue=None if overdue in (None, "") else overdue == "true",
            after=parse_cursor(req.q("cursor")),
            limit=limit,
        )
        rows = inbox.inbox(uow, actor, query)
        last = rows[-1].complaint if len(rows) == limit else None
        return Reply(200, sc.InboxOut(complaints=[item(r) for r in rows], next_cursor=make_cursor(last)))

    router.route(
        "GET",
        f"{V1}/complaints",
        summary="Your center's 신문고 inbox, earliest 처리기한 first (no text; overdue ones flagged)",
        tag="complaints",
        writes=False,
        roles=WORKERS,
        responses={200: sc.InboxOut},
        errors=(401, 403, 404, 422),
        query=(
            QueryParam.choice("status", "one status", [st.value for st in ComplaintStatus if st.value != "handed-off"]),
            QueryParam.choice("overdue", "true: overdue only; false: not overdue only", ["true", "false"]),
            QueryParam("cursor", "next_cursor of the previous page", {"type": "string", "pattern": CURSOR_PATTERN}),
            QueryParam.integer("limit", "page size", 1, 200, default=50),
        ),
    )(list_inbox)

    def read(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        detail = inbox.read_complaint(uow, req.require_actor(), req.now, req.param_int("id"), req.via)
        return Reply(200, detail_out(detail))

    router.route(
        "GET",
        f"{V1}/complaints/{{id}}",
        summary="One complaint of your center with its text, answer and timeline (the read is access-logged)",
        tag="complaints",
        roles=WORKERS,
        idempotent_post=False,
        responses={200: sc.ComplaintDetailOut},
        errors=(401, 403, 404),
    )(read)


def register_actions(router: Router) -> None:
    def claim(req: ApiRequest[sc.ClaimIn], uow: SqlUnitOfWork) -> Reply:
        inbox.claim(uow, req.require_actor(), req.now, req.param_int("id"), req.body.agent_id)
        return _detail(req, uow)

    def release(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        inbox.release(uow, req.require_actor(), req.now, req.param_int("id"))
        return _detail(req, uow)

    def answer(req: ApiRequest[sc.AnswerIn], uow: SqlUnitOfWork) -> Reply:
        inbox.answer(uow, req.require_actor(), req.now, req.param_int("id"), req.body.answer)
        return _detail(req, uow)

    def close(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        inbox.close(uow, req.require_actor(), req.now, req.param_int("id"))
        return _detail(req, uow)

    def hand_off(req: ApiRequest[sc.ComplaintHandoffIn], uow: SqlUnitOfWork) -> Reply:
        b = req.body
        actor = req.require_actor()
        complaint = inbox.hand_off(uow, actor, req.now, req.param_int("id"), to_center=b.to_center, summary=b.summary)
        # the complaint has left the actor's center: they get its line, no longer its text
        row = inbox.ComplaintRow(complaint, is_overdue(complaint, req.now), None, None)
        return Reply(200, item(row))

    for name, handler, body, summary, reply in (
        ("claim", claim, sc.ClaimIn, "Claim a complaint (supervisors: take over, or claim for an agent)", None),
        ("release", release, None, "Release your claim (supervisors: anyone's)", None),
        ("answer", answer, sc.AnswerIn, "Answer a complaint you claimed (the same answer again: no change)", None),
        ("close", close, None, "Close an answered complaint", None),
        ("handoff", hand_off, sc.ComplaintHandoffIn, "Hand a complaint off to another center with a summary",
         sc.InboxItemOut),
    ):  # fmt: skip
        router.route(
            "POST",
            f"{V1}/complaints/{{id}}/{name}",
            summary=summary,
            tag="complaints",
            roles=WORKERS,
            body=body,
            responses={200: reply or sc.ComplaintDetailOut},
            errors=ACTION_ERRORS,
        )(handler)

    def identify(req: ApiRequest[sc.ComplainantIn], uow: SqlUnitOfWork) -> Reply:
        complaints.identify_complainant(
            uow,
            req.require_actor(),
            req.now,
            complaint_id=req.param_int("id"),
            interaction_id=req.body.interaction_id,
            via=req.via,
        )
        return _detail(req, uow)

    router.route(
        "POST",
        f"{V1}/complaints/{{id}}/complainant",
        summary="The complainant is the caller of your contact, identity verified with evidence on it: the "
        "complaint joins their timeline (and the contact's case)",
        tag="complaints",
        roles=WORKERS,
        body=sc.ComplainantIn,
        responses={200: sc.ComplaintDetailOut},
        errors=ACTION_ERRORS,
    )(identify)


def _detail(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
    detail = inbox.read_complaint(uow, req.require_actor(), req.now, req.param_int("id"), req.via)
    return Reply(200, detail_out(detail))


def item(row: inbox.ComplaintRow) -> sc.InboxItemOut:
    c = row.complaint
    assert c.id is not None
    return sc.InboxItemOut(
        id=c.id,
        sinmungo_id=c.sinmungo_id,
        title=c.title,
        received_at=c.received_at,
        due_at=c.due_at,
        status=c.status,
        overdue=row.overdue,
        claimed_by=row.claimed_by_login,
        case_number=row.case_number,
        assigned_center=c.assigned_center,
        citizen_id=c.citizen_id,
    )


def detail_out(d: inbox.ComplaintDetail) -> sc.ComplaintDetailOut:
    c = d.complaint
    return sc.ComplaintDetailOut(
        **item(d).model_dump(),
        body=d.body,
        answer=d.answer,
        answered_at=c.answered_at,
        closed_at=c.closed_at,
        handed_off_to=c.handed_off_to,
        events=[
            sc.ComplaintEventOut(
                at=e.at, kind=e.kind, actor=e.actor_login, center=e.center_code, to_center=e.to_center, note=e.note
            )
            for e in d.events
        ],
        origin=None if d.origin is None else sc.ComplaintOriginOut(**d.origin._asdict()),
    )


def make_cursor(last: Any) -> str | None:
    """The keyset of the last row: its 처리기한 (microseconds since the epoch; ``n`` if none) and id."""
    if last is None:
        return None
    micros = "n" if last.due_at is None else str(round(last.due_at.timestamp() * 1_000_000))
    return f"{micros}-{last.id}"


def parse_cursor(text: str | None) -> tuple[dt.datetime | None, int] | None:
    if not text:
        return None
    micros, _, ident = text.partition("-")
    valid = (micros == "n" or (micros.isdigit() and len(micros) <= 17)) and ident.isdigit() and len(ident) <= 18
    if not valid:
        raise ValidationFailed("cursor는 이전 페이지의 next_cursor 값이어야 합니다.", parameter="cursor")
    if micros == "n":
        return None, int(ident)
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(micros)), int(ident)
