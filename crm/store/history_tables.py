"""The tables of the supervisors' history (migration 0013), defined on ``crm.store.tables.metadata`` by ``define``.

``call_rollups`` holds one ``crm.calls.tally.CallTally`` per 15-minute interval (UTC start, by the call's
``enqueued_at``), queue, answering center and agent; ``call_rollups_daily`` the same per Seoul day, so a month or
a year is read from a few thousand rows. A call without an answering center or agent is kept under ``''`` and
``0`` (not NULL: the rows are upserted on their key, and NULLs never conflict). ``agent_state_rollups`` (and its
daily twin) hold the seconds agents spent per state and reason code (``''`` for none). ``abandoned_callers``:
the caller of an abandoned inbound call, masked for lists, and its digits for a callback until a short
retention drops them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Date, Float, ForeignKey, Index, Integer, MetaData, PrimaryKeyConstraint, String, Table

from crm.calls.tally import WAIT_EDGES_S

#: The CallTally fields as columns: ``answered_within`` becomes one column per wait edge.
WITHIN_COLUMNS = tuple(f"answered_within_{edge}" for edge in WAIT_EDGES_S)
INT_COLUMNS = ("offered", "answered", *WITHIN_COLUMNS, "abandoned", "abandoned_short", "handled", "transferred",
               "callbacks", "overflowed")  # fmt: skip
FLOAT_COLUMNS = ("answered_wait_s", "abandoned_wait_s", "talk_s", "hold_s", "wrapup_s")
TALLY_COLUMNS = INT_COLUMNS + FLOAT_COLUMNS
CALL_KEY = ("queue_center", "queue_skill", "answered_center", "agent_id")
STATE_KEY = ("agent_id", "center", "state", "reason")
#: The state tables' primary key after the period: center first, so a report of centers reads it in order.
STATE_PK = ("center", "state", "reason", "agent_id")


def _tally() -> list[Column[object]]:
    ints = [Column(name, Integer, nullable=False, default=0) for name in INT_COLUMNS]
    floats = [Column(name, Float, nullable=False, default=0.0) for name in FLOAT_COLUMNS]
    return [*ints, *floats]


def _call_key(Id: Any) -> list[Column[object]]:
    return [
        Column("queue_center", String(20), nullable=False),
        Column("queue_skill", String(40), nullable=False),
        Column("answered_center", String(20), nullable=False),  # '' when nobody answered
        Column("agent_id", Id, nullable=False),  # 0 when nobody answered
    ]


def _state_key(Id: Any) -> list[Column[object]]:
    return [
        Column("agent_id", Id, nullable=False),
        Column("center", String(20), nullable=False),
        Column("state", String(20), nullable=False),
        Column("reason", String(40), nullable=False),  # a reason code, '' for none
    ]


def define(metadata: MetaData, Id: Any, UTCDateTime: Any) -> tuple[Table, Table, Table, Table, Table]:
    """The five tables on the store's ``metadata`` (called once, by ``crm.store.tables``): call_rollups,
    call_rollups_daily, agent_state_rollups, agent_state_rollups_daily, abandoned_callers."""
    call_rollups = Table(
        "call_rollups",
        metadata,
        Column("interval_start", UTCDateTime, nullable=False),
        *_call_key(Id),
        *_tally(),
        PrimaryKeyConstraint("interval_start", *CALL_KEY, name="pk_call_rollups"),
    )
    Index("ix_call_rollups_center_interval", call_rollups.c.queue_center, call_rollups.c.interval_start)

    call_rollups_daily = Table(
        "call_rollups_daily",
        metadata,
        Column("day", Date, nullable=False),  # Seoul day
        *_call_key(Id),
        *_tally(),
        PrimaryKeyConstraint("day", *CALL_KEY, name="pk_call_rollups_daily"),
    )

    agent_state_rollups = Table(
        "agent_state_rollups",
        metadata,
        Column("interval_start", UTCDateTime, nullable=False),
        *_state_key(Id),
        Column("seconds", Float, nullable=False),
        PrimaryKeyConstraint("interval_start", *STATE_PK, name="pk_agent_state_rollups"),
    )
    Index("ix_agent_state_rollups_center_interval", agent_state_rollups.c.center, agent_state_rollups.c.interval_start)

    agent_state_rollups_daily = Table(
        "agent_state_rollups_daily",
        metadata,
        Column("day", Date, nullable=False),
        *_state_key(Id),
        Column("seconds", Float, nullable=False),
        PrimaryKeyConstraint("day", *STATE_PK, name="pk_agent_state_rollups_daily"),
    )

    abandoned_callers = Table(
        "abandoned_callers",
        metadata,
        Column("call_record_id", Id, ForeignKey("call_records.id", ondelete="CASCADE"), primary_key=True),
        Column("center", String(20), nullable=False),
        Column("skill", String(40), nullable=False),
        Column("enqueued_at", UTCDateTime, nullable=False),
        Column("caller_masked", String(40)),  # 010-****-5678
        Column("caller_digits", String(20)),  # for the callback only; dropped after a short retention
        Column("callback_requested_at", UTCDateTime),
        Column("callback_requested_by", String(64)),  # the supervisor's login
    )
    Index("ix_abandoned_callers_center_enqueued_at", abandoned_callers.c.center, abandoned_callers.c.enqueued_at)
    Index("ix_abandoned_callers_enqueued_at", abandoned_callers.c.enqueued_at)
    return call_rollups, call_rollups_daily, agent_state_rollups, agent_state_rollups_daily, abandoned_callers
