"""Writing case events: the one helper every service uses so no change goes unrecorded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crm.cases.model import Case, CaseEvent, EventKind
from crm.ports import UnitOfWork
from kernel.actor import Actor


def record(
    uow: UnitOfWork,
    case: Case,
    kind: EventKind,
    actor: Actor,
    now: dt.datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> CaseEvent:
    assert case.id is not None, "flush the case before recording its events"
    event = CaseEvent(
        case_id=case.id,
        at=now,
        kind=kind,
        actor_agent_id=actor.agent_id,
        actor=actor.login,
        before=before,
        after=after,
    )
    uow.events.append(event)
    case.updated_at = now
    return event
