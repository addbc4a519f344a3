"""call history: interval rollups of finished calls and agent states, abandoned callers

(A stub in the chain, filled in by the work that owns it.)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 12:30:00
"""

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
