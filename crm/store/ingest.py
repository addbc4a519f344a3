"""Group commit for finished contacts: many contacts per transaction, each one whole or rejected alone.

One transaction per contact makes every contact pay a commit (an fsync on
PostgreSQL); here a batch shares one. Rows go in with Core ``executemany``
(``INSERT … RETURNING`` keeps ids in parameter order), lookups are one query per
batch. A contact that breaks a rule is rejected with its reason before anything
is written, so it never takes the others down.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from crm.cases.ingest import FinishedContact, Rejected, check_contact, contact_event, to_interaction
from crm.cases.model import Case
from crm.store import tables as t


@dataclass
class IngestResult:
    interaction_ids: list[int | None] = field(default_factory=list)  # per contact, None when rejected
    rejected: list[Rejected] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return sum(1 for i in self.interaction_ids if i is not None)


def ingest_contacts(session: Session, contacts: Sequence[FinishedContact]) -> IngestResult:
    """Write ``contacts`` in the session's transaction (the caller commits, once for the whole batch)."""
    centers = {code: active for code, active in session.execute(select(t.centers.c.code, t.centers.c.active))}
    numbers = {c.case_number for c in contacts if c.case_number is not None}
    cases: dict[str, Case] = {}
    if numbers:
        cases = {case.number: case for case in session.scalars(select(Case).where(t.cases.c.number.in_(numbers)))}
    result = IngestResult(interaction_ids=[None] * len(contacts))
    accepted: list[tuple[int, FinishedContact, Case | None]] = []
    for index, contact in enumerate(contacts):
        case = cases.get(contact.case_number) if contact.case_number else None
        problem = check_contact(contact, centers, case)
        if problem is not None:
            result.rejected.append(Rejected(index, problem.code, problem.message))
        else:
            accepted.append((index, contact, case))
    if not accepted:
        return result
    rows = [_row(to_interaction(contact, case)) for _, contact, case in accepted]
    ids = (
        session.execute(insert(t.interactions).returning(t.interactions.c.id, sort_by_parameter_order=True), rows)
        .scalars()
        .all()
    )
    events = []
    touched: dict[int, dt.datetime] = {}
    for (index, contact, case), interaction_id in zip(accepted, ids, strict=True):
        result.interaction_ids[index] = interaction_id
        if case is not None and case.id is not None:
            event = contact_event(contact, case, interaction_id)
            events.append(
                {
                    "case_id": event.case_id,
                    "at": event.at,
                    "kind": event.kind,
                    "actor": event.actor,
                    "actor_agent_id": event.actor_agent_id,
                    "before": None,
                    "after": event.after,
                }
            )
            touched[case.id] = max(touched.get(case.id, contact.ended_at), contact.ended_at)
    if events:
        session.execute(insert(t.case_events), events)
        session.execute(
            update(t.cases).where(t.cases.c.id == bindparam("b_id")).values(updated_at=bindparam("b_at")),
            [{"b_id": case_id, "b_at": at} for case_id, at in touched.items()],
            execution_options={"synchronize_session": False},
        )
    return result


def _row(interaction: object) -> dict[str, object]:
    return {column.name: getattr(interaction, column.name) for column in t.interactions.columns if column.name != "id"}
