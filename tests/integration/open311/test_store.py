"""The Open311 tables: the migration equals the tables, reads walk their indexes, and retention blanks the
submitters' contact fields (and unlinks a purged complaint)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from sqlalchemy import event, literal, null, select, text, update

from crm.api.open311.formats import w3c
from crm.citizens.services import register_citizen
from crm.store import migrate, tables
from crm.store.open311_tables import open311_requests
from crm.store.w3c_sql import seoul_w3c
from kernel.actor import Actor
from sori.purge import purge
from tests.integration.open311.conftest import World
from tests.integration.test_purge import closed_case

pytestmark = pytest.mark.integration

CONTACT = ("first_name", "last_name", "email", "phone", "device_id", "account_id")


def test_the_migration_creates_exactly_the_tables_metadata(world: World) -> None:
    assert {"open311_apps", "open311_requests"} <= set(tables.metadata.tables)
    migrate.check(world.system.engine)  # raises on any drift


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL picks its plan by statistics
def test_reads_by_app_and_window_use_the_indexes(world: World) -> None:
    engine = world.system.engine
    with engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM open311_requests WHERE app_id = 1 AND disposition = 'accepted' "
            "AND submitted_at >= '2026-01-01' AND submitted_at <= '2026-03-01' ORDER BY submitted_at DESC, id DESC "
            "LIMIT 1000")))  # fmt: skip
        assert "ix_open311_requests_app_submitted" in plan and "TEMP B-TREE" not in plan
        plan = " ".join(str(row[-1]) for row in conn.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM open311_requests WHERE disposition = 'accepted' "
            "AND submitted_at >= '2026-01-01' ORDER BY submitted_at DESC, id DESC LIMIT 1000")))  # fmt: skip
        assert "ix_open311_requests_submitted" in plan and "TEMP B-TREE" not in plan


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("app", ["seoul-app", None])
def test_the_repositorys_read_statement_walks_the_indexes(world: World, app: str | None) -> None:
    """``find``'s own statement (captured as sent): the window by (app_id, submitted_at, id) or
    (submitted_at, id) newest first with no sort, the complaint by its key, the last event by complaint_id."""
    world.submit()
    engine = world.system.engine
    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if "open311_requests" in statement:
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with world.system.uow(readonly=True) as uow:
            rows = uow.open311.find(app_id=world.app().id if app else None, ids=[], service_codes=[],
                                    statuses=frozenset(), jurisdiction=None, start=world.now - dt.timedelta(days=90),
                                    end=world.now, limit=1000, with_text=app is not None)  # fmt: skip
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(rows) == 1 and (rows[0].body_masked is None) == (rows[0].agency is None) == (app is None)
    assert rows[0].requested == w3c(world.now) == rows[0].updated and rows[0].expected is not None
    assert len(sent) == 1, "one statement: rows and their last event times"
    statement, parameters = sent[0]
    with engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
    index = "ix_open311_requests_app_submitted" if app else "ix_open311_requests_submitted"
    assert index in plan and "TEMP B-TREE" not in plan, plan
    assert "ix_complaint_events_complaint_at" in plan, plan


def test_the_databases_w3c_text_is_the_one_python_writes(world: World) -> None:
    """``seoul_w3c`` on SQLite (naive UTC text) and PostgreSQL (timestamptz) against ``formats.w3c``, for
    moments since Seoul's last summer time (1988) that cross midnight, month and year ends and a leap day."""
    rng = random.Random(311)
    start, span = dt.datetime(1989, 1, 1, tzinfo=dt.UTC), 200 * 365 * 86400
    edges = [dt.datetime(2026, 12, 31, 14, 59, 59, 999999, tzinfo=dt.UTC), dt.datetime(2028, 2, 28, 15, tzinfo=dt.UTC),
             dt.datetime(2026, 3, 10, 1, tzinfo=dt.UTC)]  # fmt: skip
    moments = [*edges, *(start + dt.timedelta(seconds=rng.uniform(0, span)) for _ in range(200))]
    with world.system.engine.connect() as conn:
        for moment in moments:
            made = conn.scalar(select(seoul_w3c(literal(moment, tables.UTCDateTime()))))
            assert made == w3c(moment), moment
        assert conn.scalar(select(seoul_w3c(null()))) is None


def test_contact_fields_are_blanked_after_their_retention_period(world: World) -> None:
    clock = world.system.clock
    real_now = dt.datetime.now(dt.UTC)
    clock.now = real_now - dt.timedelta(days=400)  # type: ignore[attr-defined]
    old = world.submit(device_id="dev-1", account_id="acct-1")
    held = world.submit(description="광고 " + " ".join(f"http://x{i}.example" for i in range(5)))
    clock.now = real_now - dt.timedelta(days=10)  # type: ignore[attr-defined]
    recent = world.submit(description="최근 파손", device_id="dev-2")
    clock.now = real_now  # type: ignore[attr-defined]
    counts = purge(world.system)
    assert counts["open311_contacts"] == 2
    with world.system.engine.connect() as conn:
        rows = {str(r.id): r for r in conn.execute(select(open311_requests))}
    by_token = {r.token: r for r in rows.values()}
    for row in (rows[str(old.service_request_id)], by_token[held.token]):
        assert all(getattr(row, name) is None for name in CONTACT) and row.remote_addr == "" and row.description == ""
        assert row.service_code == "ROAD-DAMAGE" and row.address_string is not None
    kept = rows[str(recent.service_request_id)]
    assert kept.email == "hong@example.kr" and kept.device_id == "dev-2" and kept.remote_addr == "203.0.113.7"
    assert purge(world.system)["open311_contacts"] == 0


def test_a_purged_complaint_leaves_its_request_closed_without_text(world: World) -> None:
    system, clock = world.system, world.system.clock
    real_now = dt.datetime.now(dt.UTC)
    clock.now = real_now - dt.timedelta(days=4000)  # type: ignore[attr-defined]
    with system.uow() as uow:
        citizen = register_citizen(uow, Actor.system("test"), clock(), system.rrn_key, name="홍길동")
        uow.commit()
    assert citizen.id is not None
    number = closed_case(system, citizen.id)
    request_id = world.submit().service_request_id
    assert request_id is not None
    with system.engine.begin() as conn:
        case_id = conn.execute(select(tables.cases.c.id).where(tables.cases.c.number == number)).scalar_one()
        conn.execute(update(tables.complaints).where(tables.complaints.c.sinmungo_id == f"open311-{request_id}")
                     .values(case_id=case_id))  # fmt: skip
    clock.now = real_now  # type: ignore[attr-defined]
    counts = purge(system)
    assert counts["cases"] == 1 and counts["complaints"] == 1
    with system.uow() as uow:
        stored = uow.open311.get(int(request_id))
        assert stored is not None and stored.complaint_id is None and stored.email is None
