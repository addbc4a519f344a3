"""Throw-away migrated databases, copied from the session's templates: one per test, on SQLite or PostgreSQL
(``database_url`` in tests/conftest.py, and fixtures that run some adapters on a database and others not)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support.postgres import PostgresServer


def throwaway_database(request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> Iterator[str]:
    """Yield the URL of a fresh copy of the migrated template (``backend``: "sqlite" or "postgresql"), then drop it.
    Uses the session fixtures ``sqlite_template`` and ``postgres``."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "sori.db"
        shutil.copyfile(template, target)
        yield f"sqlite:///{target}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE sori_template"))
    try:
        yield server.url(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
