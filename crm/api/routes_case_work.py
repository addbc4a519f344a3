"""Routes: what a case gathers after it is opened: contacts, hand-offs to other centers (and their
acceptance), merges of another case, and links to 신문고 complaints."""

from __future__ import annotations

from typing import Any

from crm.api import present
from crm.api import schemas as s
from crm.api.case_params import case_number, case_reply, expected_version
from crm.api.deps import ApiDeps
from crm.api.routes_core import V1
from crm.cases import complaints, contacts
from crm.cases import services as cases
from crm.cases.model import parse_case_number
from crm.store.uow import SqlUnitOfWork
from kernel.http.kit import ApiRequest, Reply, Router


def register(router: Router, deps: ApiDeps) -> None:
    """Contacts, hand-offs, merges and 신문고 links, in the order of the OpenAPI document."""
    register_contacts(router)
    register_handoffs(router, deps)
    register_merges_and_links(router)


def register_contacts(router: Router) -> None:
    """Notes, SMS and 신문고 text added to a case."""

    def add_contact(req: ApiRequest[s.ContactIn], uow: SqlUnitOfWork) -> Reply:
        interaction = contacts.add_contact(
            uow, req.require_actor(), req.now, number=case_number(req), channel=req.body.channel, notes=req.body.notes
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


def register_handoffs(router: Router, deps: ApiDeps) -> None:
    """The same case handed to another center, queue or agent, and accepted there."""

    def hand_off(req: ApiRequest[s.HandoffIn], uow: SqlUnitOfWork) -> Reply:
        b = req.body
        handoff = cases.hand_off(
            uow,
            req.require_actor(),
            req.now,
            deps.calendar,
            deps.policy,
            number=case_number(req),
            to_center=b.to_center,
            to_queue=b.to_queue,
            to_agent_id=b.to_agent_id,
            reason=b.reason,
            summary=b.summary,
            expected_version=expected_version(req, b.expected_version),
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
            uow, req.require_actor(), req.now, number=case_number(req), handoff_id=req.param_int("handoff_id")
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


def register_merges_and_links(router: Router) -> None:
    """Another case merged into this one; a 신문고 complaint linked to it."""

    def merge(req: ApiRequest[s.MergeIn], uow: SqlUnitOfWork) -> Reply:
        parse_case_number(req.body.source_number)
        case = cases.merge_cases(
            uow, req.require_actor(), req.now, target_number=case_number(req), source_number=req.body.source_number
        )
        return case_reply(200, case, uow)

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
        complaint = complaints.link_complaint(
            uow, req.require_actor(), req.now, number=case_number(req), sinmungo_id=req.body.sinmungo_id
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
