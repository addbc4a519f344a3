"""The bill ledger's API bodies on the wire (pydantic) and their conversion to and from the port's types.

The models mirror ``codec``'s JSON field for field: the reference service answers ``codec``'s dicts validated
by these models, and the HTTP adapter validates an answer with them before ``codec`` reads it back, so one
definition fixes the JSON both sides speak and the OpenAPI document states
(``docs/integrations/bills.openapi.json``).

A notice kind travels in a URL as an ASCII code (``KIND_CODES``): the kinds are Korean words, and a path
parameter is matched before any percent-decoding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from integrations.bills import codec
from integrations.bills.model import KINDS, Channel, Family, Notice, Status
from integrations.bills.outbox import Resend, ResendStatus
from integrations.bills.port import Bill

Won = Annotated[int, Field(ge=0, description="원 (integer won)")]

KIND_CODES: Mapping[str, str] = {
    "종합소득세": "income-tax",
    "부가가치세": "value-added-tax",
    "양도소득세": "capital-gains-tax",
    "자동차세": "vehicle-tax",
    "재산세": "property-tax",
    "주민세": "resident-tax",
    "건강보험료": "health-insurance",
    "국민연금보험료": "national-pension",
    "고용보험료": "employment-insurance",
    "산재보험료": "industrial-accident-insurance",
    "자동차 정기검사": "vehicle-inspection",
}
KIND_OF_CODE: Mapping[str, str] = {code: kind for kind, code in KIND_CODES.items()}
if set(KIND_CODES) != set(KINDS):  # pragma: no cover - a kind added to the model needs its code here
    raise AssertionError("every notice kind needs a code on the wire")

CITIZEN_HEADER = "X-Citizen-Ref"  # the citizen, on every call: never in a URL, so never in an access log
CITIZEN_PATTERN = "^[A-Za-z0-9+/=._-]{1,128}$"
CITIZEN_REF = {"type": "string", "minLength": 1, "maxLength": 128, "pattern": CITIZEN_PATTERN}
NOTICE_ID_PATTERN = "^[A-Za-z0-9-]{1,40}$"
NOTICE_ID = {"type": "string", "pattern": NOTICE_ID_PATTERN, "description": "고지서 번호 (the ledger's id)"}
KIND_CODE = {
    "type": "string",
    "enum": list(KIND_CODES.values()),
    "description": "the notice kind's code: " + ", ".join(f"{code} {kind}" for kind, code in KIND_CODES.items()),
}


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VirtualAccountOut(_Out):
    bank: str
    number: str
    holder: str = Field(description="the agency the account belongs to (never the citizen)")


class PaymentOut(_Out):
    paid_on: dt.date
    amount_won: Annotated[int, Field(gt=0)]
    channel: str = Field(description="how it was paid: 가상계좌, 계좌이체, 자동이체, 신용카드 …")


class StandingOut(_Out):
    as_of: dt.date = Field(description="the ledger's today: every figure below is as of this day")
    status: Status
    effective_due: dt.date = Field(description="the due date moved past weekends and public holidays")
    days_overdue: Annotated[int, Field(ge=0)]
    paid_won: Won
    principal_unpaid_won: Won
    surcharge_won: Won = Field(description="the late charge accrued so far (paid or not)")
    amount_due_won: Won = Field(description="what the citizen must pay today, late charge included")
    partly_paid: bool


class SurchargeRuleOut(_Out):
    name: str
    description: str = Field(description="the rule in Korean, as an agent reads it to the citizen")
    source: str = Field(description="the law it comes from")


class NoticeOut(_Out):
    id: str
    kind: str = Field(description="세목 or 보험료: " + ", ".join(KINDS))
    family: Family
    agency: str
    period: str = Field(description="귀속 기간 as printed on the notice")
    principal_won: Won
    issued_on: dt.date
    due: dt.date = Field(description="the due date printed on the notice")
    virtual_account: VirtualAccountOut
    notice_channel: Channel = Field(description="the electronic-notice channel the citizen chose")
    payments: list[PaymentOut]
    fulfilled_on: dt.date | None = Field(description="자동차 정기검사: the day the car was inspected")
    standing: StandingOut
    surcharge_rule: SurchargeRuleOut


class NoticesOut(_Out):
    items: list[NoticeOut] = Field(description="the citizen's notices by due date")


class ResendIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    channel: Channel | None = Field(None, description="where to send it again; null: the channel the citizen chose")


class ResendOut(_Out):
    id: str
    notice_id: str
    channel: Channel
    idempotency_key: str
    requested_on: dt.date
    status: ResendStatus


class ResendsOut(_Out):
    items: list[ResendOut] = Field(description="the notice's resends, oldest first")


class BillOut(_Out):
    kind: str
    amount_won: Won = Field(description="the amount due now, late charge included")
    due: dt.date = Field(description="the due date printed on the notice")


def notice_out(notice: Notice) -> NoticeOut:
    return NoticeOut.model_validate(codec.notice_to_json(notice))


def notices_out(found: list[Notice]) -> NoticesOut:
    return NoticesOut(items=[notice_out(n) for n in found])


def resend_out(resend: Resend) -> ResendOut:
    return ResendOut.model_validate(codec.resend_to_json(resend))


def resends_out(found: list[Resend]) -> ResendsOut:
    return ResendsOut(items=[resend_out(r) for r in found])


def bill_out(bill: Bill) -> BillOut:
    return BillOut.model_validate(codec.bill_to_json(bill))


# Reading an answer back: the model checks its shape, the codec rebuilds the port's types (``ValueError`` or
# pydantic's ``ValidationError`` for anything malformed: the adapter reports the ledger failing).


def notice_in(body: Any) -> Notice:
    return codec.notice_from_json(NoticeOut.model_validate(body).model_dump(mode="json"))


def notices_in(body: Any) -> list[Notice]:
    return [codec.notice_from_json(n.model_dump(mode="json")) for n in NoticesOut.model_validate(body).items]


def resend_in(body: Any) -> Resend:
    return codec.resend_from_json(ResendOut.model_validate(body).model_dump(mode="json"))


def resends_in(body: Any) -> list[Resend]:
    return [codec.resend_from_json(r.model_dump(mode="json")) for r in ResendsOut.model_validate(body).items]


def bill_in(body: Any) -> Bill:
    return codec.bill_from_json(BillOut.model_validate(body).model_dump(mode="json"))
