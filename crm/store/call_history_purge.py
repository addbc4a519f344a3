"""Retention of the call desk's records and the supervisors' history (part of ``crm.store.purge``).

Call records, agents' state changes and the rollups built from them go once older than ``records_days``; an
abandoned caller goes with its call record, and its digits (kept for a supervisor's callback) go after
``caller_days``, leaving the masked number with the record. The supervisors' actions (their audit, messages to
agents included) and the imported staffing schedules go after the same ``records_days``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, Table, delete, func, select, update
from sqlalchemy.orm import Session

from crm.store import tables as t
from kernel.calendar import to_seoul


def purge_call_history(
    session: Session, now: dt.datetime, records_days: int, caller_days: int, dry_run: bool = False
) -> dict[str, int]:
    """Delete (or with ``dry_run`` count) what is past its period, in the caller's transaction; counts per kind."""
    counts: dict[str, int] = {}

    def run(name: str, table: Table, condition: ColumnElement[bool]) -> None:
        if dry_run:
            counts[name] = int(session.scalar(select(func.count()).select_from(table).where(condition)) or 0)
        else:
            counts[name] = session.execute(delete(table).where(condition)).rowcount or 0  # type: ignore[attr-defined]

    cutoff = now - dt.timedelta(days=records_days)
    first_day = to_seoul(cutoff).date()  # a daily row goes once its whole Seoul day is past the period
    a = t.abandoned_callers.c
    run("abandoned_callers", t.abandoned_callers, a.enqueued_at < cutoff)  # before their records (no cascade on SQLite)
    run("call_records", t.call_records, t.call_records.c.enqueued_at < cutoff)
    run("agent_state_changes", t.agent_state_changes, t.agent_state_changes.c.at < cutoff)
    run("call_rollups", t.call_rollups, t.call_rollups.c.interval_start < cutoff)
    run("call_rollups_daily", t.call_rollups_daily, t.call_rollups_daily.c.day < first_day)
    run("agent_state_rollups", t.agent_state_rollups, t.agent_state_rollups.c.interval_start < cutoff)
    run("agent_state_rollups_daily", t.agent_state_rollups_daily, t.agent_state_rollups_daily.c.day < first_day)
    run("supervisor_actions", t.supervisor_actions, t.supervisor_actions.c.at < cutoff)
    run("staffing_schedules", t.staffing_schedules, t.staffing_schedules.c.interval_start < cutoff)
    expired = (a.enqueued_at < now - dt.timedelta(days=caller_days)) & a.caller_digits.is_not(None)
    if dry_run:
        counts["abandoned_caller_digits"] = int(
            session.scalar(select(func.count()).select_from(t.abandoned_callers).where(expired)) or 0
        )
    else:
        result = session.execute(update(t.abandoned_callers).where(expired).values(caller_digits=None))
        counts["abandoned_caller_digits"] = result.rowcount or 0  # type: ignore[attr-defined]
    return counts
