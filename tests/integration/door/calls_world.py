"""Telephony's door (``crm.door.calls``) behind one face for its contract suite: ``CallsWorld`` holds a
``CallStore`` and an ``AgentDesk`` and seeds what a test needs beside them (citizens with numbers, cases, a
PIN, an identity check), in memory (``crm.door.memory_calls``) or through the case store's services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from crm.cases import services
from crm.cases.model import Channel
from crm.cases.status import CaseStatus
from crm.citizens.model import Citizen, CitizenPhone
from crm.citizens.phone import normalize_phone
from crm.citizens.pin import CitizenPin, PinHasher
from crm.door.calls import AgentDesk, AgentRecord, CallStore
from crm.door.memory_calls import CallBook, MemoryCalls
from crm.door.memory_desk import MemoryDesk
from crm.door.sql_calls import CaseStoreCalls
from crm.door.sql_desk import AgentContacts
from kernel.actor import Actor, Role
from sori.wiring import System

HASHER = PinHasher()


class Seeding(Protocol):
    def citizen(self, *phones: str, birth_year: int | None = None) -> int: ...
    def case(self, citizen_id: int, center: str, touched: dt.datetime, status: CaseStatus = CaseStatus.OPEN) -> str:
        """A case of the citizen owned by ``center``, last touched at ``touched``; its number."""
        ...

    def case_status(self, number: str) -> CaseStatus: ...
    def pin(self, citizen_id: int, pin: str, now: dt.datetime) -> None: ...
    def verify(self, interaction_id: int, method: str, now: dt.datetime) -> None:
        """The agent checked the caller's identity on the contact with ``method``."""
        ...


@dataclass
class CallsWorld:
    calls: CallStore
    desk: AgentDesk
    seed: Seeding
    kind: str

    def agent(self, login: str) -> AgentRecord:
        return next(a for a in self.desk.agents() if a.login == login)


class MemorySeeding:
    def __init__(self, book: CallBook) -> None:
        self.book = book

    def citizen(self, *phones: str, birth_year: int | None = None) -> int:
        return self.book.add_citizen(*phones, citizen=Citizen(birth_year=birth_year))

    def case(self, citizen_id: int, center: str, touched: dt.datetime, status: CaseStatus = CaseStatus.OPEN) -> str:
        return self.book.open_case(citizen_id, center, touched, status=status)

    def case_status(self, number: str) -> CaseStatus:
        case = self.book.case(number)
        assert case is not None
        return case.status

    def pin(self, citizen_id: int, pin: str, now: dt.datetime) -> None:
        self.book.add_pin(citizen_id, HASHER.hash(pin), now)

    def verify(self, interaction_id: int, method: str, now: dt.datetime) -> None:
        self.book.verify_contact(interaction_id, method, now)


class SqlSeeding:
    """Through the case store's services and repositories, each seed its own committed unit of work."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.actor = Actor.system("test")

    def citizen(self, *phones: str, birth_year: int | None = None) -> int:
        with self.system.uow() as uow:
            citizen = Citizen(birth_year=birth_year, created_at=self.system.clock())
            uow.citizens.add(citizen)
            uow.flush()
            assert citizen.id is not None
            for phone in phones:
                digits = normalize_phone(phone).digits
                uow.citizens.add_phone(CitizenPhone(citizen.id, digits, "mobile", self.system.clock()))
            uow.commit()
            return citizen.id

    def case(self, citizen_id: int, center: str, touched: dt.datetime, status: CaseStatus = CaseStatus.OPEN) -> str:
        with self.system.uow() as uow:
            case = services.open_case(uow, self.actor, touched, citizen_id=citizen_id, center_code=center,
                                      channel=Channel.INBOUND_CALL)  # fmt: skip
            case.status = status
            uow.commit()
            return case.number

    def case_status(self, number: str) -> CaseStatus:
        with self.system.uow(readonly=True) as uow:
            case = uow.cases.get(number)
            assert case is not None
            return case.status

    def pin(self, citizen_id: int, pin: str, now: dt.datetime) -> None:
        with self.system.uow() as uow:
            uow.pins.add(CitizenPin(citizen_id, HASHER.hash(pin), now))
            uow.commit()

    def verify(self, interaction_id: int, method: str, now: dt.datetime) -> None:
        with self.system.uow() as uow:
            contact = uow.interactions.get(interaction_id)
            assert contact is not None
            contact.verified_method, contact.verified_at = method, now
            uow.commit()


def memory_world(agents: dict[str, tuple[str, Role]], centers: set[str]) -> CallsWorld:
    book = CallBook(centers)
    for login, (center, role) in agents.items():
        book.add_agent(login, center, role)
    return CallsWorld(MemoryCalls(book, HASHER), MemoryDesk(book, pin_hasher=HASHER), MemorySeeding(book), "memory")


def sql_world(system: System, kind: str) -> CallsWorld:
    calls = CaseStoreCalls(system.uow, system.policy, HASHER)
    desk = AgentContacts(system.uow, system.policy, system.calendar)
    return CallsWorld(calls, desk, SqlSeeding(system), kind)
