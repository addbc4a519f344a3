"""The port's answers as JSON-ready dicts and back: what the reference service writes and the HTTP adapter
reads (pure). Dates are ISO strings, amounts integer won, statuses and channels their codes; the late charge
rule is written out for the reader (its name, Korean description and source) and re-derived from the kind
when read back. A malformed document raises ``ValueError`` (an adapter reports it as the ledger failing).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from integrations.bills.model import Channel, Notice, NoticeRecord, Payment, Standing, Status, VirtualAccount
from integrations.bills.outbox import Resend, ResendStatus
from integrations.bills.port import Bill

Json = dict[str, Any]


def _date(value: Any) -> dt.date:
    if not isinstance(value, str):
        raise ValueError(f"a date is an ISO string, not {value!r}")
    return dt.date.fromisoformat(value)


def _won(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"an amount is a non-negative integer of won, not {value!r}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, not {value!r}")
    return value


def notice_to_json(notice: Notice) -> Json:
    record, standing = notice.record, notice.standing
    return {
        "id": record.id,
        "kind": record.kind,
        "family": str(record.family),
        "agency": record.agency,
        "period": record.period,
        "principal_won": record.principal_won,
        "issued_on": record.issued_on.isoformat(),
        "due": record.due.isoformat(),
        "virtual_account": {
            "bank": record.virtual_account.bank,
            "number": record.virtual_account.number,
            "holder": record.virtual_account.holder,
        },
        "notice_channel": str(record.notice_channel),
        "payments": [
            {"paid_on": p.paid_on.isoformat(), "amount_won": p.amount_won, "channel": p.channel}
            for p in record.payments
        ],
        "fulfilled_on": record.fulfilled_on.isoformat() if record.fulfilled_on else None,
        "standing": {
            "as_of": standing.as_of.isoformat(),
            "status": str(standing.status),
            "effective_due": standing.effective_due.isoformat(),
            "days_overdue": standing.days_overdue,
            "paid_won": standing.paid_won,
            "principal_unpaid_won": standing.principal_unpaid_won,
            "surcharge_won": standing.surcharge_won,
            "amount_due_won": standing.amount_due_won,
            "partly_paid": standing.partly_paid,
        },
        "surcharge_rule": {
            "name": record.rule.name,
            "description": record.rule.description,
            "source": record.rule.source,
        },
    }


def notice_from_json(body: Json) -> Notice:
    try:
        account, standing = body["virtual_account"], body["standing"]
        record = NoticeRecord(
            id=_text(body["id"]),
            kind=_text(body["kind"]),
            agency=_text(body["agency"]),
            period=_text(body["period"]),
            principal_won=_won(body["principal_won"]),
            issued_on=_date(body["issued_on"]),
            due=_date(body["due"]),
            virtual_account=VirtualAccount(_text(account["bank"]), _text(account["number"]), _text(account["holder"])),
            notice_channel=Channel(body["notice_channel"]),
            payments=tuple(
                Payment(_date(p["paid_on"]), _won(p["amount_won"]), _text(p["channel"])) for p in body["payments"]
            ),
            fulfilled_on=_date(body["fulfilled_on"]) if body.get("fulfilled_on") is not None else None,
        )
        return Notice(
            record,
            Standing(
                as_of=_date(standing["as_of"]),
                status=Status(standing["status"]),
                effective_due=_date(standing["effective_due"]),
                days_overdue=_won(standing["days_overdue"]),
                paid_won=_won(standing["paid_won"]),
                principal_unpaid_won=_won(standing["principal_unpaid_won"]),
                surcharge_won=_won(standing["surcharge_won"]),
                amount_due_won=_won(standing["amount_due_won"]),
            ),
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"not a notice: {error!r}") from None


def resend_to_json(resend: Resend) -> Json:
    return {
        "id": resend.id,
        "notice_id": resend.notice_id,
        "channel": str(resend.channel),
        "idempotency_key": resend.idempotency_key,
        "requested_on": resend.requested_on.isoformat(),
        "status": str(resend.status),
    }


def resend_from_json(body: Json) -> Resend:
    try:
        return Resend(
            id=_text(body["id"]),
            notice_id=_text(body["notice_id"]),
            channel=Channel(body["channel"]),
            idempotency_key=_text(body["idempotency_key"]),
            requested_on=_date(body["requested_on"]),
            status=ResendStatus(body["status"]),
        )
    except (KeyError, TypeError) as error:
        raise ValueError(f"not a resend: {error!r}") from None


def bill_to_json(bill: Bill) -> Json:
    return {"kind": bill.kind, "amount_won": bill.amount_won, "due": bill.due.isoformat()}


def bill_from_json(body: Json) -> Bill:
    try:
        return Bill(_text(body["kind"]), _won(body["amount_won"]), _date(body["due"]))
    except (KeyError, TypeError) as error:
        raise ValueError(f"not a bill: {error!r}") from None
