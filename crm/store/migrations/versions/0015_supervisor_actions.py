"""supervisor actions: the audit of what supervisors did from the wallboard

(A stub in the chain, filled in by the work that owns it.)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 12:30:00
"""

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
