"""post-call transcription queue

One job per call recording, durable across restarts of the transcriber
(crm.cases.transcription). Interactions get an index on their recording
reference: the transcriber shares a call's transcript out over the contacts
that share its recording.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 13:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcription_jobs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("recording_ref", sa.String(length=300), nullable=False),
        sa.Column("enqueued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recording_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audio_seconds", sa.Float(), nullable=True),
        sa.Column("state", sa.Enum("pending", "running", "done", "skipped", "failed", name="jobstate", native_enum=False, length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_code", sa.String(length=60), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcription_jobs")),
        sa.UniqueConstraint("recording_ref", name=op.f("uq_transcription_jobs_recording_ref")),
    )
    op.create_index("ix_transcription_jobs_state_available", "transcription_jobs", ["state", "available_at"])
    op.create_index("ix_interactions_recording_ref", "interactions", ["recording_ref"])


def downgrade() -> None:
    op.drop_index("ix_interactions_recording_ref", table_name="interactions")
    op.drop_index("ix_transcription_jobs_state_available", table_name="transcription_jobs")
    op.drop_table("transcription_jobs")
