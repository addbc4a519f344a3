"""case work: category choices, agent-scheduled callbacks

``category_choices``: one row each time an agent sets a case's category after the classifier's suggestions
were shown (the case, the agent and center, the category chosen, the categories shown best first, the rank
of the chosen one among them or null, and when) — the labelled examples retraining reads; purged with the
case. ``callbacks`` gains what an agent-scheduled callback needs: the end of its time window
(``window_end``; ``due_at`` is the window's start), which number to call as a reference (``phone_ref``:
``calling:<interaction id>`` or ``phone:<citizen phone id>``, never the digits) and the scheduling agent.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 06:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "category_choices",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("case_id", _ID, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("agent_id", _ID, sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("center", sa.String(length=20), nullable=False),
        sa.Column("chosen", sa.String(length=100), nullable=False),
        sa.Column("suggested", sa.JSON(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_category_choices"),
    )
    op.create_index("ix_category_choices_case_id", "category_choices", ["case_id"])
    op.create_index("ix_category_choices_at", "category_choices", ["at"])
    with op.batch_alter_table("callbacks") as batch:
        batch.add_column(sa.Column("window_end", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("phone_ref", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("scheduled_by", _ID, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("callbacks") as batch:
        batch.drop_column("scheduled_by")
        batch.drop_column("phone_ref")
        batch.drop_column("window_end")
    op.drop_index("ix_category_choices_at", table_name="category_choices")
    op.drop_index("ix_category_choices_case_id", table_name="category_choices")
    op.drop_table("category_choices")
