"""supervisor actions: the audit of what supervisors did from the wallboard

One row per action a supervisor (or an admin) took: an agent's state changed with a reason, an agent moved
between queues (skills), a message sent to an agent's console, a callback started for an abandoned caller.
Who, when, on which center and agent (or call record), and what (``detail``); never a phone number.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 12:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "supervisor_actions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", _ID, nullable=False),
        sa.Column("actor_login", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("center", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("target_login", sa.String(length=64), nullable=True),
        sa.Column("call_record_id", _ID, nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_supervisor_actions"),
    )
    op.create_index("ix_supervisor_actions_at", "supervisor_actions", ["at"])
    op.create_index("ix_supervisor_actions_target_at", "supervisor_actions", ["target_login", "at"])


def downgrade() -> None:
    op.drop_index("ix_supervisor_actions_target_at", table_name="supervisor_actions")
    op.drop_index("ix_supervisor_actions_at", table_name="supervisor_actions")
    op.drop_table("supervisor_actions")
