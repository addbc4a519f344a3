"""Migration 0011 (the 신문고 inbox) on a database that already holds complaints: each becomes ``received``
with empty text and a 처리기한 of 7 working days from receipt, and downgrading takes the inbox away again."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic import command
from sqlalchemy import insert, inspect, text

from crm.store import migrate, tables
from crm.store.engine import make_engine

pytestmark = pytest.mark.integration


def _drop_everything(url: str) -> None:
    engine = make_engine(url)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        for table in reversed(tables.metadata.sorted_tables):
            conn.execute(text(f'DROP TABLE IF EXISTS "{table.name}"' + (" CASCADE" if postgres else "")))
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        if postgres:
            for guard in ("sori_access_log_guard", "sori_case_events_guard", "sori_identity_attempts_guard"):
                conn.execute(text(f"DROP FUNCTION IF EXISTS {guard}() CASCADE"))
    engine.dispose()


def test_existing_complaints_get_a_status_and_a_deadline(database_url: str) -> None:
    _drop_everything(database_url)
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0010")
    received = dt.datetime(2026, 9, 18, 1, 0, tzinfo=dt.UTC)  # Friday before 추석, 10:00 Seoul
    stored = received.replace(tzinfo=None) if engine.dialect.name == "sqlite" else received
    with engine.begin() as conn:
        conn.execute(
            insert(tables.centers).values(
                code="ACRC110", name="정부민원안내콜센터", institution="국민권익위원회", public_number="110",
                hours="mon-fri 09:00-18:00", service_level="80/20", area_codes=[], overflow_partners=[],
                active=True, demo=False,
            )
        )  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO complaints (sinmungo_id, received_at, title, assigned_center) "
                "VALUES ('1AA-2609-0001', :at, '추석 전 민원', 'ACRC110')"
            ),
            {"at": stored},
        )
    migrate.upgrade(engine, "0011")
    with engine.connect() as conn:
        row = conn.execute(text("SELECT status, body, body_masked, due_at, claimed_by FROM complaints")).one()
    due = row.due_at if isinstance(row.due_at, dt.datetime) else dt.datetime.fromisoformat(row.due_at)
    assert (row.status, row.body, row.body_masked, row.claimed_by) == ("received", "", "", None)
    # 7 working days, 24-26 September being 추석: Thursday 1 October, 18:00 Seoul
    assert due.replace(tzinfo=None) == dt.datetime(2026, 10, 1, 9, 0)
    assert "complaint_events" in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    migrate.check(engine)
    engine.dispose()


def test_downgrade_removes_the_inbox(database_url: str) -> None:
    _drop_everything(database_url)
    engine = make_engine(database_url)
    migrate.upgrade(engine, "0011")
    config = migrate.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")
    names = inspect(engine).get_table_names()
    columns = {c["name"] for c in inspect(engine).get_columns("complaints")}
    assert "complaint_events" not in names and not {"body", "status", "due_at"} & columns
    migrate.upgrade(engine, "0011")
    engine.dispose()
