"""What telephony may ask of the case store while callers call and agents answer, and the values it answers
with (pure: no I/O).

- ``CallerDirectory``: who is calling (their continuable cases, whether they enrolled a PIN), and the PIN
  they key in the IVR, checked or changed.
- ``CallContacts``: the finished IVR call as a contact, and the closed recording queued for transcription.
- ``AgentDesk``: the agents, and what happens to an agent's contact as they talk (answered, ended, handed
  off), callbacks, PIN enrolment, and the desk's own records (finished calls, agent state changes).

The vocabulary telephony needs of the case store (channels, dispositions, callback states, the finished
contact, the call record) is re-exported here, so telephony imports nothing else of crm.

Adapters: ``crm.door.sql_calls`` and ``crm.door.sql_desk`` (SQLAlchemy: the domain services over one unit of
work each, on the database thread pool) and ``crm.door.memory_calls`` (in memory, for tests).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from crm.agents.sip import digest_ha1
from crm.calls.model import AgentStateChange, CallKind, FinishedCall, reason_code
from crm.cases.ingest import FinishedContact, Rejected
from crm.cases.model import CallbackStatus, Channel, Disposition
from crm.citizens.pin_services import enrolment_citizen
from crm.errors import OtherCenter
from kernel.actor import Actor, Role

__all__ = [
    "TRANSCRIBE_AFTER",
    "AgentDesk",
    "AgentRecord",
    "AgentStateChange",
    "Answered",
    "AnsweredCall",
    "CallContacts",
    "CallKind",
    "CallStore",
    "CallbackStatus",
    "CallbackTask",
    "CallerDirectory",
    "CallerInfo",
    "Channel",
    "Disposition",
    "Ended",
    "FinishedCall",
    "FinishedContact",
    "HandedOff",
    "KeyedPin",
    "OtherCenter",
    "Rejected",
    "digest_ha1",
    "enrolment_citizen",
    "reason_code",
]

#: A closed recording waits this long before it is transcribed, so that the contacts that share it have
#: been written (the desk ends its contact as the recorder closes).
TRANSCRIBE_AFTER = dt.timedelta(seconds=5)


@dataclass(frozen=True)
class CallerInfo:
    phone_display: str | None  # 010-1234-5678: what the self-service ports look citizens up by
    phone_digits: str | None
    phone_masked: str | None
    area_code: str | None
    citizen_id: int | None
    # The caller's continuable cases, newest first, each with the centers that may continue it (its owner
    # and the centers it was handed off to): a center's IVR offers only its own.
    open_cases: tuple[tuple[str, frozenset[str]], ...] = ()
    has_pin: bool = False  # the one citizen with this number enrolled an IVR PIN

    def open_case_at(self, center: str) -> str | None:
        return next((number for number, centers in self.open_cases if center in centers), None)


@dataclass(frozen=True)
class AgentRecord:
    """An agent as the ACD and the desk know them."""

    agent_id: int
    login: str
    center: str
    skills: dict[str, int]
    role: str
    sip_ha1: str | None = None  # the phone's digest HA1; None: the agent has no phone at the edge

    def actor(self) -> Actor:
        return Actor(center_code=self.center, role=Role(self.role), login=self.login, agent_id=self.agent_id)


@dataclass(frozen=True)
class AnsweredCall:
    """What the desk knows of a call an agent just answered."""

    channel: Channel
    center: str  # the answering agent's center
    phone: str | None
    citizen_id: int | None
    sip_call_id: str
    queued_at: dt.datetime | None
    case_number: str | None  # the case the call continues (IVR choice or transfer)
    handoff_id: int | None  # the transfer's hand-off, accepted by this agent
    pin_verified_citizen: int | None = None  # the IVR checked this citizen's PIN on the call


@dataclass(frozen=True)
class Answered:
    """The agent's contact for a call just answered; ``handoff`` is the sender's summary on a transfer."""

    interaction_id: int
    case_number: str | None
    citizen_id: int | None
    handoff_summary: str | None = None
    handoff_from: str | None = None
    note: str | None = None  # why the case could not be continued, when it could not


@dataclass(frozen=True)
class CallbackTask:
    callback_id: int
    center: str
    due_at: dt.datetime
    case_number: str | None
    phone: str | None  # digits to dial, None when the citizen has no number on record
    attempts: int = 0
    # An agent-scheduled callback's window end (``due_at`` is its start): not placed before, expired after.
    window_end: dt.datetime | None = None


@dataclass(frozen=True)
class Ended:
    interaction_id: int
    callback: CallbackTask | None


@dataclass(frozen=True)
class HandedOff:
    case_number: str
    handoff_id: int


class KeyedPin(Protocol):
    """The keys a caller entered for a PIN check (``new`` None) or change; never logged."""

    @property
    def current(self) -> str: ...
    @property
    def new(self) -> str | None: ...
    @property
    def repeated(self) -> str | None: ...


class CallerDirectory(Protocol):
    def lookup_caller(self, caller: str, now: dt.datetime) -> CallerInfo:
        """Who is calling from ``caller`` (any written form): their number's forms and, when exactly one citizen
        has it, that citizen, their continuable cases and whether they enrolled a PIN."""
        ...

    def pin(self, citizen_id: int, request: KeyedPin, now: dt.datetime) -> str:
        """Check (or change) the PIN the caller keyed; the outcome's code (``verified``, ``wrong``, …)."""
        ...


