"""Telephony's door in memory, for tests of telephony that need no database: ``CallBook`` (the records, with
the seeding methods tests use: ``add_agent``, ``add_citizen``, ``open_case``, ``add_pin``, ``verify_contact``)
and ``MemoryCalls`` (``CallStore``); ``crm.door.memory_desk.MemoryDesk`` is the ``AgentDesk`` over the same book.

They follow the observable rules of ``crm.door.sql_calls`` and ``crm.door.sql_desk`` that the contract suite
checks (tests/integration/door/test_calls_door.py). Where a rule is the domain's, its pure function decides:
continuity (``continuable_cases``), a finished contact's checks and shape (``check_contact``,
``to_interaction``), a PIN's form, guessability and lock (``crm.citizens.pin``). The PIN counter follows
``crm.citizens.pin_services.check_pin``, which needs a unit of work, step for step (without its audit rows).
Commands that change several records run in ``CallBook.atomic``: one that raises leaves the book as it was.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from crm.calls.model import AgentStateChange, FinishedCall
from crm.cases import continuity
from crm.cases.ingest import FinishedContact, Rejected, check_contact, to_interaction
from crm.cases.model import Callback, Case, Channel, Handoff, Interaction, case_number
from crm.cases.status import CaseStatus
from crm.cases.transcription import TranscriptionJob
from crm.citizens.model import Citizen
from crm.citizens.phone import normalize_phone
from crm.citizens.pin import CitizenPin, PinCheck, PinHasher, PinPolicy, PinRefused, refusal, well_formed
from crm.door.calls import TRANSCRIBE_AFTER, AgentRecord, CallbackTask, CallerInfo, KeyedPin
from crm.errors import InvalidPhoneNumber
from kernel.actor import Role
from kernel.calendar import to_seoul
from kernel.errors import ValidationFailed

#: What a command may change: copied before it runs, put back when it raises (a unit of work's rollback).
_STATE = ("citizens", "phones", "cases", "interactions", "handoffs", "callbacks", "pins", "jobs", "calls", "_sequences")


class CallBook:
    """The records both adapters share, with the seeding methods tests use."""

    def __init__(self, centers: Iterable[str], policy: continuity.ContinuityPolicy | None = None) -> None:
        self.lock = threading.RLock()
        self.centers = set(centers)
        self.policy = policy or continuity.ContinuityPolicy()
        self.agents: dict[int, AgentRecord] = {}
        self.citizens: dict[int, Citizen] = {}
        self.phones: dict[int, list[str]] = {}  # citizen -> digits, in the order added
        self.cases: dict[int, Case] = {}
        self.interactions: dict[int, Interaction] = {}
        self.handoffs: dict[int, Handoff] = {}
        self.callbacks: dict[int, Callback] = {}
        self.pins: dict[int, CitizenPin] = {}
        self.jobs: dict[str, TranscriptionJob] = {}
        self.calls: dict[tuple[str, dt.datetime], FinishedCall] = {}
        self.state_changes: list[AgentStateChange] = []
        self._sequences: dict[tuple[str, int], int] = {}
        self._ids = 0

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    @contextmanager
    def atomic(self) -> Iterator[None]:
        with self.lock:
            saved = {name: copy.deepcopy(getattr(self, name)) for name in _STATE}
            try:
                yield
            except BaseException:
                for name, value in saved.items():
                    setattr(self, name, value)
                raise

    # -- seeding (tests) ----------------------------------------------------------------------------------
    def add_agent(
        self,
        login: str,
        center: str,
        role: Role = Role.AGENT,
        skills: dict[str, int] | None = None,
        sip_ha1: str | None = None,
    ) -> AgentRecord:
        with self.lock:
            agent = AgentRecord(self.next_id(), login, center, dict(skills or {}), str(role), sip_ha1)
            self.agents[agent.agent_id] = agent
            return agent

    def add_citizen(self, *phones: str, citizen: Citizen | None = None) -> int:
        """A citizen with these numbers (any written form); ``citizen`` for their other fields."""
        with self.lock:
            record = citizen or Citizen()
            record.id = self.next_id()
            self.citizens[record.id] = record
            self.phones[record.id] = [normalize_phone(p).digits for p in phones]
            return record.id

    def open_case(
        self,
        citizen_id: int,
        center: str,
        now: dt.datetime,
        *,
        status: CaseStatus = CaseStatus.OPEN,
        channel: Channel = Channel.INBOUND_CALL,
        summary: str = "",
    ) -> str:
        """A case of the citizen owned by ``center``, last touched ``now``; its number."""
        with self.lock:
            case = Case(
                self.case_number(center, now),
                citizen_id,
                channel,
                center,
                status=status,
                summary=summary,
                created_at=now,
                updated_at=now,
                id=self.next_id(),
            )
            self.cases[case.id or 0] = case
            return case.number

    def add_pin(self, citizen_id: int, pin_hash: str, now: dt.datetime) -> None:
        with self.lock:
            self.pins[citizen_id] = CitizenPin(citizen_id, pin_hash, now)

    def verify_contact(self, interaction_id: int, method: str, now: dt.datetime, by: int | None = None) -> None:
        """The agent checked the caller's identity on the contact (as ``crm.access`` records it)."""
        with self.lock:
            contact = self.interactions[interaction_id]
            contact.verified_method, contact.verified_at, contact.verified_by = method, now, by

    # -- lookups ---------------------------------------------------------------------------------------------
    def case_number(self, center: str, now: dt.datetime) -> str:
        year = to_seoul(now).year
        sequence = self._sequences[center, year] = self._sequences.get((center, year), 0) + 1
        return case_number(year, center, sequence)

    def case(self, number: str) -> Case | None:
        return next((c for c in self.cases.values() if c.number == number), None)

    def by_phone(self, digits: str) -> list[int]:
        return [citizen for citizen, phones in self.phones.items() if digits in phones]

    def cases_of(self, citizen_id: int) -> list[Case]:
        return [c for c in self.cases.values() if c.citizen_id == citizen_id]

    def handoffs_of(self, case_id: int) -> list[Handoff]:
        return sorted((h for h in self.handoffs.values() if h.case_id == case_id), key=lambda h: h.id or 0)

    def continuing_centers(self, case: Case) -> frozenset[str]:
        return frozenset({case.owner_center, *(h.to_center for h in self.handoffs_of(case.id or 0))})

    def task(self, callback: Callback) -> CallbackTask:
        case = self.cases.get(callback.case_id)
        phones = self.phones.get(callback.citizen_id, [])
        return CallbackTask(
            callback.id or 0,
            callback.center_code,
            callback.due_at,
            case.number if case else None,
            phones[-1] if phones else None,
            callback.attempts,
            callback.window_end,
        )

    def pin_refusal(self, policy: PinPolicy, citizen_id: int, pin: str, repeated: str) -> PinRefused | None:
        """Why a new PIN may not be set for the citizen (``crm.citizens.pin.refusal``), None when it may."""
        citizen = self.citizens.get(citizen_id)
        if citizen is None:
            raise ValidationFailed("no such citizen")
        if pin != repeated:
            return PinRefused.MISMATCH
        return refusal(
            pin,
            policy,
            rrn_masked=citizen.rrn_masked,
            birth_year=citizen.birth_year,
            phones=self.phones.get(citizen_id, []),
        )


