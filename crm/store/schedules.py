"""The case store's side of the staffing schedules: replace the agents of a center's intervals, read them back.

Rows are ``(interval_start, agents)`` with aware interval starts, stored in UTC; an import replaces exactly the
intervals it names (deleted, then inserted, in the caller's transaction) and leaves the others alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select

from crm.store import tables as t
from kernel.calendar import utc

_CHUNK = 500


def center_exists(conn: Connection, center: str) -> bool:
    return conn.execute(select(t.centers.c.code).where(t.centers.c.code == center)).first() is not None


def replace_schedule(
    conn: Connection,
    center: str,
    rows: Sequence[tuple[dt.datetime, int]],
    imported_by: str,
    imported_at: dt.datetime,
) -> int:
    """Write ``rows`` for ``center``, replacing what those intervals held; returns the rows written."""
    c = t.staffing_schedules.c
    starts = [utc(start) for start, _ in rows]
    for i in range(0, len(starts), _CHUNK):
        conn.execute(
            delete(t.staffing_schedules).where(c.center_code == center, c.interval_start.in_(starts[i : i + _CHUNK]))
        )
    values = [
        {
            "center_code": center,
            "interval_start": start,
            "agents": agents,
            "imported_by": imported_by,
            "imported_at": utc(imported_at),
        }
        for start, (_, agents) in zip(starts, rows, strict=True)
    ]
    for i in range(0, len(values), _CHUNK):
        conn.execute(insert(t.staffing_schedules), values[i : i + _CHUNK])
    return len(values)


def read_schedule(conn: Connection, center: str, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """``(interval_start UTC, agents)`` of ``center`` with ``start`` ≤ interval start < ``end``, in time order."""
    c = t.staffing_schedules.c
    query = (
        select(c.interval_start, c.agents)
        .where(c.center_code == center, c.interval_start >= utc(start), c.interval_start < utc(end))
        .order_by(c.interval_start)
    )
    return [(utc(row.interval_start), int(row.agents)) for row in conn.execute(query)]
