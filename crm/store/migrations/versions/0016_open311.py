"""open311: the apps allowed to file Open311 GeoReport v2 requests, and the requests they filed

``open311_apps`` holds each app's key as a SHA-256 (and an 8-character prefix), never the key.
``open311_requests`` holds one row per request: the app, when and from where, the service, place and
submitter's contact fields (blanked after ``retention.open311_contact_days``), what became of it (accepted
with its complaint, held for review, rejected) and the classifier's suggestion. Indexes serve an app's
reads (app_id, submitted_at, id), public reads (submitted_at, id), duplicate detection (fingerprint,
submitted_at), the held list (by its reason) and the classification batch.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "open311_apps",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_prefix", sa.String(length=8), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_open311_apps"),
        sa.UniqueConstraint("name", name="uq_open311_apps_name"),
        sa.UniqueConstraint("key_hash", name="uq_open311_apps_key_hash"),
    )
    op.create_table(
        "open311_requests",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("app_id", _ID, nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("service_code", sa.String(length=40), nullable=False),
        sa.Column("jurisdiction", sa.String(length=100), nullable=False),
        sa.Column("center_code", sa.String(length=20), nullable=False),
        sa.Column("disposition", sa.String(length=20), nullable=False),
        sa.Column("submitted_at", _WHEN, nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("long", sa.Float(), nullable=True),
        sa.Column("address_string", sa.String(length=300), nullable=True),
        sa.Column("address_id", sa.String(length=100), nullable=True),
        sa.Column("media_url", sa.String(length=2048), nullable=True),
        sa.Column("first_name", sa.String(length=50), nullable=True),
        sa.Column("last_name", sa.String(length=50), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("device_id", sa.String(length=100), nullable=True),
        sa.Column("account_id", sa.String(length=100), nullable=True),
        sa.Column("attributes_json", sa.Text(), nullable=False),
        sa.Column("app_request_id", sa.String(length=100), nullable=True),
        sa.Column("held_reason", sa.String(length=200), nullable=True),
        sa.Column("complaint_id", _ID, nullable=True),
        sa.Column("category_suggested", sa.String(length=100), nullable=True),
        sa.Column("classified_at", _WHEN, nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", _WHEN, nullable=True),
        sa.Column("review_note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(["app_id"], ["open311_apps.id"], name="fk_open311_requests_app_id_open311_apps"),
        sa.ForeignKeyConstraint(["center_code"], ["centers.code"], name="fk_open311_requests_center_code_centers"),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name="fk_open311_requests_complaint_id_complaints"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_open311_requests"),
        sa.UniqueConstraint("token", name="uq_open311_requests_token"),
        sa.UniqueConstraint("app_id", "app_request_id", name="uq_open311_requests_app_id"),
    )
    op.create_index("ix_open311_requests_submitted", "open311_requests", ["submitted_at", "id"])
    op.create_index("ix_open311_requests_app_submitted", "open311_requests", ["app_id", "submitted_at", "id"])
    op.create_index("ix_open311_requests_fingerprint", "open311_requests", ["fingerprint", "submitted_at"])
    op.create_index("ix_open311_requests_held", "open311_requests", ["held_reason"])
    op.create_index("ix_open311_requests_classified", "open311_requests", ["classified_at", "id"])
    op.create_index("ix_open311_requests_complaint_id", "open311_requests", ["complaint_id"])


def downgrade() -> None:
    for name in ("complaint_id", "classified", "held", "fingerprint", "app_submitted", "submitted"):
        op.drop_index(f"ix_open311_requests_{name}", table_name="open311_requests")
    op.drop_table("open311_requests")
    op.drop_table("open311_apps")
