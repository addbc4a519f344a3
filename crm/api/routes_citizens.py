"""Routes: screen-pop, citizens, and the contacts (interactions) an agent works on."""

from __future__ import annotations

from typing import Any

from crm.access import identity, serving, views
from crm.access.model import Purpose
from crm.api import guards, present, routes_identity
from crm.api import schemas as s
from crm.api.deps import ApiDeps
from crm.api.fields import PHONE_PATTERN
from crm.api.routes_core import PURPOSE_PARAM, REASON_PARAM, V1
from crm.cases import contacts, continuity
from crm.cases import services as cases
from crm.cases.model import Interaction
from crm.citizens import services as citizens
from crm.citizens.phone import normalize_phone
from crm.citizens.rrn import protect_resident_number
from crm.errors import Forbidden, IdentityCheckLocked, InteractionNotFound
from crm.store.uow import SqlUnitOfWork
from kernel.actor import Role
from kernel.http.errors import ApiError
from kernel.http.kit import ApiRequest, QueryParam, Reply, Router


def _verified(uow: SqlUnitOfWork, interaction_id: int | None) -> bool:
    if interaction_id is None:
        return False
    interaction = uow.interactions.get(interaction_id)
    return interaction is not None and interaction.identity_verified


def register(router: Router, deps: ApiDeps) -> None:
    def screen_pop(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        actor = req.require_actor()
        phone = req.q("phone")
        if phone is None:
            raise ApiError("validation-failed", "give the caller's number: ?phone=010-1234-5678")
        found = views.screen_pop(
            uow,
            actor,
            req.now,
            phone=phone,
            requested=req.q_enum("purpose", Purpose),
            reason=req.q("reason"),
            via=req.via,
            limit=req.q_int("limit", 20, 1, 100) or 20,
        )
        out = [present.citizen(v, _verified(uow, v.decision.interaction_id)) for v in found]
        return Reply(200, s.ScreenPopOut(phone=normalize_phone(phone).masked, citizens=out))

    router.route(
        "GET",
        f"{V1}/citizens",
        summary="Screen-pop: citizens on record for a calling number, with "
        "their last contacts across all centers (as the access rules allow)",
        tag="citizens",
        responses={200: s.ScreenPopOut},
        errors=(400, 401, 403, 422),
        query=(
            QueryParam(
                "phone",
                "the caller's number (010-1234-5678, 02-123-4567, …; other Korean written forms are taken too)",
                {"type": "string", "pattern": PHONE_PATTERN},
                required=True,
                checked=False,  # normalize_phone is the check (invalid-phone-number)
            ),
            PURPOSE_PARAM,
            REASON_PARAM,
            QueryParam.integer("limit", "contacts per citizen", 1, 100, default=20),
        ),
    )(screen_pop)

    def create_citizen(req: ApiRequest[s.CitizenIn], uow: SqlUnitOfWork) -> Reply:
        b, actor = req.body, req.require_actor()
        if b.interaction_id is None:  # an admin's data entry (guards.registering)
            citizen = citizens.register_citizen(
                uow,
                actor,
                req.now,
                deps.rrn_key,
                name=b.name,
                phones=b.phones,
                resident_number=b.resident_number,
                birth_year=b.birth_year,
                sex=b.sex,
                region_sido=b.region_sido,
                region_sigungu=b.region_sigungu,
            )
        else:
            try:
                citizen = identity.register_on_contact(
                    uow,
                    actor,
                    req.now,
                    deps.rrn_key,
                    deps.guess_limits,
                    interaction_id=b.interaction_id,
                    name=b.name,
                    phones=b.phones,
                    resident_number=b.resident_number,
                    birth_year=b.birth_year,
                    sex=b.sex,
                    region_sido=b.region_sido,
                    region_sigungu=b.region_sigungu,
                )
            except IdentityCheckLocked as error:
                return routes_identity.locked_reply(uow, error)
        assert citizen.id is not None
        # The same answer whether the 주민등록번호 was new or on record: the numbers given, masked.
        phones = [normalize_phone(p).masked for p in b.phones]
        masked = protect_resident_number(b.resident_number, deps.rrn_key).masked if b.resident_number else None
        return Reply(
            201,
            s.CitizenCreatedOut(id=citizen.id, resident_number_masked=masked, phones=phones),
            {"location": f"{V1}/citizens/{citizen.id}"},
        )

    router.route(
        "POST",
        f"{V1}/citizens",
        summary="Register the caller of a contact you serve (주민등록번호 kept hashed and masked only); "
        "a 주민등록번호 on record links that citizen, verified",
        tag="citizens",
        body=s.CitizenIn,
        responses={201: s.CitizenCreatedOut},
        errors=(401, 403, 404, 409, 422, 429),
        guard=guards.registering,
    )(create_citizen)

    def get_citizen(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        view = views.read_citizen(
            uow,
            req.require_actor(),
            req.now,
            citizen_id=req.param_int("citizen_id"),
            requested=req.q_enum("purpose", Purpose),
            reason=req.q("reason"),
            via=req.via,
            limit=req.q_int("limit", 20, 1, 100) or 20,
        )
        return Reply(200, present.citizen(view, _verified(uow, view.decision.interaction_id)))

    router.route(
        "GET",
        f"{V1}/citizens/{{citizen_id}}",
        summary="One citizen with their history, as the access rules allow",
        tag="citizens",
        responses={200: s.CitizenOut},
        errors=(400, 401, 403, 404),
        query=(
            PURPOSE_PARAM,
            REASON_PARAM,
            QueryParam.integer("limit", "contacts to return", 1, 100, default=20),
        ),
    )(get_citizen)

    def consents(req: ApiRequest[s.ConsentIn], uow: SqlUnitOfWork) -> Reply:
        actor = req.require_actor()
        citizen_id = req.param_int("citizen_id")
        citizens.record_consent(
            uow,
            req.now,
            citizen_id=citizen_id,
            recording=req.body.recording,
            eligibility_check=req.body.eligibility_check,
        )
        view = views.read_citizen(uow, actor, req.now, citizen_id=citizen_id, requested=None, reason=None, via=req.via)
        return Reply(200, present.citizen(view, _verified(uow, view.decision.interaction_id)))

    router.route(
        "POST",
        f"{V1}/citizens/{{citizen_id}}/consents",
        summary="Record consents given on this contact",
        tag="citizens",
        body=s.ConsentIn,
        responses={200: s.CitizenOut},
        errors=(401, 403, 404, 422),
        guard=guards.serving_citizen,
    )(consents)

    # -- interactions --------------------------------------------------------------------
    def start(req: ApiRequest[s.InteractionStartIn], uow: SqlUnitOfWork) -> Reply:
        b, actor = req.body, req.require_actor()
        if (b.attestation_id is None) == (b.sinmungo_id is None):
            raise ApiError("validation-failed", "name exactly one source: attestation_id or sinmungo_id")
        if b.attestation_id is not None:
            interaction = serving.start_attested(uow, actor, req.now, attestation_id=b.attestation_id)
        else:
            assert b.sinmungo_id is not None
            interaction = serving.start_complaint_contact(uow, actor, req.now, sinmungo_id=b.sinmungo_id)
        chosen = interaction.citizen_id
        offered = continuity.continuable_cases(uow.cases.for_citizen(chosen), req.now, deps.policy) if chosen else []
        offers = [
            s.OfferOut(
                number=c.number,
                status=c.status,
                owner_center=c.owner_center,
                category=c.category,
                updated_at=c.updated_at or req.now,
            )
            for c in offered
        ]
        return Reply(
            201,
            s.InteractionStartedOut(
                interaction=present.interaction(interaction),
                citizen_candidates=[chosen] if chosen else [],
                continuable_cases=offers,
            ),
            {"location": f"{V1}/interactions/{interaction.id}"},
        )

    router.route(
        "POST",
        f"{V1}/interactions",
        summary="Start a walk-in or outbound contact a supervisor attested, or work a 신문고 complaint assigned "
        "to your center (calls are started by telephony)",
        tag="interactions",
        body=s.InteractionStartIn,
        responses={201: s.InteractionStartedOut},
        errors=(401, 403, 404, 409, 422),
    )(start)

    def get_interaction(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Reply:
        return Reply(200, present.interaction(_mine(uow, req)))

    router.route(
        "GET",
        f"{V1}/interactions/{{interaction_id}}",
        summary="One of your contacts",
        tag="interactions",
        writes=False,
        responses={200: s.InteractionOut},
        errors=(401, 403, 404),
    )(get_interaction)

    def assign(req: ApiRequest[s.AssignCitizenIn], uow: SqlUnitOfWork) -> Reply:
        interaction = contacts.assign_citizen(
            uow, req.require_actor(), interaction_id=req.param_int("interaction_id"), citizen_id=req.body.citizen_id
        )
        return Reply(200, present.interaction(interaction))

    router.route(
        "POST",
        f"{V1}/interactions/{{interaction_id}}/citizen",
        summary="Pick the citizen on a shared number (only those on record for the number that called)",
        tag="interactions",
        body=s.AssignCitizenIn,
        responses={200: s.InteractionOut},
        errors=(401, 403, 404, 409, 422),
        guard=guards.own_open_contact,
    )(assign)

    def continue_(req: ApiRequest[s.ContinueIn], uow: SqlUnitOfWork) -> Reply:
        case = cases.continue_case(
            uow,
            req.require_actor(),
            req.now,
            interaction_id=req.param_int("interaction_id"),
            number=req.body.case_number,
            policy=deps.policy,
        )
        uow.flush()
        return Reply(200, present.case(case))

    router.route(
        "POST",
        f"{V1}/interactions/{{interaction_id}}/continue",
        summary="이전 상담 이어서 하기: attach this contact to an offered case",
        tag="interactions",
        body=s.ContinueIn,
        responses={200: s.CaseOut},
        errors=(401, 403, 404, 409, 422),
        guard=guards.own_open_contact,
    )(continue_)

    def end(req: ApiRequest[s.EndIn], uow: SqlUnitOfWork) -> Reply:
        b = req.body
        interaction, callback = contacts.end_interaction(
            uow,
            req.require_actor(),
            req.now,
            deps.policy,
            interaction_id=req.param_int("interaction_id"),
            disposition=b.disposition,
            dropped=b.dropped,
            talk_seconds=b.talk_seconds,
        )
        uow.flush()
        return Reply(
            200,
            s.EndedOut(
                interaction=present.interaction(interaction), callback=present.callback(callback) if callback else None
            ),
        )

    router.route(
        "POST",
        f"{V1}/interactions/{{interaction_id}}/end",
        summary="The contact ended (a drop schedules a callback)",
        tag="interactions",
        body=s.EndIn,
        responses={200: s.EndedOut},
        errors=(401, 403, 404, 409, 422),
        guard=guards.own_contact,
    )(end)

    def wrap_up(req: ApiRequest[s.WrapUpIn], uow: SqlUnitOfWork) -> Reply:
        interaction = contacts.wrap_up(
            uow,
            req.require_actor(),
            req.now,
            interaction_id=req.param_int("interaction_id"),
            notes=req.body.notes,
            disposition=req.body.disposition,
            wrap_up_code=req.body.wrap_up_code,
            codes=deps.wrap_up_codes,
        )
        return Reply(200, present.interaction(interaction, deps.wrap_up_codes))

    router.route(
        "POST",
        f"{V1}/interactions/{{interaction_id}}/wrap-up",
        summary="Finish wrap-up: notes saved, the agent stops serving this citizen",
        tag="interactions",
        body=s.WrapUpIn,
        responses={200: s.InteractionOut},
        errors=(401, 403, 404, 409, 422),
        guard=guards.own_contact,
    )(wrap_up)

    def _mine(uow: SqlUnitOfWork, req: ApiRequest[Any]) -> Interaction:
        actor = req.require_actor()
        interaction = uow.interactions.get(req.param_int("interaction_id"))
        if interaction is None:
            raise InteractionNotFound("no such interaction")
        own = interaction.agent_id == actor.agent_id
        supervising = actor.role is Role.SUPERVISOR and interaction.center_code == actor.center_code
        if not (own or supervising or actor.role is Role.ADMIN):
            raise Forbidden("this contact is assigned to another agent")
        return interaction
