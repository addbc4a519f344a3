"""staffing: imported schedules of agents per center and interval

(A stub in the chain, filled in by the work that owns it.)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:30:00
"""

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
