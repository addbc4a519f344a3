"""The tool suites' fixtures: the in-process public-service directory the reference service is compared with,
and the agents' API with every tool pointed at the session's reference service (``tests.support.refsvc``).
The API runs on SQLite only: the tool-use record's SQL is tested on both databases in the store's own suites."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from integrations.public_services.local import CatalogDirectory
from tests.conftest import build_test_world
from tests.support.api import RunningApi
from tests.support.refsvc import RefSvc, tool_settings
from tests.support.system import FakeClock


@pytest.fixture(scope="session")
def catalog_directory() -> CatalogDirectory:
    return CatalogDirectory()


@pytest.fixture
def api(
    tmp_path: Path, clock: FakeClock, password_hash: str, refsvc: RefSvc, sqlite_template: Path
) -> Iterator[RunningApi]:
    shutil.copyfile(sqlite_template, tmp_path / "sori.db")
    system = build_test_world(
        f"sqlite:///{tmp_path / 'sori.db'}",
        tmp_path / "state",
        clock,
        password_hash,
        integrations=tool_settings(refsvc),
    )
    running = RunningApi(system)
    yield running
    running.stop()
    system.engine.dispose()
