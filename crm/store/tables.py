"""Table definitions of the case store (the schema Alembic migrates), kept outside the domain."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Dialect

from crm.access.evidence import Outcome
from crm.access.model import AttestationKind, Purpose, Scope
from crm.cases.complaint_records import ComplaintEventKind, ComplaintStatus
from crm.cases.model import CallbackStatus, Channel, Disposition, EventKind
from crm.cases.status import CaseStatus
from crm.cases.tool_uses import Outcome as ToolOutcome
from crm.cases.tool_uses import Tool
from crm.cases.transcription import JobState
from crm.citizens.model import Sex
from crm.store.call_tables import define as define_calls
from crm.store.history_tables import define as define_history
from kernel.actor import Role

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite has no 64-bit autoincrement alias other than INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer(), "sqlite")


def StrEnum(enum_class: type[Any], length: int = 30) -> SAEnum:
    """A Python StrEnum stored as its value in a VARCHAR (no native enum: adding values needs no migration)."""
    return SAEnum(
        enum_class,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


centers = Table(
    "centers",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("institution", String(200), nullable=False),
    Column("public_number", String(20), nullable=False, index=True),
    Column("hours", String(200), nullable=False),
    Column("service_level", String(20), nullable=False),
    Column("region", String(40)),
    Column("area_codes", JSON, nullable=False),
    Column("overflow_partners", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("demo", Boolean, nullable=False),
)

agents = Table(
    "agents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("center_code", String(20), ForeignKey("centers.code"), nullable=False, index=True),
    Column("login", String(64), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("role", StrEnum(Role, 20), nullable=False),
    Column("skills", JSON, nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("sip_ha1", String(32)),
    Column("active", Boolean, nullable=False),
    Column("created_at", UTCDateTime),
)

citizens = Table(
    "citizens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(100)),
    Column("rrn_hash", String(64), unique=True),
    Column("rrn_masked", String(14)),
    Column("birth_year", Integer),
    Column("sex", StrEnum(Sex, 1)),
    Column("region_sido", String(40)),
    Column("region_sigungu", String(40)),
    Column("consent_recording_at", UTCDateTime),
    Column("consent_eligibility_at", UTCDateTime),
    Column("created_at", UTCDateTime),
    Column("updated_at", UTCDateTime),
    Column("version", Integer, nullable=False),
)

citizen_phones = Table(
    "citizen_phones",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("citizen_id", Id, ForeignKey("citizens.id", ondelete="CASCADE"), nullable=False),
    Column("digits", String(16), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    UniqueConstraint("citizen_id", "digits", name="uq_citizen_phones_citizen_digits"),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("number", String(40), nullable=False, unique=True),
    Column("citizen_id", Id, ForeignKey("citizens.id"), nullable=False, index=True),
    Column("origin_channel", StrEnum(Channel, 20), nullable=False),
    Column("owner_center", String(20), ForeignKey("centers.code"), nullable=False),
    Column("owner_agent_id", Id, ForeignKey("agents.id")),
    Column("status", StrEnum(CaseStatus, 20), nullable=False),
    Column("category", String(100)),
    Column("suggested_category", String(100)),
    Column("summary", Text, nullable=False),
    Column("due_at", UTCDateTime),
    Column("merged_into", String(40)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_cases_owner_center_status", "owner_center", "status"),
)

case_sequences = Table(
    "case_sequences",
    metadata,
    Column("center_code", String(20), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("last_value", BigInteger, nullable=False),
)

interactions = Table(
    "interactions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), index=True),
    Column("citizen_id", Id, ForeignKey("citizens.id")),
    Column("channel", StrEnum(Channel, 20), nullable=False),
    Column("center_code", String(20), ForeignKey("centers.code"), nullable=False),
    Column("agent_id", Id, ForeignKey("agents.id")),
    Column("caller_masked", String(20)),
    Column("started_at", UTCDateTime, nullable=False),
    Column("queued_at", UTCDateTime),
    Column("answered_at", UTCDateTime),
    Column("ended_at", UTCDateTime),
    Column("completed_at", UTCDateTime),
    Column("wait_seconds", Integer),
    Column("talk_seconds", Integer),
    Column("wrapup_seconds", Integer),
    Column("disposition", StrEnum(Disposition, 30)),
    Column("notes", Text),
    Column("transcript", Text),
    Column("recording_ref", String(300)),
    Column("sip_call_id", String(200), index=True),
    Column("verified_by", Id, ForeignKey("agents.id")),
    Column("verified_method", String(40)),
    Column("verified_at", UTCDateTime),
    Column("caller_number", String(20)),
    Column("origin", String(40)),
    Column("wrap_up_code", String(30)),  # the center's wrap-up code picked at wrap-up (0010)
    # The screen-pop reads a citizen's latest contacts; serving checks an agent's open ones.
    Index("ix_interactions_citizen_started", "citizen_id", "started_at"),
    Index("ix_interactions_agent_citizen_open", "agent_id", "citizen_id", "completed_at"),
    # The transcriber shares a call's transcript out over the contacts that share its recording.
    Index("ix_interactions_recording_ref", "recording_ref"),
    # Where the row sits in the order of changes: stamped by the database's triggers (migration 0005) on every
    # insert and on every update of a column analytics read; analytics/ingest/case_store.py reads by it.
    Column("change_seq", BigInteger),
    Column("change_xid", BigInteger),  # PostgreSQL: the writing transaction's id; SQLite: 0
    Index("ix_interactions_change", "change_xid", "change_seq"),
)

# SQLite's change counters (``interactions``: the last change_seq given); PostgreSQL uses a SEQUENCE.
change_sequences = Table(
    "change_sequences",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("last_value", BigInteger, nullable=False),
)

transcription_jobs = Table(
    "transcription_jobs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("recording_ref", String(300), nullable=False, unique=True),
    Column("enqueued_at", UTCDateTime, nullable=False),
    Column("recording_started_at", UTCDateTime, nullable=False),
    Column("audio_seconds", Float),
    Column("state", StrEnum(JobState, 20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("available_at", UTCDateTime),
    Column("started_at", UTCDateTime),
    Column("finished_at", UTCDateTime),
    Column("error_code", String(60)),
    Column("error", String(500)),
    Index("ix_transcription_jobs_state_available", "state", "available_at"),
)

handoffs = Table(
    "handoffs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("from_center", String(20), nullable=False),
    Column("from_agent_id", Id, ForeignKey("agents.id")),
    Column("to_center", String(20), ForeignKey("centers.code"), nullable=False),
    Column("to_queue", String(60)),
    Column("to_agent_id", Id, ForeignKey("agents.id")),
    Column("reason", String(200), nullable=False),
    Column("summary", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("accepted_at", UTCDateTime),
    Column("accepted_by", Id, ForeignKey("agents.id")),
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", StrEnum(EventKind, 30), nullable=False),
    Column("actor_agent_id", Id),
    Column("actor", String(80), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
)

callbacks = Table(
    "callbacks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("citizen_id", Id, ForeignKey("citizens.id"), nullable=False),
    Column("center_code", String(20), ForeignKey("centers.code"), nullable=False),
    Column("interaction_id", Id, ForeignKey("interactions.id")),
    Column("due_at", UTCDateTime, nullable=False),
    Column("reason", String(60), nullable=False),
    Column("status", StrEnum(CallbackStatus, 20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # An agent-scheduled callback (0012): due_at is its window's start; which number, as a reference only.
    Column("window_end", UTCDateTime),
    Column("phone_ref", String(40)),  # "calling:<interaction id>" or "phone:<citizen phone id>"
    Column("scheduled_by", Id),
    Index("ix_callbacks_status_due", "status", "due_at"),
)

# The agent's category choice after the classifier's suggestions were shown (0012): retraining's labels.
category_choices = Table(
    "category_choices",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("agent_id", Id, ForeignKey("agents.id")),
    Column("center", String(20), nullable=False),
    Column("chosen", String(100), nullable=False),
    Column("suggested", JSON, nullable=False),
    Column("rank", Integer),
    Column("at", UTCDateTime, nullable=False, index=True),
)

complaints = Table(
    "complaints",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("sinmungo_id", String(64), nullable=False, unique=True),
    Column("received_at", UTCDateTime, nullable=False),
    Column("title", String(300), nullable=False),
    Column("citizen_id", Id, ForeignKey("citizens.id")),
    Column("case_id", Id, ForeignKey("cases.id"), index=True),
    Column("assigned_center", String(20), ForeignKey("centers.code")),
    # the 신문고 inbox (migration 0011)
    Column("body", Text, nullable=False, server_default=""),
    Column("body_masked", Text, nullable=False, server_default=""),
    Column("status", StrEnum(ComplaintStatus, 20), nullable=False, server_default="received"),
    Column("due_at", UTCDateTime),  # NULL only for rows written outside the domain: never overdue, listed last
    Column("claimed_by", Id, ForeignKey("agents.id")),
    Column("claimed_at", UTCDateTime),
    Column("answer", Text),
    Column("answered_at", UTCDateTime),
    Column("answered_by", Id, ForeignKey("agents.id")),
    Column("closed_at", UTCDateTime),
    Column("handed_off_to", String(20), ForeignKey("centers.code")),
    Index("ix_complaints_inbox", "assigned_center", "due_at", "id"),
)

complaint_events = Table(
    "complaint_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("complaint_id", Id, ForeignKey("complaints.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", StrEnum(ComplaintEventKind, 20), nullable=False),
    Column("actor_login", String(64), nullable=False),
    Column("actor_id", Id, ForeignKey("agents.id")),
    Column("center_code", String(20), ForeignKey("centers.code")),
    Column("to_center", String(20), ForeignKey("centers.code")),
    Column("note", Text),
    # a complaint's events, and its last event time (max(at)) from the index alone (migration 0017)
    Index("ix_complaint_events_complaint_at", "complaint_id", "at"),
)

serving_attestations = Table(
    "serving_attestations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("citizen_id", Id, ForeignKey("citizens.id"), nullable=False),
    Column("agent_id", Id, ForeignKey("agents.id"), nullable=False, index=True),
    Column("center_code", String(20), ForeignKey("centers.code"), nullable=False),
    Column("supervisor_id", Id, ForeignKey("agents.id")),
    Column("kind", StrEnum(AttestationKind, 20), nullable=False),
    Column("reason", String(500), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("interaction_id", Id, ForeignKey("interactions.id")),
)

identity_attempts = Table(
    "identity_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("agent_id", Id),
    Column("citizen_id", Id),
    Column("interaction_id", Id),
    Column("method", String(40), nullable=False),
    Column("outcome", StrEnum(Outcome, 20), nullable=False),
    Index("ix_identity_attempts_agent_at", "agent_id", "at"),
    Index("ix_identity_attempts_citizen_at", "citizen_id", "at"),
)

identity_challenges = Table(
    "identity_challenges",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("interaction_id", Id, ForeignKey("interactions.id"), nullable=False, index=True),
    Column("citizen_id", Id, ForeignKey("citizens.id"), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("sent_to_masked", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("tries", Integer, nullable=False),
    Column("used_at", UTCDateTime),
    Column("message_id", String(80)),
)

# Agents' tool uses on a contact (crm.cases.tool_uses): what was asked, the outcome, the external id.
tool_uses = Table(
    "tool_uses",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("interaction_id", Id, ForeignKey("interactions.id"), nullable=False, index=True),
    Column("case_id", Id, ForeignKey("cases.id"), index=True),
    Column("citizen_id", Id, ForeignKey("citizens.id")),
    Column("agent_id", Id, ForeignKey("agents.id")),
    Column("center_code", String(20), ForeignKey("centers.code"), nullable=False),
    Column("tool", StrEnum(Tool, 20), nullable=False),
    Column("action", String(30), nullable=False),
    Column("summary", String(200), nullable=False),
    Column("outcome", StrEnum(ToolOutcome, 20), nullable=False),
    Column("outcome_detail", String(200), nullable=False),
    Column("ref", String(80)),
    Column("at", UTCDateTime, nullable=False),
)

citizen_pins = Table(
    "citizen_pins",
    metadata,
    Column("citizen_id", Id, ForeignKey("citizens.id"), primary_key=True, autoincrement=False),
    Column("pin_hash", String(200), nullable=False),  # argon2id; the PIN itself is never kept
    Column("set_at", UTCDateTime, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("locked_until", UTCDateTime),
    Column("version", Integer, nullable=False),
)

access_log = Table(
    "access_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("agent_id", Id),
    Column("agent_login", String(80), nullable=False),
    Column("agent_center", String(20)),
    Column("citizen_id", Id, nullable=False, index=True),
    Column("case_id", Id),
    Column("interaction_id", Id),
    Column("purpose", StrEnum(Purpose, 20), nullable=False),
    Column("scope", StrEnum(Scope, 30), nullable=False),
    Column("reason", String(500)),
    Column("via", String(200), nullable=False),
)

auth_tokens = Table(
    "auth_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("agent_id", Id, ForeignKey("agents.id"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("agent_id", Id, primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
)

# The call desk's records, staffing schedules and supervisors' actions (crm.store.call_tables).
call_records, agent_state_changes, staffing_schedules, supervisor_actions = define_calls(metadata, Id, UTCDateTime)

# -- the supervisors' history (migration 0013): rollups kept as calls finish, see crm.store.call_rollups --
call_rollups, call_rollups_daily, agent_state_rollups, agent_state_rollups_daily, abandoned_callers = define_history(
    metadata, Id, UTCDateTime
)
