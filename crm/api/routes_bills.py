"""Routes: the bill tool (국세·지방세·4대보험·자동차검사 고지) on an agent's open contact — the citizen's notices,
one notice with its late charge and amount due, and sending a notice again by the citizen's channel.

Every route works for the contact's citizen only, identity checked on the contact (``served_citizen(...,
verified=True)``), and each read of the citizen is access-logged with the purpose "serving". Each use is recorded
on the contact (``Tool.BILLS``; the summary names no amount and nothing personal). Agents only read: nothing here
changes an amount. A resend's idempotency key is derived from the contact, the notice and the channel, so a double
click sends once. Each route answers ``Later`` (``crm.api.tools``): the ledger is called on the tool thread pool.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal, get_args

from pydantic import Field
from twisted.internet import defer
from twisted.python.failure import Failure

from crm.access.tool_reads import ServedCitizen, served_citizen
from crm.api.deps import ApiDeps
from crm.api.routes_core import V1
from crm.api.tools import Told, Use, available, configured, run_tool
from crm.cases.tool_uses import Tool
from crm.store.uow import SqlUnitOfWork
from integrations.bills.model import CHANNEL_LABELS, Channel, Family, Notice, Status
from integrations.bills.outbox import Resend, ResendStatus
from integrations.bills.port import NoticeNotFound
from integrations.bills.wire import NOTICE_ID
from kernel.errors import DomainError
from kernel.http.kit import ApiRequest, Later, QueryParam, Reply, Router
from kernel.http.models import In, Out

TOOL = f"{V1}/interactions/{{interaction_id}}/tools/bills"
STATUS_WORDS: Mapping[Status, str] = {Status.UNPAID: "미납", Status.PAID: "납부 완료", Status.OVERDUE: "체납"}
RESEND_WORDS: Mapping[ResendStatus, str] = {
    ResendStatus.QUEUED: "발송 대기",
    ResendStatus.SENT: "발송됨",
    ResendStatus.DELIVERED: "전달됨",
    ResendStatus.FAILED: "발송 실패",
}
ERRORS = (401, 403, 404, 409, 422, 503)
# Codes as literals, not the ledger's enums: an enum is a named component of the API's document, and names such
# as Channel and Status are taken there already.
StatusCode = Literal["unpaid", "paid", "overdue"]
ChannelCode = Literal["kakaotalk", "naver", "email", "sms", "post"]
ResendStatusCode = Literal["queued", "sent", "delivered", "failed"]
FamilyName = Literal["국세", "지방세", "4대보험", "자동차검사"]
for _codes, _enum in ((StatusCode, Status), (ChannelCode, Channel), (ResendStatusCode, ResendStatus),
                      (FamilyName, Family)):  # fmt: skip
    if set(get_args(_codes)) != {member.value for member in _enum}:  # pragma: no cover - the model grew
        raise AssertionError(f"{_enum.__name__}'s codes changed: update routes_bills")


class BillAccountOut(Out):
    bank: str
    number: str
    holder: str = Field(description="the agency the account belongs to (never the citizen)")


class BillPaymentOut(Out):
    paid_on: dt.date
    amount_won: int
    channel: str = Field(description="how it was paid: 가상계좌, 계좌이체, 자동이체 …")


class BillSurchargeOut(Out):
    name: str
    description: str = Field(description="the late-charge rule in Korean, to read to the citizen")
    source: str = Field(description="the law it comes from")


class BillNoticeOut(Out):
    """One 고지서 and where it stands on the ledger's today (``as_of``)."""

    id: str
    kind: str
    family: FamilyName
    agency: str
    period: str
    issued_on: dt.date
    due: dt.date = Field(description="the due date printed on the notice")
    effective_due: dt.date = Field(description="the due date moved past weekends and public holidays")
    as_of: dt.date
    status: StatusCode
    status_label: str
    days_overdue: int
    principal_won: int
    paid_won: int
    principal_unpaid_won: int
    surcharge_won: int = Field(description="the late charge accrued so far (paid or not)")
    amount_due_won: int = Field(description="what the citizen must pay today, late charge included")
    partly_paid: bool
    virtual_account: BillAccountOut
    notice_channel: ChannelCode
    notice_channel_label: str
    payments: list[BillPaymentOut]
    fulfilled_on: dt.date | None = Field(description="자동차 정기검사: the day the car was inspected")
    surcharge: BillSurchargeOut


