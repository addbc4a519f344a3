"""agents' phones: SIP digest HA1 per agent

Agents' phones register at the SIP edge with digest authentication; the edge
needs HA1 = MD5(login:realm:password). Only that is stored, never the password.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 08:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.add_column(sa.Column("sip_ha1", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("sip_ha1")
