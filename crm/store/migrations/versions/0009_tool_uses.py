"""agents' tool uses on contacts

One row per use of a tool (public-service search and eligibility, certificate reissue, bill inquiry, a link
sent by SMS) while an agent serves a contact: the contact, its case and citizen as they were then, the agent
and center, the tool and action, what was asked (one line, at most 200 characters), the outcome and its
detail, and the external id. The case's timeline shows them; they are purged with their contact.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tool_uses",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("interaction_id", _ID, sa.ForeignKey("interactions.id"), nullable=False),
        sa.Column("case_id", _ID, sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("citizen_id", _ID, sa.ForeignKey("citizens.id"), nullable=True),
        sa.Column("agent_id", _ID, sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("center_code", sa.String(length=20), sa.ForeignKey("centers.code"), nullable=False),
        sa.Column(
            "tool",
            sa.Enum("public-services", "certificates", "bills", "sms", name="tool", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum("ok", "not-found", "refused", "unavailable", name="tooloutcome", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("outcome_detail", sa.String(length=200), nullable=False),
        sa.Column("ref", sa.String(length=80), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tool_uses"),
    )
    op.create_index("ix_tool_uses_interaction_id", "tool_uses", ["interaction_id"])
    op.create_index("ix_tool_uses_case_id", "tool_uses", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_tool_uses_case_id", table_name="tool_uses")
    op.drop_index("ix_tool_uses_interaction_id", table_name="tool_uses")
    op.drop_table("tool_uses")