class BillNoticesOut(Out):
    items: list[BillNoticeOut] = Field(description="the citizen's notices by due date")


class BillResendIn(In):
    channel: ChannelCode | None = Field(None, description="where to send it again; null: the channel the citizen chose")


class BillResendOut(Out):
    id: str
    notice_id: str
    channel: ChannelCode
    channel_label: str
    requested_on: dt.date
    status: ResendStatusCode
    status_label: str
    replayed: bool = Field(description="this resend was asked for on this contact already: nothing was sent again")


def notice_out(notice: Notice) -> BillNoticeOut:
    record, standing = notice.record, notice.standing
    account = record.virtual_account
    return BillNoticeOut(
        id=record.id,
        kind=record.kind,
        family=record.family.value,
        agency=record.agency,
        period=record.period,
        issued_on=record.issued_on,
        due=record.due,
        effective_due=standing.effective_due,
        as_of=standing.as_of,
        status=standing.status.value,
        status_label=STATUS_WORDS[standing.status],
        days_overdue=standing.days_overdue,
        principal_won=record.principal_won,
        paid_won=standing.paid_won,
        principal_unpaid_won=standing.principal_unpaid_won,
        surcharge_won=standing.surcharge_won,
        amount_due_won=standing.amount_due_won,
        partly_paid=standing.partly_paid,
        virtual_account=BillAccountOut(bank=account.bank, number=account.number, holder=account.holder),
        notice_channel=record.notice_channel.value,
        notice_channel_label=CHANNEL_LABELS[record.notice_channel],
        payments=[
            BillPaymentOut(paid_on=p.paid_on, amount_won=p.amount_won, channel=p.channel) for p in record.payments
        ],
        fulfilled_on=record.fulfilled_on,
        surcharge=BillSurchargeOut(
            name=record.rule.name, description=record.rule.description, source=record.rule.source
        ),
    )


def resend_out(resend: Resend, replayed: bool) -> BillResendOut:
    return BillResendOut(
        id=resend.id,
        notice_id=resend.notice_id,
        channel=resend.channel.value,
        channel_label=CHANNEL_LABELS[resend.channel],
        requested_on=resend.requested_on,
        status=resend.status.value,
        status_label=RESEND_WORDS[resend.status],
        replayed=replayed,
    )


def resend_key(served: ServedCitizen, notice_id: str, channel: Channel | None) -> str:
    """One key per contact, citizen, notice and channel: a second click on the same contact sends nothing more."""
    return served.request_key("bill", notice_id, str(channel) if channel is not None else "chosen")


