"""Phone contacts read from the case store (SQLite and PostgreSQL) into the index: incremental, masked,
with the citizen's region, age band and sex but never who they are."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine, func, select, text, update

from analytics.documents import Filters
from analytics.ingest.pipeline import Checkpoints, ingest_case_store
from analytics.search.sqlite_index import SqliteIndex
from crm.door.ports import age_band
from crm.door.sql_contacts import SqlPhoneContacts
from crm.store import migrate, tables
from sori.seed.demo import seed_centers, seed_demo
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
    report = ingest_case_store(SqlPhoneContacts(system.engine), index, checkpoints=checkpoints, batch=7)
    assert report.written == expected and index.count(Filters(equals={"channel": "phone"})) == expected
    doc = index.get(f"call:{first_id}")
    assert doc is not None and "재산세" in doc.tokens
    assert "3456-7890" not in doc.body and "2345678" not in doc.body
    assert all(d.center for d in index.documents(Filters()))
    contacts = SqlPhoneContacts(system.engine)
    assert ingest_case_store(contacts, index, checkpoints=Checkpoints(tmp_path / "cp.json")).read == 0
    with system.engine.begin() as conn:
        row = conn.execute(select(tables.interactions).where(i.id == first_id)).mappings().one()
        values = {k: v for k, v in row.items() if k != "id"}
        values.update(notes="여권 재발급 절차 안내", transcript=None, started_at=dt.datetime.now(dt.UTC))
        conn.execute(tables.interactions.insert().values(**values))
    again = ingest_case_store(SqlPhoneContacts(system.engine), index, checkpoints=Checkpoints(tmp_path / "cp.json"))
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
    ingest_case_store(SqlPhoneContacts(system.engine), index, checkpoints=checkpoints)
    i, j = tables.interactions.c, tables.transcription_jobs.c
    with system.engine.begin() as conn:
        contact = conn.execute(select(func.min(i.id)).where(i.notes.is_not(None), i.agent_id.is_not(None))).scalar_one()
        now = dt.datetime.now(dt.UTC)
        conn.execute(tables.transcription_jobs.insert().values(
            recording_ref="2026/11/26/x.wav", enqueued_at=now, recording_started_at=now, state="running",
            attempts=1))  # fmt: skip
        conn.execute(update(tables.interactions).where(i.id == contact).values(recording_ref="2026/11/26/x.wav"))
    contacts = SqlPhoneContacts(system.engine)
    assert ingest_case_store(contacts, index, checkpoints=checkpoints).read == 0, "a recording is no change"
    with system.engine.begin() as conn:  # the transcriber writes the transcript and ends the job together
        conn.execute(
            update(tables.interactions).where(i.id == contact).values(transcript="자동차세 납부 기한을 문의합니다")
        )
        conn.execute(
            update(tables.transcription_jobs).where(j.recording_ref == "2026/11/26/x.wav").values(state="done")
        )
    again = ingest_case_store(SqlPhoneContacts(system.engine), index, checkpoints=checkpoints)
    doc = index.get(f"call:{contact}")
    assert again.read == 1 and doc is not None and "자동차세" in doc.tokens
    assert ingest_case_store(SqlPhoneContacts(system.engine), index, checkpoints=checkpoints).read == 0
    index.close()
    system.engine.dispose()


def _contact(conn: Connection, *, ended: bool = True, notes: str | None = "여권 재발급 문의", **values: object) -> int:
    now = dt.datetime.now(dt.UTC)
    row = {"channel": "inbound-call", "center_code": "ACRC110", "started_at": now, "notes": notes,
           "ended_at": now if ended else None, **values}  # fmt: skip
    return int(
        conn.execute(tables.interactions.insert().values(**row).returning(tables.interactions.c.id)).scalar_one()
    )


def _indexed(index: SqliteIndex) -> set[int]:
    return {int(d.doc_id.removeprefix("call:")) for d in index.documents(Filters())}


def test_contacts_stored_or_given_words_out_of_order_are_never_skipped(database_url: str, tmp_path: Path) -> None:
    """An id cursor skipped a contact whose words came after a higher id was read, and a contact committed
    after a higher id; the change cursor reads both, and a change analytics do not read is no change."""
    system = make_system(database_url, tmp_path / "state")
    seed_centers(system)
    index = SqliteIndex(tmp_path / "index.db")
    checkpoints = Checkpoints(tmp_path / "cp.json")
    i = tables.interactions.c
    with system.engine.begin() as conn:
        on_the_line = _contact(conn, ended=False, notes=None)  # a call still in progress
        finished = _contact(conn, notes="주민등록등본 발급 문의")
    assert ingest_case_store(SqlPhoneContacts(system.engine), index, checkpoints=checkpoints).read == 1
    with system.engine.begin() as conn:  # the first call ends and its notes are written at wrap-up
        conn.execute(update(tables.interactions).where(i.id == on_the_line).values(
            ended_at=dt.datetime.now(dt.UTC), notes="건강보험료 체납 문의"))  # fmt: skip
    assert ingest_case_store(SqlPhoneContacts(system.engine), index, checkpoints=checkpoints).read == 1
    assert _indexed(index) == {on_the_line, finished}
    with system.engine.begin() as conn:  # an id below every id read, committed now
        late = _contact(conn, id=on_the_line - 100 if on_the_line > 100 else 0, notes="자동차 등록 이전 문의")
    with system.engine.begin() as conn:
        conn.execute(update(tables.interactions).where(i.id == finished).values(verified_method="rrn"))
    report = ingest_case_store(SqlPhoneContacts(system.engine), index, checkpoints=Checkpoints(tmp_path / "cp.json"))
    assert report.read == 1 and _indexed(index) == {on_the_line, finished, late}
    doc = index.get(f"call:{on_the_line}")
    assert doc is not None and "체납" in doc.body
    index.close()
    system.engine.dispose()


@pytest.mark.postgres
def test_postgres_concurrent_writers_cannot_overtake_the_cursor(postgres: object, tmp_path: Path) -> None:
    """PostgreSQL writers run at once: a transaction that took a lower change_seq but commits after one with a
    higher change_seq is still read, and rows behind a running transaction wait for it."""
    from tests.support.postgres import PostgresServer

    assert isinstance(postgres, PostgresServer)
    admin = create_engine(postgres.admin_url, isolation_level="AUTOCOMMIT")
    name = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE sori_template"))
    system = make_system(postgres.url(name), tmp_path / "state")
    try:
        seed_centers(system)
        index = SqliteIndex(tmp_path / "index.db")
        checkpoints = Checkpoints(tmp_path / "cp.json")
        engine = system.engine
        with engine.connect() as first, engine.connect() as second:
            t2 = second.begin()
            second.execute(select(func.pg_current_xact_id()))  # the second transaction has the older id …
            t1 = first.begin()
            early = _contact(first, notes="전입신고 문의")  # … the first takes the lower change_seq …
            late = _contact(second, notes="근로장려금 문의")
            t2.commit()  # … and commits last
            assert ingest_case_store(SqlPhoneContacts(engine), index, checkpoints=checkpoints).read == 1
            assert _indexed(index) == {late}
            t1.commit()
        assert ingest_case_store(SqlPhoneContacts(engine), index, checkpoints=checkpoints).read == 1
        assert _indexed(index) == {early, late}
        with engine.connect() as conn:
            seqs = dict(conn.execute(select(tables.interactions.c.id, tables.interactions.c.change_seq)).all())
        assert seqs[early] < seqs[late], "the sequence alone would have skipped the early contact"
        with engine.connect() as running, engine.connect() as other:
            t_running = running.begin()
            held = _contact(running, notes="여권 분실 신고 문의")
            with other.begin():
                behind = _contact(other, notes="실업급여 신청 문의")
            waiting = ingest_case_store(SqlPhoneContacts(engine), index, checkpoints=checkpoints)
            assert waiting.read == 0, "held behind the running one"
            t_running.commit()
        assert ingest_case_store(SqlPhoneContacts(engine), index, checkpoints=checkpoints).read == 2
        assert _indexed(index) == {early, late, held, behind}
        index.close()
    finally:
        system.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
