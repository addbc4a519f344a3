"""The history benchmark's code, small (``bench.call_history``'s quick path with a few thousand calls over two
weeks, on SQLite and PostgreSQL): the year loader's rollups sum to the calls it wrote, every report runs through
the adapter, and the write measurement covers both arms. No timing is asserted here: the targets live in the
benchmark."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.call_history import run_backend
from bench.common import Database
from crm.store import tables
from tests.support.databases import throwaway_database

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_the_quick_path_loads_reports_and_writes(request: pytest.FixtureRequest, tmp_path: Path, backend: str) -> None:
    databases = throwaway_database(request, tmp_path, backend)
    url = next(databases)
    try:
        # the throw-away database is migrated already; run_backend's upgrade is then a no-op, as on a live store
        result = run_backend(Database(backend, url, "test", "test"), tmp_path, calls=3000, days=14, agents=60,
                             write_seconds=1.0, repeats=2, seed=7)  # fmt: skip
    finally:
        next(databases, None)
    loaded = result["loaded"]
    assert 2500 < loaded["calls"] < 3500
    assert loaded["call_rollup_rows"] > 0 and loaded["daily_rollup_rows"] > 0 and loaded["daily_state_rows"] > 0
    reports = result["reports"]
    assert set(reports) == {"center day by 15 min, per queue", "center day by 15 min, per center with states",
                            "center day, abandoned-call list", "month by day, all centers, per center",
                            "year by month, all centers, per institution"}  # fmt: skip
    assert all(r["rows"] > 0 for r in reports.values()), reports
    writes = result["writes"]
    assert writes["call_finished"]["with_rollups"]["n"] + writes["call_finished"]["without"]["n"] == 50
    assert writes["agent_state_changed"]["with_rollups"]["n"] > 0


def test_loaded_rollups_equal_the_records(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    from bench.call_history_data import load_year, make_world
    from sori.seed.demo import seed_centers
    from tests.support.system import FakeClock, make_system

    databases = throwaway_database(request, tmp_path, "sqlite")
    system = make_system(next(databases), tmp_path / "state", FakeClock())
    try:
        seed_centers(system)
        with system.engine.begin() as conn:
            world = make_world(system, conn, 40)
            loaded = load_year(system, conn, world, 2000, 10, seed=3)
        with system.engine.connect() as conn:
            records = conn.scalar(select(func.count()).select_from(tables.call_records))
            offered = conn.scalar(select(func.sum(tables.call_rollups.c.offered)))
            daily = conn.scalar(select(func.sum(tables.call_rollups_daily.c.offered)))
            abandoned = conn.scalar(select(func.count()).select_from(tables.call_records)
                                    .where(tables.call_records.c.abandoned_at.is_not(None)))  # fmt: skip
            rolled = conn.scalar(select(func.sum(tables.call_rollups.c.abandoned)))
    finally:
        system.engine.dispose()
        next(databases, None)
    assert records == offered == daily == loaded.calls
    assert abandoned == rolled
