"""Shared fixtures: a real PostgreSQL for the session, throw-away databases, systems and running APIs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from crm.agents.model import Agent
from crm.api.auth import hash_password
from crm.store import migrate
from crm.store.engine import make_engine
from kernel.actor import Role
from sori.seed.demo import seed_centers
from sori.wiring import System
from tests.support import reactor as rt
from tests.support.api import RunningApi
from tests.support.databases import throwaway_database
from tests.support.desk import desk  # noqa: F401  (a fixture: the desk of sori up without media workers)
from tests.support.postgres import PostgresServer, start_postgres
from tests.support.refsvc import refsvc  # noqa: F401  (a fixture: the reference service, once per worker)
from tests.support.system import FakeClock, make_system

PASSWORD = "correct horse battery"

# login -> (center, role); a small world every integration test can rely on.
AGENTS = {
    "kim": ("ACRC110", Role.AGENT),
    "lee": ("ACRC110", Role.AGENT),
    "sup": ("ACRC110", Role.SUPERVISOR),
    "park": ("SEOUL120", Role.AGENT),
    "choi": ("NTS126", Role.AGENT),
    "ana": ("ACRC110", Role.ANALYST),
    "root": ("ACRC110", Role.ADMIN),
}


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = start_postgres()
    try:
        engine = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("CREATE DATABASE sori_template"))
        engine.dispose()
        migrated = make_engine(server.url("sori_template"))
        migrate.upgrade(migrated)
        migrated.dispose()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    yield from throwaway_database(request, tmp_path, request.param)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def system(database_url: str, tmp_path: Path, clock: FakeClock, password_hash: str) -> Iterator[System]:
    """A system with all 156 centers and the AGENTS above."""
    built = build_test_world(database_url, tmp_path / "state", clock, password_hash)
    yield built
    built.engine.dispose()


def build_test_world(
    url: str, state_dir: Path, clock: FakeClock, password_hash: str = "", **overrides: object
) -> System:
    """The system of ``sori up`` on ``url`` with all 156 centers and the AGENTS above (their password
    ``password_hash``; none when empty); ``overrides``: settings sections, as ``make_system`` takes them."""
    built = make_system(url, state_dir, clock, **overrides)
    seed_centers(built)
    with built.uow() as uow:
        for login, (center, role) in AGENTS.items():
            uow.agents.add(
                Agent(
                    center_code=center,
                    login=login,
                    display_name=f"테스트 {login}",
                    role=role,
                    password_hash=password_hash,
                    created_at=clock(),
                )
            )
        uow.commit()
    return built


@pytest.fixture
def api(system: System) -> Iterator[RunningApi]:
    running = RunningApi(system)
    yield running
    running.stop()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    rt.stop()