class MemoryCalls:
    """``CallStore`` over a ``CallBook``."""

    def __init__(
        self, book: CallBook, pin_hasher: PinHasher | None = None, pin_policy: PinPolicy | None = None
    ) -> None:
        self.book = book
        self.pin_hasher = pin_hasher or PinHasher()
        self.pin_policy = pin_policy or PinPolicy()

    def lookup_caller(self, caller: str, now: dt.datetime) -> CallerInfo:
        try:
            number = normalize_phone(caller)
        except InvalidPhoneNumber:
            return CallerInfo(None, None, None, None, None)
        book = self.book
        with book.lock:
            citizens = book.by_phone(number.digits)
            if len(citizens) != 1:  # a number is not an identity
                return CallerInfo(number.display, number.digits, number.masked, number.area_code, None)
            (citizen_id,) = citizens
            offered = continuity.continuable_cases(book.cases_of(citizen_id), now, book.policy)
            open_cases = tuple((case.number, book.continuing_centers(case)) for case in offered)
            has_pin = citizen_id in book.pins
        return CallerInfo(
            number.display, number.digits, number.masked, number.area_code, citizen_id, open_cases, has_pin
        )

    def pin(self, citizen_id: int, request: KeyedPin, now: dt.datetime) -> str:
        with self.book.lock:  # a failure's counter stays, whatever the outcome
            checked = self._check(citizen_id, request.current, now)
            if request.new is None or checked is not PinCheck.VERIFIED:
                return checked.value
            refused = self.book.pin_refusal(self.pin_policy, citizen_id, request.new, request.repeated or "")
            if refused is not None:
                return refused.value
            stored = self.book.pins[citizen_id]
            stored.pin_hash, stored.set_at = self.pin_hasher.hash(request.new), now
            return PinCheck.VERIFIED.value

    def _check(self, citizen_id: int, pin: str, now: dt.datetime) -> PinCheck:
        stored = self.book.pins.get(citizen_id)
        if stored is None:
            return PinCheck.NO_PIN
        if stored.locked(now):
            return PinCheck.LOCKED
        if well_formed(pin, self.pin_policy) and self.pin_hasher.verify(stored.pin_hash, pin):
            stored.failures, stored.locked_until = 0, None
            return PinCheck.VERIFIED
        stored.failures += 1
        if stored.failures >= self.pin_policy.max_failures:
            stored.failures, stored.locked_until = 0, now + self.pin_policy.lockout
            return PinCheck.LOCKED
        return PinCheck.WRONG

    def record(self, contact: FinishedContact) -> int | Rejected:
        book = self.book
        with book.atomic():
            case = book.case(contact.case_number) if contact.case_number is not None else None
            problem = check_contact(contact, dict.fromkeys(book.centers, True), case)
            if problem is not None:
                return dataclasses.replace(problem, index=0)
            interaction = to_interaction(contact, case)
            interaction.id = book.next_id()
            book.interactions[interaction.id] = interaction
            if case is not None:
                case.updated_at = contact.ended_at
            return interaction.id

    def enqueue_transcription(self, recording_ref: str, now: dt.datetime, seconds: float) -> bool:
        with self.book.lock:
            if recording_ref in self.book.jobs:
                return False
            started = now - dt.timedelta(seconds=seconds)
            self.book.jobs[recording_ref] = TranscriptionJob(
                recording_ref, now, started, seconds, available_at=now + TRANSCRIBE_AFTER, id=self.book.next_id()
            )
            return True
