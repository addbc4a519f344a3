"""Imperative mapping of the domain dataclasses onto the tables (the domain never imports SQLAlchemy)."""

from __future__ import annotations

from sqlalchemy.orm import registry

from crm.access.evidence import IdentityAttempt, IdentityChallenge
from crm.access.model import AccessLogEntry, ServingAttestation
from crm.agents.model import Agent
from crm.cases.complaint_records import ComplaintEvent
from crm.cases.model import Callback, Case, CaseEvent, Complaint, Handoff, Interaction
from crm.cases.tool_uses import ToolUse
from crm.cases.transcription import TranscriptionJob
from crm.citizens.model import Citizen, CitizenPhone
from crm.citizens.pin import CitizenPin
from crm.open311.model import App, StoredRequest
from crm.store import open311_tables, tables
from kernel.centers import Center

mapper_registry = registry(metadata=tables.metadata)
_mapped = False


def map_domain() -> None:
    """Map once per process (idempotent): tests and the app build many engines, one mapping."""
    global _mapped
    if _mapped:
        return
    r = mapper_registry
    r.map_imperatively(Center, tables.centers)
    r.map_imperatively(Agent, tables.agents)
    r.map_imperatively(Citizen, tables.citizens, version_id_col=tables.citizens.c.version)
    r.map_imperatively(CitizenPhone, tables.citizen_phones)
    r.map_imperatively(Case, tables.cases, version_id_col=tables.cases.c.version)
    r.map_imperatively(Interaction, tables.interactions)
    r.map_imperatively(Handoff, tables.handoffs)
    r.map_imperatively(CaseEvent, tables.case_events)
    r.map_imperatively(Callback, tables.callbacks)
    r.map_imperatively(Complaint, tables.complaints)
    r.map_imperatively(ComplaintEvent, tables.complaint_events)
    r.map_imperatively(AccessLogEntry, tables.access_log)
    r.map_imperatively(TranscriptionJob, tables.transcription_jobs)
    r.map_imperatively(ServingAttestation, tables.serving_attestations)
    r.map_imperatively(IdentityAttempt, tables.identity_attempts)
    r.map_imperatively(IdentityChallenge, tables.identity_challenges)
    r.map_imperatively(ToolUse, tables.tool_uses)
    r.map_imperatively(CitizenPin, tables.citizen_pins, version_id_col=tables.citizen_pins.c.version)
    r.map_imperatively(App, open311_tables.open311_apps)
    r.map_imperatively(StoredRequest, open311_tables.open311_requests)
    _mapped = True
