"""Routes: the console's screen-pop — of the call ringing at the agent's phone, and of a contact they serve.

``GET /api/v1/agents/me/offer``: while the desk rings the agent's phone (a call it offers them, a server-side
fact from the desk, never a client's claim), the caller masked, the case the call continues, the citizen with
their own center's records in full and other centers' as summaries, and the cases to continue — what an
unverified serving agent sees, access-logged as serving. Nothing while no call rings.

``GET /api/v1/interactions/{id}/screen-pop``: the contact, the caller's number masked, the citizens on record
for the number that called (when the system has not picked one), the chosen citizen with their cases, the
cases offered for continuation, and the timeline across every center — all through :mod:`crm.access.views`,
so the scope is exactly what the access rules give the agent for this contact (other centers' detail only
while serving this caller, and only after evidence-based verification; summaries before that). Each citizen
and case read writes its access-log row, hence a writing route.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from crm.access import views
from crm.access.views import CaseDetailView
from crm.api import present, timeline
from crm.api import schemas as s
from crm.api.deps import ApiDeps, OfferedCaller
from crm.api.routes_core import V1
from crm.api.timeline import TimelineItemOut
from crm.cases import continuity
from crm.cases.model import Interaction
from crm.errors import CaseNotFound, CitizenNotFound, Forbidden, InteractionNotFound
from crm.store.uow import SqlUnitOfWork
from kernel.actor import Actor, Role
from kernel.errors import DomainError
from kernel.http.kit import ApiRequest, QueryParam, Reply, Router

CASES_READ = 10  # the citizen's most recently updated cases whose detail feeds the timeline


class OfferPopOut(s.Out):
    ringing: bool = Field(description="false: no call rings at your phone now (nothing else is given)")
    call_id: str | None = None
    center: str | None = None
    queue: str | None = None
    caller: str | None = Field(None, description="the calling number, masked")
    case_number: str | None = Field(None, description="the case the call continues (the IVR's, or a transfer's)")
    citizen: s.CitizenOut | None = None
    continuable_cases: list[s.OfferOut] = Field(default_factory=list)
    timeline: list[TimelineItemOut] = Field(default_factory=list)


class ContactPopOut(s.Out):
    interaction: s.InteractionOut
    caller: str | None = Field(description="the calling number, masked")
    case_number: str | None = Field(description="the case this contact is attached to, if any")
    citizen: s.CitizenOut | None = Field(description="the contact's citizen, as the access rules allow")
    candidates: list[s.CitizenOut] = Field(
        description="citizens on record for the calling number, when the contact has no citizen yet"
    )
    continuable_cases: list[s.OfferOut] = Field(description="이전 상담 이어서 하기: the citizen's active cases")
    timeline: list[TimelineItemOut]


def _served(uow: SqlUnitOfWork, actor: Actor, interaction_id: int) -> Interaction:
    interaction = uow.interactions.get(interaction_id)
    if interaction is None:
        raise InteractionNotFound("no such interaction")
    own = interaction.agent_id == actor.agent_id
    supervising = actor.role is Role.SUPERVISOR and interaction.center_code == actor.center_code
    if not (own or supervising or actor.role is Role.ADMIN):
        raise Forbidden("this contact is assigned to another agent")
    return interaction


def _known_caller(
    uow: SqlUnitOfWork, req: ApiRequest[Any], deps: ApiDeps, citizen_id: int, verified: bool, limit: int
) -> tuple[s.CitizenOut | None, list[s.OfferOut], list[timeline.TimelineItemOut]]:
    """The contact's citizen as the access rules show them to this reader, their cases to continue, and the
    timeline from their contacts and their most recently updated cases."""
    actor = req.require_actor()
    try:
        view = views.read_citizen(uow, actor, req.now, citizen_id=citizen_id, requested=None, reason=None,
                                  via=req.via, limit=limit)  # fmt: skip
    except CitizenNotFound:
        return None, [], []
    details: list[CaseDetailView] = []
    recent = sorted(view.cases, key=lambda c: c.case.updated_at or c.case.created_at or req.now, reverse=True)
    for case_view in recent[:CASES_READ]:
        try:
            details.append(views.read_case(uow, actor, req.now, number=case_view.case.number, requested=None,
                                           reason=None, via=req.via))  # fmt: skip
        except CaseNotFound:
            continue
    offered = continuity.continuable_cases(uow.cases.for_citizen(citizen_id), req.now, deps.policy)
    offers = [s.OfferOut(number=c.number, status=c.status, owner_center=c.owner_center, category=c.category,
                         updated_at=c.updated_at or req.now) for c in offered]  # fmt: skip
    return present.citizen(view, verified), offers, timeline.build(view.contacts, details, limit=limit)


def _offered(uow: SqlUnitOfWork, req: ApiRequest[Any], deps: ApiDeps, offer: OfferedCaller, limit: int) -> OfferPopOut:
    actor = req.require_actor()
    out = OfferPopOut(ringing=True, call_id=offer.call_id, center=offer.center, queue=offer.queue,
                      caller=offer.caller, case_number=offer.case_number)  # fmt: skip
    if offer.citizen_id is None:
        return out
    view = views.read_offered_citizen(uow, actor, req.now, citizen_id=offer.citizen_id, via=req.via, limit=limit)
    if view is None:
        return out
    details: list[CaseDetailView] = []
    for case_view in view.cases[:CASES_READ]:
        if case_view.detail != "full":
            continue  # another center's case: its contacts show as summaries, its words wait for the answer
        try:
            details.append(views.read_case(uow, actor, req.now, number=case_view.case.number, requested=None,
                                           reason=None, via=req.via))  # fmt: skip
        except (CaseNotFound, DomainError):
            continue
    offered = continuity.continuable_cases(uow.cases.for_citizen(offer.citizen_id), req.now, deps.policy)
    out.citizen = present.citizen(view, False)
    out.continuable_cases = [s.OfferOut(number=c.number, status=c.status, owner_center=c.owner_center,
                                        category=c.category, updated_at=c.updated_at or req.now)
                             for c in offered]  # fmt: skip
    out.timeline = timeline.build(view.contacts, details, limit=limit)
    return out


def register(router: Router, deps: ApiDeps) -> None:
    def offer_pop(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        actor = req.require_actor()
        lookup = deps.offered_caller
        offer = lookup(actor.login) if lookup is not None and actor.login is not None else None
        if offer is None:
            return Reply(200, OfferPopOut(ringing=False))
        return Reply(200, _offered(uow, req, deps, offer, req.q_int("limit", 50, 1, 200) or 50))

    router.route(
        "GET",
        f"{V1}/agents/me/offer",
        summary="The screen-pop while your phone rings: the offered caller (masked), the case the call continues, "
        "their history (your center's in full, others' as summaries) and cases to continue",
        tag="interactions",
        writes=True,  # the citizen read writes its access-log row
        responses={200: OfferPopOut},
        errors=(401, 403),
        query=(QueryParam.integer("limit", "timeline items at most", 1, 200, default=50),),
    )(offer_pop)

    def screen_pop(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        actor = req.require_actor()
        interaction = _served(uow, actor, req.param_int("interaction_id"))
        limit = req.q_int("limit", 50, 1, 200) or 50
        attached = uow.cases.get_by_id(interaction.case_id) if interaction.case_id is not None else None
        citizen: s.CitizenOut | None = None
        candidates: list[s.CitizenOut] = []
        offers: list[s.OfferOut] = []
        items: list[timeline.TimelineItemOut] = []
        if interaction.citizen_id is not None:
            verified = interaction.identity_verified
            citizen, offers, items = _known_caller(uow, req, deps, interaction.citizen_id, verified, limit)
        elif interaction.caller_number:
            found = views.screen_pop(uow, actor, req.now, phone=interaction.caller_number, requested=None,
                                     reason=None, via=req.via, limit=5)  # fmt: skip
            candidates = [present.citizen(v, False) for v in found]
        body = ContactPopOut(
            interaction=present.interaction(interaction),
            caller=interaction.caller_masked,
            case_number=attached.number if attached is not None else None,
            citizen=citizen,
            candidates=candidates,
            continuable_cases=offers,
            timeline=items,
        )
        return Reply(200, body)

    router.route(
        "GET",
        f"{V1}/interactions/{{interaction_id}}/screen-pop",
        summary="The console's screen-pop of your contact: the caller (masked), their citizen or the candidates on "
        "record for the number, cases to continue, and the timeline across centers (as the access rules allow)",
        tag="interactions",
        writes=True,  # every citizen and case read writes its access-log row
        responses={200: ContactPopOut},
        errors=(401, 403, 404),
        query=(QueryParam.integer("limit", "timeline items at most", 1, 200, default=50),),
    )(screen_pop)
