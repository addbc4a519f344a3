"""The case store's side of case work: agents' category choices (written with a case update, read back as
JSON lines for retraining)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from crm.cases.suggestions import CategoryChoice
from crm.store import tables as t


def add_category_choice(session: Session, choice: CategoryChoice) -> None:
    session.execute(
        insert(t.category_choices).values(
            case_id=choice.case_id,
            agent_id=choice.agent_id,
            center=choice.center,
            chosen=choice.chosen,
            suggested=list(choice.suggested),
            rank=choice.rank,
            at=choice.at,
        )
    )


def category_choices(session: Session, since: dt.datetime | None = None) -> Iterator[dict[str, Any]]:
    """Every recorded choice, oldest first, as a retraining record: the case's number and category fields,
    never its text (the trainer joins the masked text from the analytics index by case number)."""
    c, k = t.category_choices.c, t.cases.c
    query = (
        select(c.id, k.number, c.agent_id, c.center, c.chosen, c.suggested, c.rank, c.at)
        .join(t.cases, t.cases.c.id == c.case_id)
        .order_by(c.at, c.id)
    )
    if since is not None:
        query = query.where(c.at >= since)
    for row in session.execute(query.execution_options(yield_per=1000)):
        yield {
            "id": row.id,
            "case_number": row.number,
            "agent_id": row.agent_id,
            "center": row.center,
            "chosen": row.chosen,
            "suggested": list(row.suggested),
            "rank": row.rank,
            "accepted": row.rank is not None,
            "at": row.at.isoformat(),
        }
