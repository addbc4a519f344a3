"""``Idempotency-Key`` on POST: the first response is stored with the work it describes and replayed after."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from crm.store import tables


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def lookup(session: Session, agent_id: int, key: str) -> tuple[str, int, object] | None:
    t = tables.idempotency_keys.c
    row = session.execute(select(t.fingerprint, t.status, t.body).where(t.agent_id == agent_id, t.key == key)).first()
    if row is None:
        return None
    return row.fingerprint, row.status, json.loads(row.body)


def store(session: Session, agent_id: int, key: str, fp: str, status: int, body: object, now: dt.datetime) -> None:
    """Stored in the same transaction as the request's own work: both land or neither does."""
    session.execute(
        insert(tables.idempotency_keys).values(
            agent_id=agent_id,
            key=key,
            fingerprint=fp,
            status=status,
            body=json.dumps(body, ensure_ascii=False),
            created_at=now,
        )
    )
