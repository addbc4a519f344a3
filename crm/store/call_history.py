"""The supervisors' history read from the rollups (queries only; ``crm.store.call_rollups`` keeps them).

Sums of the 15-minute rows (``daily=False``) or the Seoul-day rows (``daily=True``) of a period, grouped by the
columns asked for; the abandoned-call list; and the two calls the wallboard's callback action needs
(``abandoned_caller``, ``mark_callback_requested``). Periods are half-open, ``[start, end)``: UTC instants for the
interval rows, Seoul dates for the daily ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from crm.calls.model import CallKind
from crm.calls.tally import CallTally
from crm.store import tables as t
from crm.store.call_rollups import tally_of
from crm.store.history_tables import CALL_KEY, STATE_KEY, TALLY_COLUMNS


@dataclass(frozen=True)
class CallSum:
    period: dt.datetime | dt.date  # the interval's UTC start, or the Seoul day
    key: tuple[Any, ...]  # the values of the grouping columns, in their order
    values: tuple[float, ...]  # the sums, in the order of ``TALLY_COLUMNS`` (add them up before ``tally_of``)

    @property
    def calls(self) -> CallTally:
        return tally_of(dict(zip(TALLY_COLUMNS, self.values, strict=True)))


@dataclass(frozen=True)
class StateSum:
    period: dt.datetime | dt.date
    key: tuple[Any, ...]
    state: str
    reason: str  # '' for none
    seconds: float


@dataclass(frozen=True)
class AbandonedRow:
    call_record_id: int
    enqueued_at: dt.datetime
    center: str
    skill: str
    caller_masked: str | None
    wait_s: float
    callback_requested: bool


def _period(table: Any, daily: bool) -> Any:
    return table.c.day if daily else table.c.interval_start


def _bucket(session: Session, day: Any, bucket: str | None) -> Any:
    """The daily rows' day, or the Monday of its week / the first of its month (``bucket``), in SQL: a year's
    report then comes back as a few thousand rows instead of one per day."""
    if bucket is None:
        return day
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.date_trunc(bucket, day))
    if bucket == "week":
        return func.date(day, "weekday 0", "-6 days")
    return func.date(day, "start of month")


def _day(value: Any) -> Any:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def call_sums(
    session: Session,
    *,
    daily: bool,
    start: dt.datetime | dt.date,
    end: dt.datetime | dt.date,
    group: Sequence[str],
    centers: Collection[str] | None = None,
    center_column: str = "queue_center",
    skill: str | None = None,
    agent_id: int | None = None,
    bucket: str | None = None,
) -> list[CallSum]:
    """The call rollups of ``[start, end)`` summed per period and ``group`` (columns of ``CALL_KEY``), for the
    rows whose ``center_column`` (``queue_center`` or ``answered_center``) is one of ``centers`` (None: all);
    ``bucket`` ("week", "month"; daily rows only): periods of a week (from Monday) or a month instead of days."""
    if any(name not in CALL_KEY for name in group) or center_column not in ("queue_center", "answered_center"):
        raise ValueError(f"not a rollup key: {group}, {center_column}")
    table = t.call_rollups_daily if daily else t.call_rollups
    period = _period(table, daily)
    keys = [table.c[name] for name in group]
    sums = [func.sum(table.c[name]).label(name) for name in TALLY_COLUMNS]
    where: list[ColumnElement[bool]] = [period >= start, period < end]
    period = _bucket(session, period, bucket) if daily else period
    if centers is not None:
        where.append(table.c[center_column].in_(sorted(centers)))
    if skill is not None:
        where.append(table.c.queue_skill == skill)
    if agent_id is not None:
        where.append(table.c.agent_id == agent_id)
    statement = select(period.label("period"), *keys, *sums).where(*where).group_by(period, *keys)
    width = len(group) + 1
    rows = session.execute(statement)
    return [CallSum(_day(row[0]), tuple(row[1:width]), tuple(v or 0 for v in row[width:])) for row in rows]


def state_sums(
    session: Session,
    *,
    daily: bool,
    start: dt.datetime | dt.date,
    end: dt.datetime | dt.date,
    group: Sequence[str],
    centers: Collection[str] | None = None,
    agent_id: int | None = None,
    bucket: str | None = None,
) -> list[StateSum]:
    """Agents' state seconds of ``[start, end)`` per period, ``group`` (columns of ``agent_id``, ``center``),
    state and reason, for agents of ``centers`` (None: all)."""
    if any(name not in STATE_KEY[:2] for name in group):
        raise ValueError(f"not a state rollup key: {group}")
    table = t.agent_state_rollups_daily if daily else t.agent_state_rollups
    period = _period(table, daily)
    keys = [table.c[name] for name in group]
    where: list[ColumnElement[bool]] = [period >= start, period < end]
    period = _bucket(session, period, bucket) if daily else period
    if centers is not None:
        where.append(table.c.center.in_(sorted(centers)))
    if agent_id is not None:
        where.append(table.c.agent_id == agent_id)
    statement = (
        select(period.label("period"), *keys, table.c.state, table.c.reason, func.sum(table.c.seconds).label("s"))
        .where(*where)
        .group_by(period, *keys, table.c.state, table.c.reason)
    )
    width = len(group) + 1
    return [
        StateSum(_day(row[0]), tuple(row[1:width]), row[width], row[width + 1], float(row[width + 2] or 0))
        for row in session.execute(statement)
    ]


def abandoned_calls(
    session: Session,
    start: dt.datetime,
    end: dt.datetime,
    centers: Collection[str] | None = None,
    skill: str | None = None,
    limit: int = 1000,
) -> list[AbandonedRow]:
    """Abandoned inbound calls that entered a queue in ``[start, end)``, newest first, with their masked caller
    (None when the number was withheld)."""
    r, a = t.call_records.c, t.abandoned_callers.c
    where: list[ColumnElement[bool]] = [
        r.enqueued_at >= start, r.enqueued_at < end, r.kind == str(CallKind.INBOUND), r.abandoned_at.is_not(None),
    ]  # fmt: skip
    if centers is not None:
        where.append(r.queue_center.in_(sorted(centers)))
    if skill is not None:
        where.append(r.queue_skill == skill)
    statement = (
        select(
            r.id, r.enqueued_at, r.abandoned_at, r.queue_center, r.queue_skill, a.caller_masked, a.callback_requested_at
        )
        .select_from(t.call_records.outerjoin(t.abandoned_callers, a.call_record_id == r.id))
        .where(*where)
        .order_by(r.enqueued_at.desc(), r.id.desc())
        .limit(limit)
    )
    return [
        AbandonedRow(int(row.id), row.enqueued_at, row.queue_center, row.queue_skill, row.caller_masked,
                     (row.abandoned_at - row.enqueued_at).total_seconds(), row.callback_requested_at is not None)
        for row in session.execute(statement)
    ]  # fmt: skip


def abandoned_caller(session: Session, call_record_id: int) -> tuple[str, str, str | None, bool] | None:
    """An abandoned call's caller for a callback: (center, skill, digits or None once purged, callback already
    requested); None when the call has no caller kept."""
    a = t.abandoned_callers.c
    row = session.execute(
        select(a.center, a.skill, a.caller_digits, a.callback_requested_at).where(a.call_record_id == call_record_id)
    ).first()
    if row is None:
        return None
    return row.center, row.skill, row.caller_digits, row.callback_requested_at is not None


def mark_callback_requested(session: Session, call_record_id: int, by_login: str, at: dt.datetime) -> None:
    """A supervisor started a callback for this caller (the first request is kept)."""
    a = t.abandoned_callers.c
    session.execute(
        update(t.abandoned_callers)
        .where(a.call_record_id == call_record_id, a.callback_requested_at.is_(None))
        .values(callback_requested_at=at, callback_requested_by=by_login)
    )
