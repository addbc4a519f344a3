"""The reference bill ledger API (국세·지방세·4대보험·자동차검사 고지; ``docs/integrations/bills.openapi.json``).

Played by ``sori refsvc`` at ``/bills``: a citizen's notices as of the ledger's today, one notice, re-sending a
notice (once per ``Idempotency-Key``), its resends, and the open bill of a kind (what the IVR asks). The citizen
is named in the ``X-Citizen-Ref`` header on every call, never in the URL, so it stays out of access logs.

Its notices are the demo's, moved to the day the service starts (``integrations.bills.demo.demo_records_on``:
unpaid, overdue and paid notices whatever day the demo runs); its today is Seoul's date, so the late charges
run on as the days pass. Resends are kept in the service's SQLite store (``integrations.bills.stored``).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from integrations.bills import wire
from integrations.bills.demo import demo_channels, demo_records_on
from integrations.bills.http_status import STATUS as BILL_STATUS
from integrations.bills.model import Status
from integrations.bills.port import NoticeNotFound
from integrations.bills.stored import StoredBillLedger
from integrations.refsvc.system import Options, PlayedSystem
from kernel.calendar import SEOUL
from kernel.errors import NotFound, ValidationFailed
from kernel.http.errors import ApiError
from kernel.http.kit import ApiRequest, QueryParam, Reply, Router
from kernel.http.openapi import IDEMPOTENCY_KEY_SCHEMA
from kernel.http.params import check_value

PREFIX = "/bills"
CITIZEN_HEADER, CITIZEN_REF = wire.CITIZEN_HEADER, wire.CITIZEN_REF
CITIZEN_PARAM = {
    "name": CITIZEN_HEADER,
    "in": "header",
    "required": True,
    "schema": CITIZEN_REF,
    "description": "the citizen asked about, as this ledger knows them (the reference: a mobile number on file, "
    "010-1234-5678; a real ledger: the 연계정보 CI). A header, so it never appears in a URL or an access log",
}
RESENDS = "/v1/notices/{notice_id}/resends"
STATUS = {
    **BILL_STATUS,
    "unauthorized": 401,
    "idempotency-key-required": 400,
}  # beside the kernel's (validation-failed …)


class NoOpenBill(NotFound):
    """The citizen has no open (unpaid or overdue) notice of that kind."""

    code = "bill-not-found"

    def __init__(self, kind: str) -> None:
        super().__init__("해당 세목의 미납 고지가 없습니다.", kind=kind)


def seoul_today() -> dt.date:
    return dt.datetime.now(SEOUL).date()


def ready(ledger: StoredBillLedger | None) -> StoredBillLedger:
    if ledger is None:
        raise AssertionError("routes built for the document only were asked to serve")
    return ledger


def citizen(req: ApiRequest[Any]) -> str:
    """The ``X-Citizen-Ref`` header, checked against the schema the document states (422 otherwise)."""
    value = req.headers.get(CITIZEN_HEADER.lower())
    if value is None:
        raise ValidationFailed(f"the {CITIZEN_HEADER} header is required", parameter=CITIZEN_HEADER)
    check_value(CITIZEN_HEADER, CITIZEN_REF, value)
    return value


def router(ledger: StoredBillLedger | None) -> Router:
    """The routes (``ledger`` None: for the document only; a request then is a defect)."""
    routes = Router(path_params={"notice_id": wire.NOTICE_ID, "kind": wire.KIND_CODE})

    def notices(req: ApiRequest[Any], _: Any) -> Reply:
        found = ready(ledger).notices(citizen(req), status=req.q_enum("status", Status))
        return Reply(200, wire.notices_out(found))

    routes.route(
        "GET",
        "/v1/notices",
        summary="The citizen's notices as of the ledger's today, by due date (status, late charge, amount due)",
        tag="notices",
        roles=None,
        responses={200: wire.NoticesOut},
        writes=False,
        query=(QueryParam.choice("status", "only notices of this status", [s.value for s in Status]),),
    )(notices)

    def one(req: ApiRequest[Any], _: Any) -> Reply:
        notice_id = req.params["notice_id"]
        found = ready(ledger).notice(citizen(req), notice_id)
        if found is None:
            raise NoticeNotFound(notice_id)
        return Reply(200, wire.notice_out(found))

    routes.route(
        "GET",
        "/v1/notices/{notice_id}",
        summary="One of the citizen's notices as of the ledger's today (another citizen's is not found)",
        tag="notices",
        roles=None,
        responses={200: wire.NoticeOut},
        errors=(404,),
        writes=False,
    )(one)

    def resend(req: ApiRequest[wire.ResendIn], _: Any) -> Reply:
        key = req.headers.get("idempotency-key")
        if key is None:
            raise ApiError("idempotency-key-required", "send an Idempotency-Key header: one key names one resend")
        check_value("Idempotency-Key", IDEMPOTENCY_KEY_SCHEMA, key)
        made, replayed = ready(ledger).resend_once(citizen(req), req.params["notice_id"], req.body.channel, key)
        return Reply(200 if replayed else 201, wire.resend_out(made))

    routes.route(
        "POST",
        RESENDS,
        summary="Send the notice again, by the channel given or (null) the one the citizen chose: queued once per "
        "Idempotency-Key (201; a repeat answers the first resend, 200, and sends nothing more)",
        tag="resends",
        roles=None,
        body=wire.ResendIn,
        responses={200: wire.ResendOut, 201: wire.ResendOut},
        errors=(400, 404, 422),
        idempotent_post=False,
    )(resend)

    def resends(req: ApiRequest[Any], _: Any) -> Reply:
        return Reply(200, wire.resends_out(ready(ledger).resends(citizen(req), req.params["notice_id"])))

    routes.route(
        "GET",
        RESENDS,
        summary="The notice's resends, oldest first, with their delivery status",
        tag="resends",
        roles=None,
        responses={200: wire.ResendsOut},
        errors=(404,),
        writes=False,
    )(resends)

    def bill(req: ApiRequest[Any], _: Any) -> Reply:
        kind = wire.KIND_OF_CODE[req.params["kind"]]  # the path schema admits known codes only
        found = ready(ledger).lookup_bill(citizen(req), kind)
        if found is None:
            raise NoOpenBill(kind)
        return Reply(200, wire.bill_out(found))

    routes.route(
        "GET",
        "/v1/bills/{kind}",
        summary="The citizen's open bill of a kind (the earliest due), with the amount due now (what the IVR asks)",
        tag="bills",
        roles=None,
        responses={200: wire.BillOut},
        errors=(404,),
        writes=False,
    )(bill)
    return routes


def _state(store: sqlite3.Connection, options: Options) -> StoredBillLedger:
    return StoredBillLedger(store, demo_records_on, today=seoul_today, channels=demo_channels())


SYSTEM = PlayedSystem(
    name="bills",
    prefix=PREFIX,
    title="고지·납부 조회 (국세·지방세·4대보험·자동차검사) — reference API",
    description="A citizen's notices (고지서) with where each stands today — unpaid, paid, or overdue with its late "
    "charge as the law states it — and re-sending a notice by the citizen's channel (once per Idempotency-Key). "
    f"Every operation names the citizen in the {CITIZEN_HEADER} header, never in the URL. Amounts are integer "
    "won; dates are ISO dates in Seoul; nothing here changes an amount.",
    statuses=STATUS,
    routes=router,
    state=_state,
    idempotent=frozenset({("POST", RESENDS)}),
    headers=(CITIZEN_PARAM,),
)
