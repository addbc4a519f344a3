"""Retention: delete each kind of record once it is past its configured age, in one transaction.

The access log is kept at least two years (the database refuses younger deletes).
Closed cases go with their contacts, events, hand-offs and callbacks; 신문고
complaint records stay, unlinked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, delete, func, select, update
from sqlalchemy.orm import Session

from crm.cases.model import CallbackStatus
from crm.cases.status import CaseStatus
from crm.store import tables as t


@dataclass(frozen=True)
class Retention:
    access_log_days: int
    auth_tokens_days: int
    idempotency_keys_days: int
    closed_cases_days: int
    done_callbacks_days: int


def purge(session: Session, now: dt.datetime, retention: Retention, dry_run: bool = False) -> dict[str, int]:
    counts: dict[str, int] = {}

    def run(name: str, table: Table, condition: ColumnElement[bool]) -> None:
        if dry_run:
            counts[name] = int(session.scalar(select(func.count()).select_from(table).where(condition)) or 0)
        else:
            counts[name] = session.execute(delete(table).where(condition)).rowcount or 0  # type: ignore[attr-defined]

    def before(days: int) -> dt.datetime:
        return now - dt.timedelta(days=days)

    run("access_log", t.access_log, t.access_log.c.at < before(max(retention.access_log_days, 730)))
    run("auth_tokens", t.auth_tokens, t.auth_tokens.c.expires_at < before(retention.auth_tokens_days))
    run(
        "idempotency_keys",
        t.idempotency_keys,
        t.idempotency_keys.c.created_at < before(retention.idempotency_keys_days),
    )
    finished = [CallbackStatus.DONE, CallbackStatus.FAILED, CallbackStatus.CANCELLED]
    run(
        "callbacks",
        t.callbacks,
        t.callbacks.c.status.in_(finished) & (t.callbacks.c.created_at < before(retention.done_callbacks_days)),
    )

    old_cases = select(t.cases.c.id).where(
        t.cases.c.status == CaseStatus.CLOSED, t.cases.c.updated_at < before(retention.closed_cases_days)
    )
    if dry_run:
        counts["cases"] = int(session.scalar(select(func.count()).select_from(old_cases.subquery())) or 0)
    else:
        ids = list(session.scalars(old_cases))
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            session.execute(update(t.complaints).where(t.complaints.c.case_id.in_(chunk)).values(case_id=None))
            session.execute(delete(t.callbacks).where(t.callbacks.c.case_id.in_(chunk)))
            session.execute(delete(t.interactions).where(t.interactions.c.case_id.in_(chunk)))
            session.execute(delete(t.handoffs).where(t.handoffs.c.case_id.in_(chunk)))
            session.execute(delete(t.case_events).where(t.case_events.c.case_id.in_(chunk)))
            session.execute(delete(t.cases).where(t.cases.c.id.in_(chunk)))
        counts["cases"] = len(ids)
    return counts
