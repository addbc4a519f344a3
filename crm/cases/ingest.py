"""Finished contacts arriving in bulk: IVR self-service and abandoned calls, legacy call logs, 신문고 texts.

A finished contact needs no agent decision: it becomes one interaction and, when
it belongs to a case, a ``contact-added`` case event and a touch of the case. The
rules here are pure; ``crm.store.ingest`` writes many contacts per transaction
(group commit), each contact whole or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from crm.cases.model import NO_CASE_DISPOSITIONS, Case, CaseEvent, Channel, Disposition, EventKind, Interaction


@dataclass(frozen=True)
class FinishedContact:
    channel: Channel
    center_code: str
    started_at: dt.datetime
    ended_at: dt.datetime
    disposition: Disposition
    citizen_id: int | None = None
    case_number: str | None = None
    agent_id: int | None = None
    queued_at: dt.datetime | None = None
    answered_at: dt.datetime | None = None
    notes: str | None = None
    transcript: str | None = None
    recording_ref: str | None = None
    sip_call_id: str | None = None
    caller_masked: str | None = None
    source: str = "system:ingest"  # who reports it, recorded as the event's actor


@dataclass(frozen=True)
class Rejected:
    index: int
    code: str
    message: str


def check_contact(contact: FinishedContact, centers: Mapping[str, bool], case: Case | None) -> Rejected | None:
    """Why ``contact`` cannot be stored (None if it can). ``centers`` maps code to active flag."""
    if contact.ended_at < contact.started_at:
        return Rejected(-1, "validation-failed", "the contact ends before it starts")
    if centers.get(contact.center_code) is None:
        return Rejected(-1, "center-not-found", f"no center {contact.center_code}")
    if contact.case_number is not None:
        if case is None:
            return Rejected(-1, "case-not-found", f"no case {contact.case_number}")
        if contact.disposition in NO_CASE_DISPOSITIONS:
            return Rejected(-1, "validation-failed", f"a '{contact.disposition}' contact opens no case")
        if contact.citizen_id is not None and contact.citizen_id != case.citizen_id:
            return Rejected(-1, "conflict", "the case belongs to another citizen")
    return None


def to_interaction(contact: FinishedContact, case: Case | None) -> Interaction:
    wait = None
    if contact.queued_at is not None:
        wait = int(((contact.answered_at or contact.ended_at) - contact.queued_at).total_seconds())
    talk = int((contact.ended_at - contact.answered_at).total_seconds()) if contact.answered_at else None
    return Interaction(
        channel=contact.channel,
        center_code=contact.center_code,
        started_at=contact.started_at,
        case_id=case.id if case else None,
        citizen_id=case.citizen_id if case else contact.citizen_id,
        agent_id=contact.agent_id,
        caller_masked=contact.caller_masked,
        queued_at=contact.queued_at,
        answered_at=contact.answered_at,
        ended_at=contact.ended_at,
        completed_at=contact.ended_at,
        wait_seconds=wait,
        talk_seconds=talk,
        disposition=contact.disposition,
        notes=contact.notes,
        transcript=contact.transcript,
        recording_ref=contact.recording_ref,
        sip_call_id=contact.sip_call_id,
    )


def contact_event(contact: FinishedContact, case: Case, interaction_id: int) -> CaseEvent:
    assert case.id is not None
    return CaseEvent(
        case_id=case.id,
        at=contact.ended_at,
        kind=EventKind.CONTACT_ADDED,
        actor_agent_id=contact.agent_id,
        actor=contact.source,
        after={
            "interaction_id": interaction_id,
            "channel": str(contact.channel),
            "disposition": str(contact.disposition),
        },
    )
