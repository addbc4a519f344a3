"""Phone contacts read from the case store (SQLite and PostgreSQL) into the index: incremental, masked,
with the citizen's region, age band and sex but never who they are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from analytics.documents import Filters
from analytics.ingest.case_store import age_band
from analytics.ingest.pipeline import Checkpoints, ingest_case_store
from analytics.search.sqlite_index import SqliteIndex
from crm.store import migrate, tables
from sori.seed.demo import seed_demo
from tests.support.system import make_system

pytestmark = pytest.mark.integration


def test_voice_contacts_with_words_are_indexed_once_and_new_ones_on_the_next_run(
    database_url: str, tmp_path: Path
) -> None:
    system = make_system(database_url, tmp_path / "state")
    migrate.upgrade(system.engine)
    seed_demo(system)
    i = tables.interactions.c
    with system.engine.begin() as conn:
        expected = conn.execute(select(func.count()).select_from(tables.interactions).where(
            i.channel.in_(["inbound-call", "outbound-call", "callback"]), i.ended_at.is_not(None),
            (i.notes.is_not(None)) | (i.transcript.is_not(None)))).scalar_one()  # fmt: skip
        first_id = conn.execute(select(func.min(i.id)).where(i.notes.is_not(None))).scalar_one()
        conn.execute(update(tables.interactions).where(i.id == first_id).values(
            transcript="제 번호는 010-3456-7890 이고 주민번호는 850505-2345678 입니다. 재산세 문의"))  # fmt: skip
    assert expected > 0
    index = SqliteIndex(tmp_path / "index.db")
    checkpoints = Checkpoints(tmp_path / "cp.json")
    report = ingest_case_store(system.engine, index, checkpoints=checkpoints, batch=7)
    assert report.written == expected and index.count(Filters(equals={"channel": "phone"})) == expected
    doc = index.get(f"call:{first_id}")
    assert doc is not None and "재산세" in doc.tokens
    assert "3456-7890" not in doc.body and "2345678" not in doc.body
    assert all(d.center for d in index.documents(Filters()))
    assert ingest_case_store(system.engine, index, checkpoints=Checkpoints(tmp_path / "cp.json")).read == 0
    with system.engine.begin() as conn:
        row = conn.execute(select(tables.interactions).where(i.id == first_id)).mappings().one()
        values = {k: v for k, v in row.items() if k != "id"}
        values.update(notes="여권 재발급 절차 안내", transcript=None, started_at=dt.datetime.now(dt.UTC))
        conn.execute(tables.interactions.insert().values(**values))
    again = ingest_case_store(system.engine, index, checkpoints=Checkpoints(tmp_path / "cp.json"))
    assert (again.read, index.count(Filters())) == (1, expected + 1)
    system.engine.dispose()


@pytest.mark.parametrize(("birth", "band"), [(None, None), (2020, "10대 미만"), (1997, "20대"), (1990, "30대"),
                                             (1940, "80대 이상")])  # fmt: skip
def test_age_bands(birth: int | None, band: str | None) -> None:
    assert age_band(birth, 2026) == band


def test_a_contact_transcribed_after_it_was_indexed_is_indexed_again_with_its_transcript(
    database_url: str, tmp_path: Path
) -> None:
    system = make_system(database_url, tmp_path / "state")
    migrate.upgrade(system.engine)
    seed_demo(system)
    index = SqliteIndex(tmp_path / "index.db")
    checkpoints = Checkpoints(tmp_path / "cp.json")
    ingest_case_store(system.engine, index, checkpoints=checkpoints)
    i, j = tables.interactions.c, tables.transcription_jobs.c
    with system.engine.begin() as conn:
        contact = conn.execute(select(func.min(i.id)).where(i.notes.is_not(None), i.agent_id.is_not(None))).scalar_one()
        now = dt.datetime.now(dt.UTC)
        conn.execute(update(tables.interactions).where(i.id == contact).values(
            recording_ref="2026/11/26/x.wav", transcript="자동차세 납부 기한을 문의합니다"))  # fmt: skip
        conn.execute(tables.transcription_jobs.insert().values(
            recording_ref="2026/11/26/x.wav", enqueued_at=now, recording_started_at=now, state="running",
            attempts=1))  # fmt: skip
    assert ingest_case_store(system.engine, index, checkpoints=checkpoints).read == 0, "not before the job is done"
    with system.engine.begin() as conn:
        conn.execute(
            update(tables.transcription_jobs).where(j.recording_ref == "2026/11/26/x.wav").values(state="done")
        )
    again = ingest_case_store(system.engine, index, checkpoints=checkpoints)
    doc = index.get(f"call:{contact}")
    assert again.read == 1 and doc is not None and "자동차세" in doc.tokens
    assert ingest_case_store(system.engine, index, checkpoints=checkpoints).read == 0
    index.close()
    system.engine.dispose()
