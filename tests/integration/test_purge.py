"""Retention: `sori purge` removes what is past its period and nothing younger, and nothing a kept case needs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, update

from crm.cases import services
from crm.cases.model import Channel
from crm.cases.status import CaseStatus
from crm.citizens.services import register_citizen
from crm.store import tables
from kernel.actor import Actor
from sori.purge import purge, remove_recordings
from sori.runtime import build_services
from sori.wiring import System
from tests.support import reactor as rt
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


def test_a_purge_keeps_what_a_kept_case_still_needs(system: System, clock: FakeClock) -> None:
    """The citizen of a purged case who has another case stays; a case merged into the purged one goes with
    it; a recording a kept contact shares stays (with its job); stored answers go only if they show the case."""
    real_now = dt.datetime.now(dt.UTC)
    clock.now = real_now - dt.timedelta(days=4000)
    actor = Actor.system("test")
    with system.uow() as uow:
        citizen = register_citizen(uow, actor, clock(), system.rrn_key, name="홍길동", phones=["010-1234-5678"])
        uow.commit()
    assert citizen.id is not None
    old, merged = closed_case(system, citizen.id), closed_case(system, citizen.id)
    clock.now = real_now - dt.timedelta(days=5)
    with system.uow() as uow:
        recent = services.open_case(uow, actor, clock(), citizen_id=citizen.id, center_code="ACRC110",
                                    channel=Channel.INBOUND_CALL, summary="최근 상담")  # fmt: skip
        uow.commit()
    ids = {}
    with system.engine.begin() as conn:
        for number in (old, merged, recent.number):
            ids[number] = conn.execute(select(tables.cases.c.id).where(tables.cases.c.number == number)).scalar_one()
        conn.execute(update(tables.cases).where(tables.cases.c.number == merged).values(merged_into=old))
        recordings = system.settings.state_dir / "recordings"
        for number, ref in ((old, "2015/a.wav"), (old, "2015/shared.wav"), (recent.number, "2015/shared.wav")):
            (recordings / ref).parent.mkdir(parents=True, exist_ok=True)
            (recordings / ref).write_bytes(b"RIFF")
            conn.execute(insert(tables.interactions).values(
                case_id=ids[number], citizen_id=citizen.id, channel=Channel.INBOUND_CALL, center_code="ACRC110",
                started_at=clock(), ended_at=clock(), recording_ref=ref))  # fmt: skip
        conn.execute(insert(tables.transcription_jobs).values(
            recording_ref="2015/shared.wav", enqueued_at=clock(), recording_started_at=clock(), state="done",
            attempts=1))  # fmt: skip
        answers = {"a": {"number": old}, "b": {"number": recent.number}, "c": {"x": {"case_id": ids[old]}}}
        for key, body in answers.items():
            stored = {"fingerprint": "0" * 64, "status": 200, "body": json.dumps(body), "created_at": real_now}
            conn.execute(insert(tables.idempotency_keys).values(agent_id=1, key=key, **stored))
    clock.now = real_now
    assert purge(system, dry_run=True)["cases"] == 2, "the merged case goes with its target"
    done = purge(system)
    assert done["cases"] == 2 and done["interactions"] == 2 and done["citizens"] == 0
    assert done["recordings"] == 1 and done["transcription_jobs"] == 0 and done["idempotency_keys"] == 2
    assert not (recordings / "2015/a.wav").exists() and (recordings / "2015/shared.wav").exists()
    with system.uow() as uow:
        assert uow.cases.get(old) is None and uow.cases.get(merged) is None and uow.cases.get(recent.number)
        kept = uow.citizens.get(citizen.id)
        assert kept is not None and kept.name == "홍길동"
    assert count(system, tables.transcription_jobs) == 1 and count(system, tables.citizen_phones) == 1
    with system.engine.connect() as conn:
        assert conn.execute(select(tables.idempotency_keys.c.key)).scalars().all() == ["b"]


def test_recording_references_cannot_reach_outside_the_recordings_directory(tmp_path: Path) -> None:
    root, outside = tmp_path / "recordings", tmp_path / "sori.db"
    (root / "2026").mkdir(parents=True)
    (root / "2026" / "x.wav").write_bytes(b"RIFF")
    outside.write_bytes(b"SQLite")
    refs = ["../sori.db", str(outside), "2026/../../sori.db", ".", "2026/x.wav", "2026/missing.wav"]
    assert remove_recordings(root, refs) == 1
    assert outside.exists() and root.exists() and not (root / "2026").exists()


@pytest.mark.parametrize("scheduled", [True, False])
def test_sori_up_purges_on_a_schedule_unless_configured_off(system: System, scheduled: bool) -> None:
    system.settings.retention.purge_on_schedule = scheduled
    system.settings.dashboard.enabled = False
    root = build_services(system, reactor=rt.reactor)
    names = {s.name for s in root}
    assert ("purge" in names) is scheduled


def test_a_citizen_a_later_feature_still_references_is_kept_and_the_purge_goes_on(
    system: System, clock: FakeClock
) -> None:
    real_now = dt.datetime.now(dt.UTC)
    clock.now = real_now - dt.timedelta(days=4000)
    with system.uow() as uow:
        citizen = register_citizen(uow, Actor.system("test"), clock(), system.rrn_key, name="홍길동")
        uow.commit()
    assert citizen.id is not None
    closed_case(system, citizen.id)
    with system.engine.begin() as conn:  # a table this purge does not know yet
        conn.exec_driver_sql("CREATE TABLE later_feature (id INTEGER PRIMARY KEY, citizen_id BIGINT NOT NULL "
                             "REFERENCES citizens(id))")  # fmt: skip
        conn.exec_driver_sql(f"INSERT INTO later_feature (id, citizen_id) VALUES (1, {citizen.id})")
    clock.now = real_now
    done = purge(system)
    assert done["cases"] == 1 and done["citizens"] == 0
    assert count(system, tables.cases) == 0 and count(system, tables.citizens) == 1
