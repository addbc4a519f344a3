"""The call desk's own tables, defined on ``crm.store.tables.metadata`` by ``define``: the records of calls and of
agents' state changes (ids, centers, queues, times and outcomes, never a person), a center's imported staffing
schedule (migration 0014) and what supervisors did from the wallboard (migration 0015).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)


def define(metadata: MetaData, Id: Any, UTCDateTime: Any) -> tuple[Table, Table, Table, Table]:
    """The four tables on the store's ``metadata`` (called once, by ``crm.store.tables``): call_records,
    agent_state_changes, staffing_schedules, supervisor_actions."""
    # The call desk's records (crm.calls.model): ids, centers, queues, times and outcomes only, never a person.
    call_records = Table(
        "call_records",
        metadata,
        Column("id", Id, primary_key=True, autoincrement=True),
        Column("call_id", String(120), nullable=False),  # the ACD's id: unique with its enqueue time
        Column("kind", String(20), nullable=False),
        Column("queue_center", String(20), nullable=False),
        Column("queue_skill", String(40), nullable=False),
        Column("enqueued_at", UTCDateTime, nullable=False, index=True),
        Column("sip_call_id", String(200)),
        Column("dialled_center", String(20)),
        Column("answered_center", String(20)),
        Column("agent_id", Id),
        Column("answered_at", UTCDateTime),
        Column("ended_at", UTCDateTime),
        Column("wrapup_ended_at", UTCDateTime),
        Column("abandoned_at", UTCDateTime),
        Column("hold_seconds", Float, nullable=False),
        Column("overflowed", Boolean, nullable=False),
        Column("transferred_to", String(80)),
        Column("disposition", String(30)),
        Column("interaction_id", Id),  # no foreign key: the contact may be purged before the statistics
        UniqueConstraint("call_id", "enqueued_at", name="uq_call_records_call_enqueued"),
    )

    agent_state_changes = Table(
        "agent_state_changes",
        metadata,
        Column("id", Id, primary_key=True, autoincrement=True),
        Column("agent_id", Id, nullable=False),
        Column("center", String(20), nullable=False),
        Column("at", UTCDateTime, nullable=False, index=True),
        Column("state", String(20), nullable=False),
        Column("previous", String(20), nullable=False),
        Column("reason", String(40)),  # a reason code (crm.calls.model.reason_code), never free text
    )

    Index("ix_agent_state_changes_agent_at", agent_state_changes.c.agent_id, agent_state_changes.c.at)

    # A center's imported staffing schedule per 15-minute interval (0014), read by the staffing planner.
    staffing_schedules = Table(
        "staffing_schedules",
        metadata,
        Column("id", Id, primary_key=True, autoincrement=True),
        Column("center_code", String(20), ForeignKey("centers.code"), nullable=False),
        Column("interval_start", UTCDateTime, nullable=False),
        Column("agents", Integer, nullable=False),
        Column("imported_by", String(64), nullable=False),
        Column("imported_at", UTCDateTime, nullable=False),
        UniqueConstraint("center_code", "interval_start", name="uq_staffing_schedules_center_code"),
    )

    # What supervisors did from the wallboard (0015): one row per action, written before the desk acts.
    supervisor_actions = Table(
        "supervisor_actions",
        metadata,
        Column("id", Id, primary_key=True, autoincrement=True),
        Column("at", UTCDateTime, nullable=False, index=True),
        Column("actor_id", Id, nullable=False),
        Column("actor_login", String(64), nullable=False),
        Column("actor_role", String(20), nullable=False),
        Column("center", String(20), nullable=False),
        Column("action", String(30), nullable=False),
        Column("target_login", String(64)),
        Column("call_record_id", Id),
        Column("detail", JSON, nullable=False),
    )
    Index("ix_supervisor_actions_target_at", supervisor_actions.c.target_login, supervisor_actions.c.at)
    return call_records, agent_state_changes, staffing_schedules, supervisor_actions
