"""call history: interval rollups of finished calls and agent states, abandoned callers

``call_rollups`` (per 15-minute interval) and ``call_rollups_daily`` (per Seoul day): one row per interval, queue,
answering center ('' for none) and agent (0 for none) with one column per ``CallTally`` counter, kept as calls
finish (an upsert adding each write's difference). ``agent_state_rollups`` and its daily twin: seconds per agent,
center, state and reason code ('' for none). ``abandoned_callers``: the masked caller of an abandoned inbound call
and, for a short retention, the digits a callback needs. ``agent_state_changes`` gains an index on (agent, time):
each change finds the agent's previous one.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 12:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_EDGES = (10, 15, 20, 30, 45, 60, 90, 120)
_INTS = ("offered", "answered", *(f"answered_within_{e}" for e in _EDGES), "abandoned", "abandoned_short", "handled",
         "transferred", "callbacks", "overflowed")  # fmt: skip
_FLOATS = ("answered_wait_s", "abandoned_wait_s", "talk_s", "hold_s", "wrapup_s")
_CALL_KEY = ("queue_center", "queue_skill", "answered_center", "agent_id")
_STATE_PK = ("center", "state", "reason", "agent_id")  # center first: reports of centers read it in order


def _call_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("queue_center", sa.String(length=20), nullable=False),
        sa.Column("queue_skill", sa.String(length=40), nullable=False),
        sa.Column("answered_center", sa.String(length=20), nullable=False),
        sa.Column("agent_id", _ID, nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _INTS),
        *(sa.Column(name, sa.Float(), nullable=False) for name in _FLOATS),
    ]


def _state_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("agent_id", _ID, nullable=False),
        sa.Column("center", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "call_rollups",
        sa.Column("interval_start", sa.DateTime(timezone=True), nullable=False),
        *_call_columns(),
        sa.PrimaryKeyConstraint("interval_start", *_CALL_KEY, name="pk_call_rollups"),
    )
    op.create_index("ix_call_rollups_center_interval", "call_rollups", ["queue_center", "interval_start"])
    op.create_table(
        "call_rollups_daily",
        sa.Column("day", sa.Date(), nullable=False),
        *_call_columns(),
        sa.PrimaryKeyConstraint("day", *_CALL_KEY, name="pk_call_rollups_daily"),
    )
    op.create_table(
        "agent_state_rollups",
        sa.Column("interval_start", sa.DateTime(timezone=True), nullable=False),
        *_state_columns(),
        sa.PrimaryKeyConstraint("interval_start", *_STATE_PK, name="pk_agent_state_rollups"),
    )
    op.create_index("ix_agent_state_rollups_center_interval", "agent_state_rollups", ["center", "interval_start"])
    op.create_table(
        "agent_state_rollups_daily",
        sa.Column("day", sa.Date(), nullable=False),
        *_state_columns(),
        sa.PrimaryKeyConstraint("day", *_STATE_PK, name="pk_agent_state_rollups_daily"),
    )
    op.create_table(
        "abandoned_callers",
        sa.Column("call_record_id", _ID, nullable=False),
        sa.Column("center", sa.String(length=20), nullable=False),
        sa.Column("skill", sa.String(length=40), nullable=False),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("caller_masked", sa.String(length=40), nullable=True),
        sa.Column("caller_digits", sa.String(length=20), nullable=True),
        sa.Column("callback_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("callback_requested_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_record_id"],
            ["call_records.id"],
            ondelete="CASCADE",
            name="fk_abandoned_callers_call_record_id_call_records",
        ),
        sa.PrimaryKeyConstraint("call_record_id", name="pk_abandoned_callers"),
    )
    op.create_index("ix_abandoned_callers_center_enqueued_at", "abandoned_callers", ["center", "enqueued_at"])
    op.create_index("ix_abandoned_callers_enqueued_at", "abandoned_callers", ["enqueued_at"])
    op.create_index("ix_agent_state_changes_agent_at", "agent_state_changes", ["agent_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_agent_state_changes_agent_at", table_name="agent_state_changes")
    op.drop_index("ix_abandoned_callers_enqueued_at", table_name="abandoned_callers")
    op.drop_index("ix_abandoned_callers_center_enqueued_at", table_name="abandoned_callers")
    op.drop_table("abandoned_callers")
    op.drop_table("agent_state_rollups_daily")
    op.drop_index("ix_agent_state_rollups_center_interval", table_name="agent_state_rollups")
    op.drop_table("agent_state_rollups")
    op.drop_table("call_rollups_daily")
    op.drop_index("ix_call_rollups_center_interval", table_name="call_rollups")
    op.drop_table("call_rollups")
