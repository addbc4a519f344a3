"""Staffing schedules in the case store (SQLite and PostgreSQL): an import replaces exactly its intervals, reads
come back per Seoul day, and a bad import writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, insert, select

from crm.errors import CenterNotFound
from crm.store import tables
from crm.store.engine import make_engine
from dashboard.supervisor_ports import ScheduledStaff
from kernel.calendar import SEOUL
from kernel.errors import ValidationFailed
from sori.staffing_wiring import SqlStaffingData

pytestmark = pytest.mark.integration

NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 12, 8)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    built = make_engine(database_url)
    with built.begin() as conn:
        for code in ("ACRC110", "NTS126"):
            conn.execute(
                insert(tables.centers).values(
                    code=code, name=f"센터 {code}", institution="기관", public_number="110", hours="24/7",
                    service_level="80/20", area_codes=[], overflow_partners=[], active=True, demo=False,
                )
            )  # fmt: skip
    yield built
    built.dispose()


def at(hour: int, minute: int, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SEOUL)


def staff(center: str, *rows: tuple[dt.datetime, int]) -> list[ScheduledStaff]:
    return [ScheduledStaff(center, start, agents) for start, agents in rows]


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(tables.staffing_schedules)).scalar_one())


def test_an_import_replaces_its_intervals_and_keeps_the_others(engine: Engine) -> None:
    data = SqlStaffingData(engine, clock=lambda: NOW)
    first = staff("ACRC110", (at(9, 0), 10), (at(9, 15), 12), (at(23, 45), 2), (at(0, 0, DAY + dt.timedelta(1)), 1))
    assert data.import_schedule("ACRC110", first, "sup") == 4
    assert data.import_schedule("NTS126", staff("NTS126", (at(9, 0), 30)), "sup") == 1
    # again for 09:15 and 09:30: 09:15 replaced, 09:30 added, 09:00 kept
    assert data.import_schedule("ACRC110", staff("ACRC110", (at(9, 15), 14), (at(9, 30), 15)), "lead") == 2
    day = data.schedule("ACRC110", DAY, DAY)
    assert [(row.interval_start, row.agents) for row in day] == [
        (at(9, 0), 10), (at(9, 15), 14), (at(9, 30), 15), (at(23, 45), 2),
    ]  # fmt: skip
    assert all(row.center == "ACRC110" and row.interval_start.utcoffset() == dt.timedelta(hours=9) for row in day)
    # 00:00 Seoul on the 8th is 15:00 UTC on the 7th: the Seoul day decides, not the UTC one
    assert [r.agents for r in data.schedule("ACRC110", DAY + dt.timedelta(1), DAY + dt.timedelta(1))] == [1]
    assert [r.agents for r in data.schedule("NTS126", DAY, DAY)] == [30]
    with engine.connect() as conn:
        row = conn.execute(select(tables.staffing_schedules).where(tables.staffing_schedules.c.agents == 14)).one()
    assert row.imported_by == "lead"
    assert row.interval_start == at(9, 15).astimezone(dt.UTC) and row.imported_at == NOW


def test_a_bad_import_writes_nothing(engine: Engine) -> None:
    data = SqlStaffingData(engine, clock=lambda: NOW)
    with pytest.raises(CenterNotFound):
        data.import_schedule("NOPE999", staff("NOPE999", (at(9, 0), 3)), "sup")
    with pytest.raises(ValidationFailed):
        data.import_schedule("ACRC110", staff("NTS126", (at(9, 0), 3)), "sup")
    with pytest.raises(ValidationFailed):
        data.import_schedule("ACRC110", staff("ACRC110", (at(9, 0), 3), (at(9, 0), 4)), "sup")
    with pytest.raises(ValidationFailed):
        data.import_schedule("ACRC110", staff("ACRC110", (at(9, 0), 3), (at(9, 5), 4)), "sup")
    assert count(engine) == 0
