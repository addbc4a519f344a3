"""The ``supervisor_actions`` table: the audit rows of supervisors' actions, and an agent's messages from them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from crm.store.tables import supervisor_actions as t


def insert_action(session: Session, values: dict[str, Any]) -> int:
    result = session.execute(insert(t).values(**values).returning(t.c.id))
    return int(result.scalar_one())


def messages_to(session: Session, login: str, since: dt.datetime, limit: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(t.c.id, t.c.at, t.c.actor_login, t.c.detail)
        .where(t.c.target_login == login, t.c.action == "message", t.c.at >= since)
        .order_by(t.c.id.desc())
        .limit(limit)
    ).all()
    return [{"id": r.id, "at": r.at, "from_login": r.actor_login, "text": str(r.detail.get("text", ""))} for r in rows]
