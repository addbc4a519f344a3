"""The call desk's records in SQLAlchemy: finished calls (one row per ACD call, written once or twice: see
``crm.calls.model``) and agents' state changes (append only)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from crm.calls.model import AgentStateChange, CallKind, FinishedCall
from crm.store import call_rollups, tables

_CALL_FIELDS = tuple(f.name for f in dataclasses.fields(FinishedCall))
_CHANGE_FIELDS = tuple(f.name for f in dataclasses.fields(AgentStateChange))


class SqlCallLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save_call(self, call: FinishedCall, caller_digits: str | None = None) -> FinishedCall:
        """Insert the call, or merge it into the row of an earlier write of the same call; returns the row. The
        history's rollups follow (``crm.store.call_rollups``); ``caller_digits``: an abandoned inbound call's
        caller, kept apart for a callback (never in the call's row)."""
        c = tables.call_records.c
        row = self.session.execute(
            select(tables.call_records).where(c.call_id == call.call_id, c.enqueued_at == call.enqueued_at)
        ).first()
        if row is None:
            result = self.session.execute(insert(tables.call_records).values(**_call_values(call)))
            call_rollups.call_written(self.session, None, call)
            (record_id,) = result.inserted_primary_key  # type: ignore[attr-defined]
            call_rollups.keep_abandoned_caller(self.session, int(record_id), call, caller_digits)
            return call
        old = _call(row._mapping)
        merged = old.merged(call)
        self.session.execute(update(tables.call_records).where(c.id == row.id).values(**_call_values(merged)))
        call_rollups.call_written(self.session, old, merged)
        call_rollups.keep_abandoned_caller(self.session, int(row.id), merged, caller_digits)
        return merged

    def calls_since(self, since: dt.datetime) -> Sequence[FinishedCall]:
        """Calls that came in at or after ``since``, oldest first."""
        c = tables.call_records.c
        rows = self.session.execute(select(tables.call_records).where(c.enqueued_at >= since).order_by(c.enqueued_at))
        return [_call(row._mapping) for row in rows]

    def add_state_change(self, change: AgentStateChange) -> None:
        call_rollups.state_changed(self.session, change)
        self.session.execute(insert(tables.agent_state_changes).values(**dataclasses.asdict(change)))

    def state_changes_since(self, since: dt.datetime) -> Sequence[AgentStateChange]:
        c = tables.agent_state_changes.c
        rows = self.session.execute(select(tables.agent_state_changes).where(c.at >= since).order_by(c.at, c.id))
        return [AgentStateChange(**{name: row._mapping[name] for name in _CHANGE_FIELDS}) for row in rows]


def _call_values(call: FinishedCall) -> dict[str, Any]:
    values = {name: getattr(call, name) for name in _CALL_FIELDS}
    values["kind"] = str(call.kind)
    return values


def _call(mapping: Any) -> FinishedCall:
    values = {name: mapping[name] for name in _CALL_FIELDS}
    values["kind"] = CallKind(values["kind"])
    return FinishedCall(**values)
