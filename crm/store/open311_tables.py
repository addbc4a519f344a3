"""Tables of Open311 (migration 0016): the apps allowed to file requests, and the requests they filed.

On the case store's ``metadata`` (``crm.store.tables``), so Alembic's drift check and the schema tests see
them; ``crm.store.mapping`` imports this module, which registers them wherever the store is used.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, String, Table, Text, UniqueConstraint

from crm.open311.model import Disposition
from crm.store.tables import Id, StrEnum, UTCDateTime, metadata

open311_apps = Table(
    "open311_apps",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False, unique=True),  # SHA-256 hex of the key; never the key
    Column("key_prefix", String(8), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("revoked_at", UTCDateTime),
)

open311_requests = Table(
    "open311_requests",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),  # the service_request_id
    Column("app_id", Id, ForeignKey("open311_apps.id"), nullable=False),
    Column("token", String(64), nullable=False, unique=True),
    Column("service_code", String(40), nullable=False),
    Column("jurisdiction", String(100), nullable=False),
    Column("center_code", String(20), ForeignKey("centers.code"), nullable=False),
    Column("disposition", StrEnum(Disposition, 20), nullable=False),
    Column("submitted_at", UTCDateTime, nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("remote_addr", String(64), nullable=False),  # blanked after retention.open311_contact_days
    Column("lat", Float),
    Column("long", Float),
    Column("address_string", String(300)),
    Column("address_id", String(100)),
    Column("media_url", String(2048)),
    # the submitter's contact fields: never shown to any app, nulled after retention.open311_contact_days
    Column("first_name", String(50)),
    Column("last_name", String(50)),
    Column("email", String(254)),
    Column("phone", String(40)),
    Column("device_id", String(100)),
    Column("account_id", String(100)),
    Column("attributes_json", Text, nullable=False),
    Column("app_request_id", String(100)),
    Column("held_reason", String(200)),
    Column("complaint_id", Id, ForeignKey("complaints.id"), index=True),
    Column("category_suggested", String(100)),
    Column("classified_at", UTCDateTime),
    Column("description", Text, nullable=False),  # only while no complaint holds the text (held, rejected)
    Column("reviewed_by", String(64)),
    Column("reviewed_at", UTCDateTime),
    Column("review_note", String(500)),
    UniqueConstraint("app_id", "app_request_id", name="uq_open311_requests_app_id"),
    Index("ix_open311_requests_submitted", "submitted_at", "id"),  # public reads, newest first
    Index("ix_open311_requests_app_submitted", "app_id", "submitted_at", "id"),  # an app's reads
    Index("ix_open311_requests_fingerprint", "fingerprint", "submitted_at"),  # duplicates within 24 h
    # the held list: only ever-held rows have a reason, so this stays small (and no read by app or window,
    # which filter on disposition, is tempted by it)
    Index("ix_open311_requests_held", "held_reason"),
    Index("ix_open311_requests_classified", "classified_at", "id"),  # classify_pending's batch
)
