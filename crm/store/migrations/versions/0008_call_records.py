"""the call desk's records: finished calls and agents' state changes

One row per call an ACD queue handled (answered and wrapped up, abandoned, or handed on by a transfer) and
one per agent state change: ids, centers, queues, times, outcomes and reason codes only; no phone number, no
citizen, no free text. The supervisors' history and the board's restart read them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "call_records",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("queue_center", sa.String(length=20), nullable=False),
        sa.Column("queue_skill", sa.String(length=40), nullable=False),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sip_call_id", sa.String(length=200), nullable=True),
        sa.Column("dialled_center", sa.String(length=20), nullable=True),
        sa.Column("answered_center", sa.String(length=20), nullable=True),
        sa.Column("agent_id", _ID, nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("wrapup_ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("abandoned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hold_seconds", sa.Float(), nullable=False),
        sa.Column("overflowed", sa.Boolean(), nullable=False),
        sa.Column("transferred_to", sa.String(length=80), nullable=True),
        sa.Column("disposition", sa.String(length=30), nullable=True),
        sa.Column("interaction_id", _ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_call_records"),
        sa.UniqueConstraint("call_id", "enqueued_at", name="uq_call_records_call_enqueued"),
    )
    op.create_index("ix_call_records_enqueued_at", "call_records", ["enqueued_at"])
    op.create_table(
        "agent_state_changes",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("agent_id", _ID, nullable=False),
        sa.Column("center", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("previous", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_agent_state_changes"),
    )
    op.create_index("ix_agent_state_changes_at", "agent_state_changes", ["at"])


def downgrade() -> None:
    op.drop_index("ix_agent_state_changes_at", table_name="agent_state_changes")
    op.drop_table("agent_state_changes")
    op.drop_index("ix_call_records_enqueued_at", table_name="call_records")
    op.drop_table("call_records")
