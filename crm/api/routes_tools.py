"""Routes: the public-service tool (보조금24 / 정부24 search, one service, eligibility, the link by SMS).

Search and eligibility need no citizen: many callers stay anonymous. Given ``interaction_id`` (the agent's
open contact) the use is recorded on that contact and its case, with no citizen link unless the contact has
one; without it nothing is stored. Sending the link needs the contact's citizen: the text goes only to a mobile
number on file, and the read of that number is access-logged. Each route answers ``Later`` (``crm.api.tools``):
the external system is called on the tool thread pool, never on a database thread.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crm.access.tool_reads import served_citizen
from crm.api.deps import ApiDeps
from crm.api.routes_core import V1
from crm.api.tools import Told, Use, available, configured, run_tool
from crm.cases.services import own_interaction, own_open_interaction
from crm.cases.tool_uses import Tool
from crm.citizens.phone import normalize_phone
from crm.store.uow import SqlUnitOfWork
from integrations.public_services import wire
from integrations.public_services.port import ServiceDetail, ServiceNotFound
from integrations.public_services.reference_api import SERVICE_ID
from integrations.sms.port import SentMessage, SmsError, SmsRejected
from kernel.http.errors import ApiError
from kernel.http.kit import ApiRequest, Later, QueryParam, Reply, Router
from kernel.http.models import Id, Int
from kernel.http.params import ID_MAX

TOOL = f"{V1}/tools/public-services"
CONTACT_PARAM = QueryParam.integer("interaction_id", "your open contact: the use is recorded on it", 1, ID_MAX)
_LONG_DIGITS = re.compile(r"\d[\d\s-]{5,}\d")


class EligibilityIn(wire.ApplicantIn):
    interaction_id: Id | None = Field(None, description="your open contact: the check is recorded on it")


class SendLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    phone_index: Int = Field(0, ge=0, le=9, description="which of the citizen's mobile numbers on file (masked order)")


class LinkSentOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: str
    sent_to: str = Field(description="the number on file, masked")
    status: str = Field(description="accepted, delivered or failed (the gateway's outbox)")
    replayed: bool = Field(description="the same link was sent on this contact already: nothing was sent again")


class LinkStatusOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: str
    sent_to: str = Field(description="the number, masked")
    status: str = Field(description="accepted, delivered or failed")
    delivered_at: dt.datetime | None


def masked(text: str) -> str:
    """What an agent typed, for the timeline: long digit runs (a number someone read out) hidden."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return _LONG_DIGITS.sub("***", " ".join(printable.split()))[:120]


