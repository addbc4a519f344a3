"""after-call work: wrap-up codes on contacts

``interactions.wrap_up_code``: the center's wrap-up (disposition) code the agent picked at wrap-up (one of
the center's codes, crm.cases.wrap_up_codes); empty for contacts wrapped up before, and for contacts that are
not calls. A plain ADD COLUMN (no table rebuild), so the triggers on ``interactions`` stay as they are.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 06:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("interactions", sa.Column("wrap_up_code", sa.String(length=30), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch rebuild would drop the table's triggers on SQLite.
    op.execute("ALTER TABLE interactions DROP COLUMN wrap_up_code")