def register(router: Router, deps: ApiDeps) -> None:
    def notices(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Any:
        tools = available(deps.tools)
        ledger = configured(tools.bills, "bills")
        iid, status = req.param_int("interaction_id"), req.q_enum("status", Status)
        served = served_citizen(uow, req.require_actor(), req.now, interaction_id=iid, via=req.via, verified=True)
        ref = served.citizen_ref
        words = STATUS_WORDS[status] if status is not None else "전체"
        return run_tool(
            tools,
            req.require_actor(),
            req.now,
            Use(iid, Tool.BILLS, "notices", f"고지 조회: {words}"),
            lambda: ledger.notices(ref, status=status),
            lambda found: Told(f"{len(found)}건"),
            lambda found: Reply(200, BillNoticesOut(items=[notice_out(n) for n in found])),
        )

    router.route(
        "GET",
        f"{TOOL}/notices",
        summary="The contact's citizen's notices (고지서) as of the ledger's today: status, late charge, amount due "
        "(identity checked on the contact)",
        tag="tools",
        responses={200: BillNoticesOut},
        errors=ERRORS,
        writes=True,  # the read of the citizen writes its access-log row
        query=(QueryParam.choice("status", "only notices of this status", [s.value for s in Status]),),
    )(notices)

    def one(req: ApiRequest[Any], uow: SqlUnitOfWork) -> Any:
        tools = available(deps.tools)
        ledger = configured(tools.bills, "bills")
        iid, notice_id = req.param_int("interaction_id"), req.params["notice_id"]
        served = served_citizen(uow, req.require_actor(), req.now, interaction_id=iid, via=req.via, verified=True)
        ref = served.citizen_ref

        def call() -> Notice:
            found = ledger.notice(ref, notice_id)
            if found is None:
                raise NoticeNotFound(notice_id)
            return found

        return run_tool(
            tools,
            req.require_actor(),
            req.now,
            Use(iid, Tool.BILLS, "notice", f"고지서 조회: {notice_id}"),
            call,
            lambda found: Told(f"{found.kind} {found.record.period}: {STATUS_WORDS[found.status]}", found.id),
            lambda found: Reply(200, notice_out(found)),
        )

    router.route(
        "GET",
        f"{TOOL}/notices/{{notice_id}}",
        summary="One of the contact's citizen's notices, with its late-charge rule and where to pay",
        tag="tools",
        responses={200: BillNoticeOut},
        errors=ERRORS,
        writes=True,  # the read of the citizen writes its access-log row
        path_params={"notice_id": NOTICE_ID},
    )(one)

    def resend(req: ApiRequest[BillResendIn], uow: SqlUnitOfWork) -> Any:
        tools = available(deps.tools)
        ledger = configured(tools.bills, "bills")
        actor, now = req.require_actor(), req.now
        iid, notice_id = req.param_int("interaction_id"), req.params["notice_id"]
        channel = Channel(req.body.channel) if req.body.channel is not None else None
        served = served_citizen(uow, actor, now, interaction_id=iid, via=req.via, verified=True)
        ref, key = served.citizen_ref, resend_key(served, notice_id, channel)

        def resend_after(looked_up: Notice | Failure | None) -> Any:
            """The resend, recorded with the notice's kind and period (looked up first) as its summary."""
            if isinstance(looked_up, Failure) and not isinstance(looked_up.value, DomainError):
                return looked_up
            notice = looked_up if isinstance(looked_up, Notice) else None
            chosen = channel or (notice.record.notice_channel if notice is not None else None)
            label = CHANNEL_LABELS[chosen] if chosen is not None else "신청 채널"
            named = f"{notice.kind} {notice.record.period}" if notice is not None else notice_id
            use = Use(iid, Tool.BILLS, "resend", f"재발송: {named} ({label})")

            def call() -> tuple[Resend, bool]:
                if isinstance(looked_up, Failure):
                    looked_up.raiseException()
                if notice is None:
                    raise NoticeNotFound(notice_id)
                before = {r.id for r in ledger.resends(ref, notice_id)}
                made = ledger.resend(ref, notice_id, channel, key)
                return made, made.id in before

            def told(result: tuple[Resend, bool]) -> Told:
                made, replayed = result
                said = "재요청(발송 안 함)" if replayed else "재발송 접수"
                return Told(f"{said}: {RESEND_WORDS[made.status]}", made.id)

            def reply(result: tuple[Resend, bool]) -> Reply:
                made, replayed = result
                return Reply(200 if replayed else 202, resend_out(made, replayed))

            return run_tool(tools, actor, now, use, call, told, reply).run()

        def run() -> defer.Deferred[Any]:
            d: defer.Deferred[Any] = tools.call(lambda: ledger.notice(ref, notice_id))
            d.addBoth(resend_after)
            return d

        return Later(run)

    router.route(
        "POST",
        f"{TOOL}/notices/{{notice_id}}/resend",
        summary="Send the notice again to the contact's citizen, by the channel given or (null) the one they chose "
        "(once per contact, notice and channel: a second click sends nothing)",
        tag="tools",
        body=BillResendIn,
        responses={200: BillResendOut, 202: BillResendOut},
        errors=ERRORS,
        writes=True,  # the read of the citizen writes its access-log row
        idempotent_post=False,
        path_params={"notice_id": NOTICE_ID},
    )(resend)