def register(router: Router, deps: ApiDeps) -> None:
    def contact(req: ApiRequest[Any], uow: SqlUnitOfWork, interaction_id: int | None) -> int | None:
        if interaction_id is not None:
            own_open_interaction(uow, req.require_actor(), interaction_id)
        return interaction_id

    def search(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Any:
        tools = available(deps.tools)
        directory = configured(tools.public_services, "public-services")
        iid = contact(req, uow, req.q_int("interaction_id", None, 1, ID_MAX))
        args = wire.SearchArgs.of(req)
        use = Use(iid, Tool.PUBLIC_SERVICES, "search", f"검색: {masked(args.query)}")
        return run_tool(
            tools,
            req.require_actor(),
            req.now,
            use,
            lambda: args.run(directory),
            lambda found: Told(f"{found.total}건"),
            lambda found: Reply(200, wire.results_out(found)),
        )

    router.route(
        "GET",
        TOOL,
        summary="Search public services (보조금24 / 정부24) in Korean, best first",
        tag="tools",
        responses={200: wire.SearchOut},
        errors=(401, 403, 404, 409, 422, 503),
        writes=False,
        query=(*wire.search_params(), CONTACT_PARAM),
    )(search)

    def one(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Any:
        tools = available(deps.tools)
        directory = configured(tools.public_services, "public-services")
        iid = contact(req, uow, req.q_int("interaction_id", None, 1, ID_MAX))
        service_id = req.params["service_id"]

        def call() -> ServiceDetail:
            found = directory.service(service_id)
            if found is None:
                raise ServiceNotFound(service_id)
            return found

        return run_tool(
            tools,
            req.require_actor(),
            req.now,
            Use(iid, Tool.PUBLIC_SERVICES, "service", f"조회: {service_id}"),
            call,
            lambda found: Told(found.name[:200], service_id),
            lambda found: Reply(200, wire.service_out(found)),
        )

    router.route(
        "GET",
        f"{TOOL}/{{service_id}}",
        summary="One public service as the catalog publishes it",
        tag="tools",
        responses={200: wire.ServiceOut},
        errors=(401, 403, 404, 409, 422, 503),
        writes=False,
        path_params={"service_id": SERVICE_ID},
        query=(CONTACT_PARAM,),
    )(one)

    def eligibility(req: ApiRequest[EligibilityIn], uow: SqlUnitOfWork) -> Any:
        tools = available(deps.tools)
        directory = configured(tools.public_services, "public-services")
        iid = contact(req, uow, req.body.interaction_id)
        service_id, person = req.params["service_id"], wire.applicant(req.body)
        entered = wire.entered_text(person)

        def call() -> Any:
            decision = directory.eligibility(service_id, person)
            if decision is None:
                raise ServiceNotFound(service_id)
            return decision

        return run_tool(
            tools,
            req.require_actor(),
            req.now,
            Use(iid, Tool.PUBLIC_SERVICES, "eligibility", f"자격확인: {service_id} ({entered})"[:200]),
            call,
            lambda decision: Told(wire.ANSWER_WORDS[decision.overall], service_id),
            lambda decision: Reply(200, wire.decision_out(service_id, decision)),
        )

    router.route(
        "POST",
        f"{TOOL}/{{service_id}}/eligibility",
        summary="Whether someone with the attributes entered may receive the service: yes / no / unknown "
        "per condition with the reason (answers only from what is entered)",
        tag="tools",
        body=EligibilityIn,
        responses={200: wire.DecisionOut},
        errors=(401, 403, 404, 409, 422, 503),
        writes=False,
        idempotent_post=False,
        path_params={"service_id": SERVICE_ID},
    )(eligibility)

    def send_link(req: ApiRequest[SendLinkIn], uow: SqlUnitOfWork) -> Any:
        tools = available(deps.tools)
        directory = configured(tools.public_services, "public-services")
        sms = deps.sms
        if sms is None:
            raise ApiError("sms-unavailable", "문자 발송 서비스가 설정되지 않았습니다 (no SMS gateway configured)")
        iid, service_id = req.param_int("interaction_id"), req.params["service_id"]
        served = served_citizen(uow, req.require_actor(), req.now, interaction_id=iid, via=req.via, verified=False)
        to = served.mobile(req.body.phone_index)

        def call() -> SentMessage:
            found = directory.service(service_id)
            if found is None:
                raise ServiceNotFound(service_id)
            try:
                return sms.send(to, wire.link_text(found), idempotency_key=f"sori-link-{iid}-{service_id}-{to}")
            except SmsRejected as error:
                raise ApiError("sms-rejected", error.message, reason=error.reason) from None
            except SmsError as error:
                raise ApiError("sms-unavailable", error.message, reason=getattr(error, "reason", error.code)) from None

        def told(sent: SentMessage) -> Told:
            return Told(f"문자 {'재요청(발송 안 함)' if sent.replayed else '발송'}: {sent.to} ({sent.status})", sent.id)

        def reply(sent: SentMessage) -> Reply:
            out = LinkSentOut(
                message_id=sent.id, sent_to=normalize_phone(to).masked, status=sent.status, replayed=sent.replayed
            )
            return Reply(200 if sent.replayed else 202, out)

        return run_tool(
            tools,
            req.require_actor(),
            req.now,
            Use(iid, Tool.PUBLIC_SERVICES, "send-link", f"안내 문자: {service_id}"),
            call,
            told,
            reply,
        )

    router.route(
        "POST",
        f"{V1}/interactions/{{interaction_id}}/tools/public-services/{{service_id}}/send-link",
        summary="Text the service's link to the contact's citizen, at a mobile number on file (once per "
        "contact, service and number: a second click sends nothing)",
        tag="tools",
        body=SendLinkIn,
        responses={200: LinkSentOut, 202: LinkSentOut},
        errors=(401, 403, 404, 409, 422, 503),
        writes=True,
        idempotent_post=False,
        path_params={"service_id": SERVICE_ID},
    )(send_link)

    def link_status(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Any:
        tools = available(deps.tools)
        sms = deps.sms
        if sms is None:
            raise ApiError("sms-unavailable", "문자 발송 서비스가 설정되지 않았습니다 (no SMS gateway configured)")
        iid, message_id = req.param_int("interaction_id"), req.params["message_id"]
        own_interaction(uow, req.require_actor(), iid)
        sent_here = any(u.action == "send-link" and u.ref == message_id for u in uow.tool_uses.for_interaction(iid))
        if not sent_here:  # only a text this contact sent: never another contact's outbox
            raise ApiError("sms-message-not-found", "이 상담에서 보낸 문자가 아닙니다.", message_id=message_id)

        def call() -> SentMessage:
            try:
                return sms.status(message_id)
            except SmsError as error:
                raise ApiError(error.code, error.message) from None

        def reply(sent: SentMessage) -> Reply:
            out = LinkStatusOut(message_id=sent.id, sent_to=sent.to, status=sent.status,
                                delivered_at=sent.delivered_at)  # fmt: skip
            return Reply(200, out)

        return Later(lambda: tools.call(call).addCallback(reply))

    router.route(
        "GET",
        f"{V1}/interactions/{{interaction_id}}/tools/sms/{{message_id}}",
        summary="The delivery status of a text this contact sent (the SMS gateway's outbox)",
        tag="tools",
        responses={200: LinkStatusOut},
        errors=(401, 403, 404, 422, 503),
        writes=False,
        path_params={"message_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,80}$"}},
    )(link_status)
