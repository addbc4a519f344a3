"""The door's adapters side by side: each contract test runs on the in-memory door and on the SQL adapters over
SQLite and PostgreSQL. ``DoorWorld`` is what a test needs beside the door: seed records, read them back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest

from crm.agents.model import Agent
from crm.cases.model import Callback, Case, CaseEvent, Handoff, Interaction
from crm.cases.transcription import TranscriptionJob
from crm.citizens.model import Citizen
from crm.door.memory import MemoryDoor
from crm.door.ports import ContinuitySource, PhoneContacts, TranscriptionQueue
from crm.door.sql_contacts import SqlPhoneContacts
from crm.door.sql_transcription import SqlTranscriptionQueue
from kernel.actor import Role
from sori.seed.demo import seed_centers
from sori.wiring import System
from tests.conftest import AGENTS, build_test_world
from tests.integration.door.calls_world import CallsWorld, memory_world, sql_world
from tests.support.databases import throwaway_database
from tests.support.system import FakeClock, make_system


class Seeder(Protocol):
    agent_id: int

    def citizen(self, citizen: Citizen) -> int: ...
    def case(self, case: Case) -> int: ...
    def contact(self, interaction: Interaction) -> int: ...
    def update_contact(self, interaction_id: int, **changes: Any) -> None: ...
    def handoff(self, handoff: Handoff) -> int: ...
    def callback(self, callback: Callback) -> int: ...
    def job(self, job: TranscriptionJob) -> int: ...
    def read_job(self, job_id: int) -> TranscriptionJob: ...
    def read_case(self, case_id: int) -> Case: ...
    def read_contact(self, interaction_id: int) -> Interaction: ...
    def events(self, case_id: int) -> list[CaseEvent]: ...


@dataclass
class DoorWorld:
    contacts: PhoneContacts
    continuity: ContinuitySource
    queue: TranscriptionQueue
    seed: Seeder
    kind: str


class MemorySeeder:
    agent_id = 7

    def __init__(self, door: MemoryDoor) -> None:
        self.door = door

    def citizen(self, citizen: Citizen) -> int:
        return self.door.add_citizen(citizen)

    def case(self, case: Case) -> int:
        return self.door.add_case(case)

    def contact(self, interaction: Interaction) -> int:
        return self.door.add_interaction(interaction)

    def update_contact(self, interaction_id: int, **changes: Any) -> None:
        self.door.update_interaction(interaction_id, **changes)

    def handoff(self, handoff: Handoff) -> int:
        return self.door.add_handoff(handoff)

    def callback(self, callback: Callback) -> int:
        return self.door.add_callback(callback)

    def job(self, job: TranscriptionJob) -> int:
        return self.door.add_job(job)

    def read_job(self, job_id: int) -> TranscriptionJob:
        return self.door.jobs[job_id]

    def read_case(self, case_id: int) -> Case:
        return self.door.cases[case_id]

    def read_contact(self, interaction_id: int) -> Interaction:
        return self.door.interactions[interaction_id]

    def events(self, case_id: int) -> list[CaseEvent]:
        return [e for e in self.door.events if e.case_id == case_id]


class SqlSeeder:
    """Each record in its own committed transaction, as the services would write it."""

    def __init__(self, system: System) -> None:
        self.system = system
        with system.uow() as uow:
            agent = Agent(center_code="ACRC110", login="door", display_name="문 상담사", role=Role.AGENT)
            uow.agents.add(agent)
            uow.commit()
        assert agent.id is not None
        self.agent_id = agent.id

    def _add(self, record: Any, repository: str) -> int:
        with self.system.uow() as uow:
            getattr(uow, repository).add(record)
            uow.commit()
        assert record.id is not None
        return int(record.id)

    def citizen(self, citizen: Citizen) -> int:
        return self._add(citizen, "citizens")

    def case(self, case: Case) -> int:
        return self._add(case, "cases")

    def contact(self, interaction: Interaction) -> int:
        return self._add(interaction, "interactions")

    def update_contact(self, interaction_id: int, **changes: Any) -> None:
        with self.system.uow() as uow:
            contact = uow.interactions.get(interaction_id)
            assert contact is not None
            for name, value in changes.items():
                setattr(contact, name, value)
            uow.commit()

    def handoff(self, handoff: Handoff) -> int:
        return self._add(handoff, "handoffs")

    def callback(self, callback: Callback) -> int:
        return self._add(callback, "callbacks")

    def job(self, job: TranscriptionJob) -> int:
        return self._add(job, "transcription_jobs")

    def read_job(self, job_id: int) -> TranscriptionJob:
        with self.system.uow(readonly=True) as uow:
            job = uow.transcription_jobs.get(job_id)
        assert job is not None
        return job

    def read_case(self, case_id: int) -> Case:
        with self.system.uow(readonly=True) as uow:
            case = uow.cases.get_by_id(case_id)
        assert case is not None
        return case

    def read_contact(self, interaction_id: int) -> Interaction:
        with self.system.uow(readonly=True) as uow:
            contact = uow.interactions.get(interaction_id)
        assert contact is not None
        return contact

    def events(self, case_id: int) -> list[CaseEvent]:
        with self.system.uow(readonly=True) as uow:
            return list(uow.events.for_case(case_id))


@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DoorWorld]:
    if request.param == "memory":
        door = MemoryDoor()
        yield DoorWorld(door, door, door, MemorySeeder(door), "memory")
        return
    databases = throwaway_database(request, tmp_path, request.param)
    url = next(databases)
    system = make_system(url, tmp_path / "state", FakeClock())
    try:
        seed_centers(system)
        contacts = SqlPhoneContacts(system.engine)
        yield DoorWorld(contacts, contacts, SqlTranscriptionQueue(system.uow), SqlSeeder(system), request.param)
    finally:
        system.engine.dispose()
        next(databases, None)


# -- telephony's door (crm.door.calls): the memory adapters, and the SQL ones over the world of tests/conftest.py --
@pytest.fixture(params=["memory", "sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def calls_world(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> Iterator[CallsWorld]:
    """The same agents on every adapter (``tests.conftest.AGENTS``); the SQL side is built as the ``system``
    fixture builds it (all centers, those agents), on a database of this fixture's own parameter."""
    if request.param == "memory":
        yield memory_world(AGENTS, {"ACRC110", "SEOUL120", "NTS126"})
        return
    databases = throwaway_database(request, tmp_path, request.param)
    system = build_test_world(next(databases), tmp_path / "state", clock)
    try:
        yield sql_world(system, request.param)
    finally:
        system.engine.dispose()
        next(databases, None)
