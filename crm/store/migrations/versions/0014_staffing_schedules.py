"""staffing: imported schedules of agents per center and interval

One row per center and 15-minute interval (UTC start): the agents scheduled on the phones, who imported the
figure and when. An import replaces the rows of the intervals it covers (unique center + interval).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "staffing_schedules",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("center_code", sa.String(length=20), nullable=False),
        sa.Column("interval_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agents", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["center_code"], ["centers.code"], name="fk_staffing_schedules_center_code_centers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staffing_schedules"),
        sa.UniqueConstraint("center_code", "interval_start", name="uq_staffing_schedules_center_code"),
    )


def downgrade() -> None:
    op.drop_table("staffing_schedules")
