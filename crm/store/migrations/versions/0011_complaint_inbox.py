"""신문고 inbox: complaint text, status, deadline and answer

Each complaint keeps its text (``body``) and the PII-masked copy analytics and other centers read
(``body_masked``), its status (received → claimed → answered → closed), its 처리기한 (``due_at``), who claimed
it and when, the answer (who, when), when it was closed and the center of its last hand-off. A new table
``complaint_events`` records every change of a complaint (claims, answers, hand-offs with their summary).

Existing rows become ``received`` with empty text, and their ``due_at`` is computed here: 7 working days
after receipt by the Korean calendar (``kernel.calendar``, public holidays; temporary holidays declared in
the configuration are not known to a migration), the default of ``continuity.complaint_due_working_days``.
The column stays nullable: the domain always sets it, and a row written outside it (a bulk load) without one
has no known 처리기한 — never overdue, listed after every dated complaint.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 06:15:00
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

from kernel.calendar import WorkCalendar

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)
DEFAULT_DUE_DAYS = 7
_STATUSES = ("received", "claimed", "answered", "closed", "handed-off")
_EVENT_KINDS = ("received", "claimed", "released", "answered", "closed", "handed-off", "linked")


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("body", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("body_masked", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column(
                "status",
                sa.Enum(*_STATUSES, name="complaintstatus", native_enum=False, length=20),
                nullable=False,
                server_default="received",
            )
        )
        batch.add_column(sa.Column("due_at", _WHEN, nullable=True))
        batch.add_column(sa.Column("claimed_by", _ID, nullable=True))
        batch.add_column(sa.Column("claimed_at", _WHEN, nullable=True))
        batch.add_column(sa.Column("answer", sa.Text(), nullable=True))
        batch.add_column(sa.Column("answered_at", _WHEN, nullable=True))
        batch.add_column(sa.Column("answered_by", _ID, nullable=True))
        batch.add_column(sa.Column("closed_at", _WHEN, nullable=True))
        batch.add_column(sa.Column("handed_off_to", sa.String(length=20), nullable=True))
        batch.create_foreign_key("fk_complaints_claimed_by_agents", "agents", ["claimed_by"], ["id"])
        batch.create_foreign_key("fk_complaints_answered_by_agents", "agents", ["answered_by"], ["id"])
        batch.create_foreign_key("fk_complaints_handed_off_to_centers", "centers", ["handed_off_to"], ["code"])
        batch.create_index("ix_complaints_inbox", ["assigned_center", "due_at", "id"])
    _fill_due_dates()
    op.create_table(
        "complaint_events",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("complaint_id", _ID, sa.ForeignKey("complaints.id"), nullable=False),
        sa.Column("at", _WHEN, nullable=False),
        sa.Column(
            "kind", sa.Enum(*_EVENT_KINDS, name="complainteventkind", native_enum=False, length=20), nullable=False
        ),
        sa.Column("actor_login", sa.String(length=64), nullable=False),
        sa.Column("actor_id", _ID, sa.ForeignKey("agents.id"), nullable=True),
        sa.Column("center_code", sa.String(length=20), sa.ForeignKey("centers.code"), nullable=True),
        sa.Column("to_center", sa.String(length=20), sa.ForeignKey("centers.code"), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_complaint_events"),
    )
    op.create_index("ix_complaint_events_complaint_id", "complaint_events", ["complaint_id"])


def _fill_due_dates() -> None:
    """7 working days after receipt, for the rows recorded before the inbox existed."""
    complaints = sa.table(
        "complaints", sa.column("id", _ID), sa.column("received_at", _WHEN), sa.column("due_at", _WHEN)
    )
    conn = op.get_bind()
    calendar = WorkCalendar()
    sqlite = conn.dialect.name == "sqlite"
    rows = conn.execute(sa.select(complaints.c.id, complaints.c.received_at)).all()
    for complaint_id, received_at in rows:
        if isinstance(received_at, str):  # SQLite without the store's type decorator
            received_at = dt.datetime.fromisoformat(received_at)
        if received_at.tzinfo is None:
            received_at = received_at.replace(tzinfo=dt.UTC)
        due = calendar.add_working_days(received_at, DEFAULT_DUE_DAYS)
        value = due.replace(tzinfo=None) if sqlite else due  # the store keeps naive UTC on SQLite
        conn.execute(sa.update(complaints).where(complaints.c.id == complaint_id).values(due_at=value))


def downgrade() -> None:
    op.drop_index("ix_complaint_events_complaint_id", table_name="complaint_events")
    op.drop_table("complaint_events")
    with op.batch_alter_table("complaints") as batch:
        batch.drop_index("ix_complaints_inbox")
        batch.drop_constraint("fk_complaints_handed_off_to_centers", type_="foreignkey")
        batch.drop_constraint("fk_complaints_answered_by_agents", type_="foreignkey")
        batch.drop_constraint("fk_complaints_claimed_by_agents", type_="foreignkey")
        for column in ("handed_off_to", "closed_at", "answered_by", "answered_at", "answer", "claimed_at",
                       "claimed_by", "due_at", "status", "body_masked", "body"):  # fmt: skip
            batch.drop_column(column)
