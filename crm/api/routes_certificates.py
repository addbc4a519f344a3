"""Routes: the certificate tool (정부24 issuing) — the kinds on offer, issuing a certificate to the caller, and
where its delivery stands.

Issuing acts on the citizen's records in another government system, so it needs the contact's citizen with
identity checked on this contact (``served_citizen(verified=True)``, access-logged "serving"); the certificate
goes by the phone channel's fee to a contact point the issuer has on file, never to one the agent types. Its
idempotency key names the contact, citizen, kind and delivery: a double click (or a retry after a lost answer)
issues once. A certificate's deliveries are shown only on a contact whose citizen it was issued to.
Each route answers ``Later`` (``crm.api.tools``): the issuer is called on the tool thread pool.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field

from crm.access.tool_reads import served_citizen
from crm.api.deps import ApiDeps
from crm.api.routes_core import V1
from crm.api.tools import Told, Use, available, configured, run_tool
from crm.cases.tool_uses import Tool
from crm.store.uow import SqlUnitOfWork
from integrations.certificates.errors import CertificateNotFound
from integrations.certificates.kinds import CertificateKind, Channel, DeliveryMethod, default_kinds
from integrations.certificates.port import Delivery, IssuedCertificate, IssueRequest
from integrations.certificates.wire import ISSUE_NUMBER, ONE_LINE
from kernel.http.kit import ApiRequest, Reply, Router
from kernel.http.models import In, Out

TOOL = f"{V1}/tools/certificates"
ON_CONTACT = f"{V1}/interactions/{{interaction_id}}/tools/certificates"
KIND_ID = "^[a-z][a-z0-9-]{1,40}$"
DELIVERY_WORDS = {"email": "이메일", "fax": "팩스", "post": "우편", "wallet": "전자문서지갑"}
STATUS_WORDS = {"queued": "발송 대기", "sent": "발송", "delivered": "수령", "failed": "실패"}
ERRORS = (401, 403, 404, 409, 422, 503)


class CertificateIssueIn(In):
    kind: Annotated[str, Field(pattern=KIND_ID, description="the kind's id (GET /api/v1/tools/certificates/kinds)")]
    delivery: DeliveryMethod = Field(description="to the citizen's contact point on file of this kind")
    purpose: Annotated[str, Field(max_length=100, pattern=ONE_LINE)] | None = Field(None, description="용도")


class CertificateKindOut(Out):
    id: str
    name: str
    agency: str
    fees: dict[Channel, int] = Field(description="won per copy by channel; one without a fee is not offered there")
    deliveries: list[DeliveryMethod]
    by_phone: bool = Field(description="whether an agent can issue it on a call (a phone fee is set)")


class CertificateKindsOut(Out):
    kinds: list[CertificateKindOut]


class CertificateIssuedOut(Out):
    """The certificate as the agent may tell the caller: numbers, kind, fee and delivery (name masked)."""

    issue_number: str
    receipt_number: str
    kind: str
    kind_name: str
    agency: str
    name: str
    delivery: DeliveryMethod
    purpose: str | None
    fee: int
    issued_at: dt.datetime


class CertificateDeliveryOut(Out):
    delivery_id: str
    method: DeliveryMethod
    destination: str = Field(description="the contact point on file, masked")
    status: str = Field(description="queued, sent, delivered or failed")
    updated_at: dt.datetime


class CertificateDeliveriesOut(Out):
    issue_number: str
    deliveries: list[CertificateDeliveryOut]


def kind_out(kind: CertificateKind) -> CertificateKindOut:
    data = kind.to_dict()
    return CertificateKindOut(
        id=kind.id,
        name=kind.name,
        agency=kind.agency,
        fees=data["fees"],
        deliveries=data["deliveries"],
        by_phone=kind.fee("phone") is not None,
    )


def issued_out(issued: IssuedCertificate) -> CertificateIssuedOut:
    return CertificateIssuedOut(
        issue_number=issued.issue_number,
        receipt_number=issued.receipt_number,
        kind=issued.kind,
        kind_name=issued.kind_name,
        agency=issued.agency,
        name=issued.name,
        delivery=issued.delivery,
        purpose=issued.purpose,
        fee=issued.fee,
        issued_at=issued.issued_at,
    )


def deliveries_out(issue_number: str, found: list[Delivery]) -> CertificateDeliveriesOut:
    return CertificateDeliveriesOut(
        issue_number=issue_number,
        deliveries=[
            CertificateDeliveryOut(
                delivery_id=d.delivery_id, method=d.method, destination=d.destination, status=d.status,
                updated_at=d.updated_at,
            )
            for d in found
        ],
    )  # fmt: skip


def kind_name(kind: str) -> str:
    """The Korean name of a kind id for the timeline (the id itself when the default table does not know it)."""
    found = default_kinds().find(kind)
    return found.name if found is not None else kind


def register(router: Router, deps: ApiDeps) -> None:
    """The certificate tool's routes."""

    def kinds(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Any:
        tools = available(deps.tools)
        issuer = configured(tools.certificates, "certificates")
        return run_tool(
            tools,
            req.require_actor(),
            req.now,
            Use(None, Tool.CERTIFICATES, "kinds", "종류 조회"),
            issuer.kinds,
            lambda found: Told(f"{len(found)}종"),
            lambda found: Reply(200, CertificateKindsOut(kinds=[kind_out(kind) for kind in found])),
        )

    router.route(
        "GET",
        f"{TOOL}/kinds",
        summary="The kinds of certificate an agent can have issued: fees by channel and delivery methods",
        tag="tools",
        responses={200: CertificateKindsOut},
        errors=ERRORS,
        writes=False,
    )(kinds)

    def issue(req: ApiRequest[CertificateIssueIn], uow: SqlUnitOfWork) -> Any:
        tools = available(deps.tools)
        issuer = configured(tools.certificates, "certificates")
        actor, iid, body = req.require_actor(), req.param_int("interaction_id"), req.body
        served = served_citizen(uow, actor, req.now, interaction_id=iid, via=req.via, verified=True)
        key = served.request_key("certificate", body.kind, body.delivery)
        request = IssueRequest(served.citizen_ref, body.kind, "phone", body.delivery, body.purpose, key)
        use = Use(iid, Tool.CERTIFICATES, "issue", f"발급: {kind_name(body.kind)} ({DELIVERY_WORDS[body.delivery]})")
        return run_tool(
            tools,
            actor,
            req.now,
            use,
            lambda: issuer.issue(request),
            lambda issued: Told(f"접수번호 {issued.receipt_number}, 수수료 {issued.fee:,}원", issued.issue_number),
            lambda issued: Reply(201, issued_out(issued)),
        )

    router.route(
        "POST",
        ON_CONTACT,
        summary="Have a certificate issued to the contact's citizen (identity checked on this contact), delivered "
        "to their contact point on file; a double click issues once",
        tag="tools",
        body=CertificateIssueIn,
        responses={201: CertificateIssuedOut},
        errors=ERRORS,
        writes=True,
        idempotent_post=False,
    )(issue)

    def deliveries(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Any:
        tools = available(deps.tools)
        issuer = configured(tools.certificates, "certificates")
        actor, iid, number = req.require_actor(), req.param_int("interaction_id"), req.params["issue_number"]
        citizen_ref = served_citizen(uow, actor, req.now, interaction_id=iid, via=req.via, verified=True).citizen_ref

        def call() -> list[Delivery]:
            if issuer.get(number).citizen_ref != citizen_ref:  # another citizen's: as if it did not exist
                raise CertificateNotFound("발급번호에 해당하는 증명서가 없습니다")
            return issuer.deliveries(number)

        def told(found: list[Delivery]) -> Told:
            said = ", ".join(f"{DELIVERY_WORDS.get(d.method, d.method)} {STATUS_WORDS.get(d.status, d.status)}"
                             for d in found)  # fmt: skip
            return Told(said or "발송 내역 없음", number)

        return run_tool(
            tools,
            actor,
            req.now,
            Use(iid, Tool.CERTIFICATES, "deliveries", f"발송 조회: {number}"),
            call,
            told,
            lambda found: Reply(200, deliveries_out(number, found)),
        )

    router.route(
        "GET",
        f"{ON_CONTACT}/{{issue_number}}/deliveries",
        summary="Where the deliveries of a certificate issued to the contact's citizen stand (queued, sent, "
        "delivered, failed)",
        tag="tools",
        responses={200: CertificateDeliveriesOut},
        errors=ERRORS,
        writes=True,
        path_params={"issue_number": ISSUE_NUMBER},
    )(deliveries)
