"""A purged case leaves nothing anywhere: not in any table, not in any file of the state directory (recordings,
the search index, logs), not in the SQLite database's own bytes; only its id-only access-log rows stay.

The case is built the way the system builds one: a citizen with a name, a phone and a 주민등록번호, a call
recorded to a real WAV file, the post-call transcriber's transcript, the indexer's phone document, a
hand-off, a callback, a linked 신문고 complaint, identity checks, a supervisor's attestation, an agent's tool
use, a stored idempotent answer, and access-log rows. Each
identifying string is first found on disk or in the database (the scan works), then purged by ``sori up``'s
scheduled purge or by ``sori purge``, then found nowhere. A recent case of another citizen stays whole.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import time
import wave
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, inspect, select

from analytics.ingest.pipeline import Checkpoints, ingest_case_store
from analytics.search.port import contact_doc_id
from analytics.stt.port import Segment, Transcript
from analytics.stt.postcall import PostCallTranscriber
from analytics.text import shared_tokenizer
from crm.cases import services
from crm.cases.model import CallbackStatus, Channel, Disposition, Interaction
from crm.cases.status import CaseStatus
from crm.citizens.services import register_citizen
from crm.door.calls import TRANSCRIBE_AFTER
from crm.door.sql_calls import CaseStoreCalls
from crm.door.sql_contacts import SqlPhoneContacts
from crm.door.sql_transcription import SqlTranscriptionQueue
from crm.store import tables
from kernel.actor import Actor
from sori.logs import JsonFormatter
from sori.purge import ScheduledPurge
from sori.wiring import System, open_index
from tests.support import reactor as rt
from tests.support.system import TEST_KEY, FakeClock

pytestmark = pytest.mark.integration

OLD_REF = "2015/07/01/101500-w1-3-1a2b3c4d.wav"
NEW_REF = "2026/03/01/101500-w1-4-5e6f7a8b.wav"
NAME, PHONE, RRN = "남궁휘람", "010-7391-4826", "851203-1234567"
SPOKEN = "남궁휘람 입니다 쿼카와플레이크 누수 때문에 전화했어요 제 번호는 010-7391-4826"
TOOL_WORD = "두더지풍선껌틀니"  # only in what an agent looked up with a tool
OLD_WORDS = (f"{NAME} 님 곰팡이얼룩포도 문의", "해바라기국수 민원 상담", SPOKEN)
NEW_WORDS = ("황보결 님 여권 재발급 문의", "여권 사진 규격 안내", "여권을 잃어버려서 다시 만들려고 합니다")


class _Speech:
    """The recogniser's stand-in: the words a real model would hear are not the test's subject."""

    def __init__(self, text: str) -> None:
        self.text = text

    def transcribe(self, path: Path, *, start: float = 0.0, end: float | None = None) -> Transcript:
        assert path.is_file()
        return Transcript(self.text, "ko", 1.0, (Segment(0.0, 1.0, self.text),))


def write_wav(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes(range(256)) * 62 + b"\0" * 128)  # 1 s


def recorded_case(
    system: System, clock: FakeClock, name: str, phone: str, ref: str, words: tuple[str, str, str], **citizen: Any
) -> dict[str, Any]:
    """A citizen's case (its summary) with one recorded agent contact (its notes), transcribed (the spoken
    words), then closed."""
    summary, notes, spoken = words
    actor = Actor.system("test")
    recordings = system.settings.state_dir / "recordings"
    with system.uow() as uow:
        person = register_citizen(uow, actor, clock(), system.rrn_key, name=name, phones=[phone], **citizen)
        uow.flush()
        assert person.id is not None
        case = services.open_case(uow, actor, clock(), citizen_id=person.id, center_code="ACRC110",
                                  channel=Channel.INBOUND_CALL, summary=summary)  # fmt: skip
        uow.flush()
        kim = uow.agents.by_login("kim")
        assert kim is not None and case.id is not None
        contact = Interaction(Channel.INBOUND_CALL, "ACRC110", clock() - dt.timedelta(seconds=1), case_id=case.id,
                              citizen_id=person.id, agent_id=kim.id, answered_at=clock() - dt.timedelta(seconds=1),
                              ended_at=clock(), disposition=Disposition.ANSWERED, notes=notes,
                              recording_ref=ref, caller_masked="010-****-" + phone[-4:])  # fmt: skip
        uow.interactions.add(contact)
        uow.commit()
        ids: dict[str, Any] = {"citizen": person.id, "case": case.id, "number": case.number, "contact": contact.id,
                               "agent": kim.id}  # fmt: skip
    write_wav(recordings / ref)
    CaseStoreCalls(system.uow, system.policy).enqueue_transcription(ref, clock(), 1.0)
    clock.advance(seconds=TRANSCRIBE_AFTER.total_seconds())
    worker = PostCallTranscriber(SqlTranscriptionQueue(system.uow), _Speech(spoken), recordings, clock)
    assert worker.run_once() is not None
    with system.uow() as uow:
        for target in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            services.change_status(uow, actor, clock(), number=ids["number"], target=target, reason=None,
                                   expected_version=None)  # fmt: skip
        uow.commit()
    return ids


def everything_else(system: System, clock: FakeClock, old: dict[str, Any], real_now: dt.datetime) -> None:
    """The rest of an old case's traces: a hand-off, a callback, a 신문고 complaint, a caseless dropped
    contact (with the number it called from), a supervisor's attestation, an SMS identity check and its
    attempt, an agent's tool use on the contact, a stored idempotent answer (recent), and access-log rows
    (recent: kept two years)."""
    with system.engine.begin() as conn:
        conn.execute(insert(tables.handoffs).values(
            case_id=old["case"], from_center="ACRC110", to_center="NTS126", reason="세무 문의",
            summary=f"{NAME} 님, 쿼카와플레이크 건 이관", created_at=clock()))  # fmt: skip
        conn.execute(insert(tables.callbacks).values(
            case_id=old["case"], citizen_id=old["citizen"], center_code="ACRC110", interaction_id=old["contact"],
            due_at=clock(), reason="dropped", status=CallbackStatus.DONE, attempts=1, created_at=clock()))  # fmt: skip
        conn.execute(insert(tables.complaints).values(
            sinmungo_id="1AA-1507-000123", received_at=clock(), title=f"{NAME} 누수 해바라기국수 민원",
            citizen_id=old["citizen"], case_id=old["case"]))  # fmt: skip
        conn.execute(insert(tables.interactions).values(
            channel=Channel.INBOUND_CALL, center_code="ACRC110", citizen_id=old["citizen"],
            started_at=clock() - dt.timedelta(days=3), ended_at=clock() - dt.timedelta(days=3),
            disposition=Disposition.ABANDONED_IN_QUEUE, caller_masked="010-****-4826",
            caller_number=PHONE.replace("-", "")))  # fmt: skip
        conn.execute(insert(tables.serving_attestations).values(
            citizen_id=old["citizen"], agent_id=old["agent"], center_code="ACRC110", kind="walk-in",
            reason=f"{NAME} 님 방문 상담", created_at=clock(), expires_at=clock() + dt.timedelta(hours=1),
            interaction_id=old["contact"]))  # fmt: skip
        conn.execute(insert(tables.identity_challenges).values(
            interaction_id=old["contact"], citizen_id=old["citizen"], code_hash="0" * 64,
            sent_to_masked="010-****-4826", created_at=clock(), expires_at=clock(), tries=0))  # fmt: skip
        conn.execute(insert(tables.tool_uses).values(
            interaction_id=old["contact"], case_id=old["case"], citizen_id=old["citizen"], agent_id=old["agent"],
            center_code="ACRC110", tool="public-services", action="eligibility", summary=f"자격확인: {TOOL_WORD}",
            outcome="ok", outcome_detail="해당", ref="135200000002", at=clock()))  # fmt: skip
        conn.execute(insert(tables.identity_attempts).values(
            at=clock(), agent_id=old["agent"], citizen_id=old["citizen"], interaction_id=old["contact"],
            method="sms-code", outcome="verified"))  # fmt: skip
        answer = {"number": old["number"], "citizen": {"id": old["citizen"], "name": NAME}}
        body = json.dumps(answer, ensure_ascii=False)
        conn.execute(insert(tables.idempotency_keys).values(
            agent_id=old["agent"], key="k-1", fingerprint="0" * 64, status=201, body=body,
            created_at=real_now - dt.timedelta(hours=1)))  # fmt: skip
        for hours in (30, 20):
            conn.execute(insert(tables.access_log).values(
                at=real_now - dt.timedelta(hours=hours), agent_id=old["agent"], agent_login="kim",
                agent_center="ACRC110", citizen_id=old["citizen"], case_id=old["case"],
                interaction_id=old["contact"], purpose="search", scope="own-center", reason="재문의 확인",
                via="GET /api/v1/cases/{number}"))  # fmt: skip


def markers(old: dict[str, Any], rrn_hash: str) -> dict[str, bytes]:
    words = {"case number": old["number"], "name": NAME, "phone digits": PHONE.replace("-", ""),
             "resident number (masked)": RRN[:8], "resident number hash": rrn_hash,
             "transcript word": "쿼카와플레이크", "notes word": "해바라기국수",
             "summary word": "곰팡이얼룩포도", "tool use word": TOOL_WORD}  # fmt: skip
    return {label: text.encode() for label, text in words.items()}


def scan(engine: Engine, root: Path, wanted: dict[str, bytes]) -> dict[str, list[str]]:
    """Where each marker is: every row of every table (by SQL) and every byte of every file under ``root``."""
    found: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for name in inspect(engine).get_table_names():
            for row in conn.exec_driver_sql(f'SELECT * FROM "{name}"').all():  # stored values, undecoded
                text = "\x1f".join("" if v is None else str(v) for v in row).encode()
                for label, marker in wanted.items():
                    if marker in text:
                        found.setdefault(label, []).append(f"table {name}")
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        for label, marker in wanted.items():
            if marker in data:
                found.setdefault(label, []).append(f"file {path.relative_to(root)}")
    return found


def run_scheduled(system: System, log_file: Path) -> dict[str, int]:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("sori.purge")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    purge = ScheduledPurge(system, rt.reactor)
    try:
        rt.call(purge.startService)
        deadline = time.monotonic() + 120
        while not purge.runs and purge.failures == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        rt.call(purge.stopService)
    finally:
        logger.removeHandler(handler)
        handler.close()
    assert purge.failures == 0 and len(purge.runs) == 1, "one run at start, the next a day later"
    logged = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    assert any(entry["msg"] == "retention purge" and entry["deleted"] == purge.runs[0] for entry in logged)
    return purge.runs[0]


def run_cli(system: System, database_url: str) -> dict[str, int]:
    env = {**os.environ, "SORI_PRIVACY__RRN_HASH_KEY": TEST_KEY}
    done = subprocess.run(
        [sys.executable, "-m", "sori.cli", "purge", "--state-dir", str(system.settings.state_dir),
         "--database-url", database_url], capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["dry_run"] is False
    return dict(result["deleted"])


@pytest.mark.parametrize("path", ["scheduled", "cli"])
def test_nothing_of_a_purged_case_remains_but_id_only_access_log_rows(
    system: System, clock: FakeClock, database_url: str, tmp_path: Path, path: str
) -> None:
    real_now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    clock.now = real_now - dt.timedelta(days=4000)
    system.settings.retention.purge_first_after_s = 0
    old = recorded_case(system, clock, NAME, PHONE, OLD_REF, OLD_WORDS, resident_number=RRN)
    everything_else(system, clock, old, real_now)
    clock.now = real_now - dt.timedelta(days=10)
    kept = recorded_case(system, clock, "황보결", "010-2222-3333", NEW_REF, NEW_WORDS)
    clock.now = real_now
    shared_tokenizer()  # Kiwi, once, before anything is timed
    index = open_index(system.settings)
    try:
        checkpoints = Checkpoints(tmp_path / "state" / "analytics" / "ck.json")
        ingest_case_store(SqlPhoneContacts(system.engine), index, checkpoints=checkpoints)
        assert index.get(contact_doc_id(old["contact"])) is not None and index.get(contact_doc_id(kept["contact"]))
    finally:
        index.close()
    with system.engine.connect() as conn:
        z = tables.citizens.c
        rrn_hash = conn.execute(select(z.rrn_hash).where(z.id == old["citizen"])).scalar_one()
    wanted = markers(old, rrn_hash)
    before = scan(system.engine, tmp_path, wanted)
    assert set(before) == set(wanted), f"the scan finds every marker before the purge: {before}"
    assert any(place.startswith("file state/analytics") for place in before["transcript word"])

    counts = run_scheduled(system, tmp_path / "state" / "logs" / "purge.log") if path == "scheduled" else run_cli(
        system, database_url
    )

    assert counts["cases"] == 1 and counts["interactions"] == 2 and counts["citizens"] == 1
    assert counts["recordings"] == 1 and counts["index_documents"] >= 1 and counts["transcription_jobs"] == 1
    assert counts["idempotency_keys"] == 1 and counts["complaints"] == 1 and counts["handoffs"] == 1
    assert counts["serving_attestations"] == 1 and counts["identity_challenges"] == 1
    assert counts["identity_attempts"] == 1 and counts["tool_uses"] == 1
    assert scan(system.engine, tmp_path, wanted) == {}, "nothing of the purged case anywhere"
    recordings = tmp_path / "state" / "recordings"
    assert not (recordings / OLD_REF).exists() and not (recordings / OLD_REF).parent.exists()
    assert (recordings / NEW_REF).is_file(), "the recent case keeps its recording"
    index = open_index(system.settings)
    try:
        assert index.get(contact_doc_id(old["contact"])) is None
        assert index.get(contact_doc_id(kept["contact"])) is not None, "and its document"
    finally:
        index.close()
    with system.engine.connect() as conn:
        log_rows = conn.execute(select(tables.access_log).where(tables.access_log.c.case_id == old["case"])).all()
        assert len(log_rows) == 2, "access-log rows are kept for their legal period"
        assert all(row.citizen_id == old["citizen"] and row.via == "GET /api/v1/cases/{number}" for row in log_rows)
        assert conn.execute(select(func.count()).select_from(tables.cases)).scalar_one() == 1
    system.engine.dispose()