class CallContacts(Protocol):
    def record(self, contact: FinishedContact) -> int | Rejected:
        """Store one finished contact; the id of its interaction, or why it was refused."""
        ...

    def enqueue_transcription(self, recording_ref: str, now: dt.datetime, seconds: float) -> bool:
        """Queue a closed recording for transcription (once per recording); False if queued before."""
        ...


class CallStore(CallerDirectory, CallContacts, Protocol):
    """What the switchboard needs: both of the above."""


class AgentDesk(Protocol):
    def agents(self) -> list[AgentRecord]: ...

    def answered(self, agent: AgentRecord, now: dt.datetime, call: AnsweredCall) -> Answered:
        """The agent picked up: their contact starts, on the continuing case when there is one."""
        ...

    def enrol_pin(self, agent: AgentRecord, now: dt.datetime, interaction_id: int, pin: str, repeated: str) -> str: ...

    def ended(
        self,
        agent: AgentRecord,
        now: dt.datetime,
        *,
        interaction_id: int,
        disposition: Disposition,
        dropped: bool,
        recording_ref: str | None,
        call: FinishedCall | None = None,
    ) -> Ended:
        """The agent's contact ended (with the call's record in the same transaction, when given)."""
        ...

    def hand_off(
        self,
        agent: AgentRecord,
        now: dt.datetime,
        *,
        interaction_id: int,
        to_center: str,
        to_queue: str | None,
        summary: str,
        reason: str,
        to_agent_id: int | None = None,
    ) -> HandedOff: ...

    def pending_callbacks(self) -> list[CallbackTask]: ...

    def callback_task(self, callback_id: int) -> CallbackTask | None:
        """One pending callback (e.g. just scheduled by an agent), None when it is not pending."""
        ...

    def callback_finished(self, callback_id: int, status: CallbackStatus, attempts: int) -> None: ...

    def call_finished(self, call: FinishedCall, caller_digits: str | None = None) -> None:
        """``caller_digits``: an abandoned inbound call's caller (for a supervisor's callback; never published)."""
        ...

    def agent_state_changed(self, change: AgentStateChange) -> None: ...

    def today(self, now: dt.datetime) -> tuple[list[FinishedCall], list[AgentStateChange]]:
        """The calls that came in and the state changes since midnight in Seoul (the board's restart)."""
        ...
