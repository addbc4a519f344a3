"""citizens' IVR PINs

One row per citizen who enrolled a PIN for the IVR: the argon2id hash (never the PIN), the count of
consecutive wrong entries and, after too many, until when the PIN is locked. The version column makes
two calls guessing at once conflict instead of counting once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "citizen_pins",
        sa.Column("citizen_id", _ID, sa.ForeignKey("citizens.id"), autoincrement=False, nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("citizen_id"),
    )


def downgrade() -> None:
    op.drop_table("citizen_pins")
