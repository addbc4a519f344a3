"""Retention: `sori purge` removes what is past its period and nothing younger."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select

from crm.actor import Actor
from crm.cases import services
from crm.cases.model import Channel
from crm.cases.status import CaseStatus
from crm.citizens.services import register_citizen
from crm.store import tables
from sori.purge import purge
from sori.wiring import System
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration


def count(system: System, table: tables.Table) -> int:
    with system.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def closed_case(system: System, citizen_id: int) -> str:
    actor = Actor.system("test")
    with system.uow() as uow:
        case = services.open_case(
            uow,
            actor,
            system.clock(),
            citizen_id=citizen_id,
            center_code="ACRC110",
            channel=Channel.INBOUND_CALL,
            summary="오래된 상담",
        )
        for target in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            services.change_status(
                uow, actor, system.clock(), number=case.number, target=target, reason=None, expected_version=None
            )
        uow.commit()
        return case.number


def test_purge_respects_each_retention_period(system: System, clock: FakeClock) -> None:
    real_now = dt.datetime.now(dt.UTC)
    clock.now = real_now - dt.timedelta(days=4000)
    with system.uow() as uow:
        citizen = register_citizen(uow, Actor.system("test"), clock(), system.rrn_key, name="홍길동")
        uow.commit()
    assert citizen.id is not None
    old = closed_case(system, citizen.id)
    clock.now = real_now - dt.timedelta(days=10)
    recent = closed_case(system, citizen.id)
    with system.engine.begin() as conn:
        for days in (2000, 800, 100):  # kept 1825 days by default: only the 2000-day-old row goes
            conn.execute(
                insert(tables.access_log).values(
                    at=real_now - dt.timedelta(days=days),
                    agent_login="kim",
                    citizen_id=citizen.id,
                    purpose="search",
                    scope="own-center",
                    via="GET /x",
                )
            )
    clock.now = real_now
    planned = purge(system, dry_run=True)
    assert planned["cases"] == 1 and planned["access_log"] == 1
    assert count(system, tables.cases) == 2, "a dry run deletes nothing"
    done = purge(system)
    assert done["cases"] == 1 and done["access_log"] == 1
    with system.uow() as uow:
        assert uow.cases.get(old) is None and uow.cases.get(recent) is not None
    assert count(system, tables.access_log) == 2
    assert count(system, tables.case_events) > 0, "the kept case keeps its events"
