"""Post-call transcription from the durable queue, on SQLite and PostgreSQL, with the real Whisper model.

A call recording is built like the media worker writes it (8 kHz 16-bit mono): a Korean menu prompt
(espeak-ng), then a real speech clip while the first agent talks, a pause while the call is transferred, and
a second clip while the second agent talks. Telephony's own enqueue puts it on the queue; the transcriber
transcribes each agent contact's talk window (the menu is never transcribed), masks it, and fills the
case's suggested category with a classifier trained here on real petitions.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import random
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest
from sqlalchemy import select

from analytics.classify.model import Doc, fit
from analytics.stt.normalize import corpus_cer
from analytics.stt.port import Segment, Transcript
from analytics.stt.postcall import PostCallTranscriber
from analytics.stt.whisper import WhisperTranscriber
from crm.cases.model import Channel, Disposition, Interaction
from crm.cases.transcription import JobState
from crm.door.calls import TRANSCRIBE_AFTER
from crm.door.sql_calls import CaseStoreCalls
from crm.door.sql_transcription import SqlTranscriptionQueue
from crm.store import migrate, tables
from sori.seed.demo import seed_demo
from sori.wiring import System
from tests.integration.analytics_stt.conftest import Clip
from tests.support.shared import shared_dir
from tests.support.system import FakeClock, make_system

pytestmark = pytest.mark.integration

REF = "2026/11/26/030000-w1-7-0a1b2c3d.wav"


def _sox(*args: str) -> None:
    subprocess.run(["sox", *args], check=True, capture_output=True)


def build_recording(target: Path, clips: list[Clip], work: Path) -> list[tuple[float, float]]:
    """The call's WAV and the (start, end) seconds of each clip in it."""
    work.mkdir(parents=True, exist_ok=True)
    prompt = work / "prompt.wav"
    text = "상담원을 연결해 드리겠습니다. 잠시만 기다려 주십시오."
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(prompt), text], check=True, capture_output=True)
    pcm = ["-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer"]
    parts, spans, at = [], [], 0.0
    for name, source in [("prompt", prompt), *((c.utterance, c.telephone) for c in clips)]:
        part = work / f"{name}.wav"
        _sox(str(source), *pcm, str(part), "pad", "0", "2")  # two seconds of silence after each part
        if name != "prompt":
            spans.append((at, at + _seconds(part) - 2))
        at += _seconds(part)
        parts.append(str(part))
    target.parent.mkdir(parents=True, exist_ok=True)
    _sox(*parts, *pcm, str(target))
    return spans


def _seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def _classifier_suggest() -> tuple[object, object]:
    """A category model trained on 20 short petitions per category (real data, quick to fit)."""
    from analytics.classify.classifier import Classifier
    from analytics.classify.data import join_text
    from analytics.text import shared_tokenizer

    path = shared_dir() / "data" / "bluehouse_petitions_korkeep_2020-01to09.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    rng = random.Random(3)
    by_class: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_class.setdefault(row["category"], []).append(row)
    chosen = [r for members in by_class.values() for r in rng.sample(members, min(20, len(members)))]
    tokenizer = shared_tokenizer()
    texts = [join_text(r["title"], (r["content"] or "")[:200]) for r in chosen]
    model = fit([Doc(t, tuple(tokenizer.tokens(t))) for t in texts], [r["category"] for r in chosen])
    classifier = Classifier(model)
    return classifier, classifier.suggester()


@pytest.fixture
def call(database_url: str, tmp_path: Path) -> dict[str, object]:
    """A seeded store, a recorded call with two agent contacts (a transfer) and the menu's contact."""
    clock = FakeClock()
    system = make_system(database_url, tmp_path / "state", clock)
    migrate.upgrade(system.engine)
    seed_demo(system)
    speech = shared_dir() / "speech"
    lines = (speech / "transcripts_zeroth_original.txt").read_text(encoding="utf-8").splitlines()
    references = dict(line.split(maxsplit=1) for line in lines if line)
    clips = [Clip(u, speech / "audio" / f"{u}.flac", speech / "telephone" / f"{u}.alaw8k.wav", references[u])
             for u in sorted(references)[:2]]  # fmt: skip
    recordings = tmp_path / "recordings"
    spans = build_recording(recordings / REF, clips, tmp_path / "audio")
    seconds = _seconds(recordings / REF)
    started = clock() - dt.timedelta(seconds=seconds)
    with system.uow() as uow:
        agents = [a for a in uow.agents.list("ACRC110") if a.id is not None][:2]
        case = next(c for c in uow.cases.list(center_code="ACRC110", status=None, citizen_id=None, after_id=None,
                                              limit=50) if c.citizen_id is not None)  # fmt: skip
        assert case.id is not None
        at = lambda s: started + dt.timedelta(seconds=s)  # noqa: E731
        common = {"channel": Channel.INBOUND_CALL, "center_code": "ACRC110", "case_id": case.id,
                  "citizen_id": case.citizen_id, "recording_ref": REF}  # fmt: skip
        menu = Interaction(**common, started_at=at(-8), ended_at=at(spans[0][0] - 1),  # type: ignore[arg-type]
                           disposition=Disposition.ANSWERED)  # fmt: skip
        first = Interaction(**common, agent_id=agents[0].id, started_at=at(spans[0][0] - 1.5),  # type: ignore[arg-type]
                            answered_at=at(spans[0][0] - 1), ended_at=at(spans[0][1] + 1),
                            disposition=Disposition.TRANSFERRED, notes="등본 발급 문의, 세무서로 전환")  # fmt: skip
        second = Interaction(**common, agent_id=agents[1].id, started_at=at(spans[1][0] - 1.5),  # type: ignore[arg-type]
                             answered_at=at(spans[1][0] - 1), ended_at=clock(),
                             disposition=Disposition.ANSWERED)  # fmt: skip
        for contact in (menu, first, second):
            uow.interactions.add(contact)
        uow.commit()
        ids = [menu.id, first.id, second.id]
    return {"system": system, "clock": clock, "clips": clips, "ids": ids, "case_id": case.id,
            "recordings": recordings, "seconds": seconds, "spans": spans}  # fmt: skip


def _contacts(system: System, ids: list[int]) -> list[str | None]:
    with system.engine.connect() as conn:
        rows = dict(conn.execute(select(tables.interactions.c.id, tables.interactions.c.transcript)
                                 .where(tables.interactions.c.id.in_(ids))).all())  # fmt: skip
    return [rows[i] for i in ids]


def test_a_recorded_call_is_transcribed_shared_out_over_its_agents_and_categorised(
    call: dict[str, object], transcriber: WhisperTranscriber
) -> None:
    system, clock = call["system"], call["clock"]
    assert isinstance(system, System) and isinstance(clock, FakeClock)
    store = CaseStoreCalls(system.uow, system.policy)
    assert store.enqueue_transcription(REF, clock(), float(call["seconds"]))  # type: ignore[arg-type]
    assert not store.enqueue_transcription(REF, clock(), 1.0), "one job per recording"
    classifier, suggest = _classifier_suggest()
    queue = SqlTranscriptionQueue(system.uow)
    worker = PostCallTranscriber(queue, transcriber, call["recordings"], clock, suggest=suggest)  # type: ignore[arg-type]
    assert worker.backlog()["pending"] == 1
    assert worker.run_once() is None, "a closed recording waits for its contacts to be written"
    clock.advance(seconds=TRANSCRIBE_AFTER.total_seconds())
    outcome = worker.run_once()
    assert outcome is not None and outcome.state is JobState.DONE and outcome.contacts == 2, outcome
    menu, first, second = _contacts(system, call["ids"])  # type: ignore[arg-type]
    assert menu is None, "the menu's contact had no agent: the prompt is not its transcript"
    clips = call["clips"]
    assert isinstance(clips, list) and first and second
    cer = corpus_cer([(clips[0].reference, first), (clips[1].reference, second)])
    assert cer <= 0.20, (cer, first, second)
    assert "상담원" not in first, "the menu prompt was heard before the first agent answered"
    with system.uow(readonly=True) as uow:
        case = uow.cases.get_by_id(call["case_id"])  # type: ignore[arg-type]
        events = [e for e in uow.events.for_case(call["case_id"]) if e.actor == "system:transcriber"]  # type: ignore[arg-type]
        job = uow.transcription_jobs.by_ref(REF)
    expected = suggest("\n".join([first, "등본 발급 문의, 세무서로 전환", second]))  # type: ignore[operator]
    assert case is not None and case.suggested_category == expected[0] and expected[0] in classifier.classes  # type: ignore[attr-defined]
    assert events and events[-1].after == {"suggested_category": expected[0], "suggested_agency": expected[1]}
    assert job is not None and job.state is JobState.DONE and job.attempts == 1
    assert worker.backlog() | {"oldest_pending_s": None} == {"pending": 0, "running": 0, "done": 1, "skipped": 0,
                                                             "failed": 0, "oldest_pending_s": None}  # fmt: skip


class _Speech:
    """A stand-in recogniser, used only where the test needs words no speech clip says (PII), or a failure."""

    def __init__(self, text: str = "", error: Exception | None = None, at: tuple[float, float] = (0, 1)) -> None:
        self.text, self.error, self.at = text, error, at

    def transcribe(self, path: Path, *, start: float = 0.0, end: float | None = None) -> Transcript:
        if self.error is not None:
            raise self.error
        inside = start <= (self.at[0] + self.at[1]) / 2 and (end is None or (self.at[0] + self.at[1]) / 2 <= end)
        return Transcript(self.text, "ko", 60.0, (Segment(*self.at, self.text),) if inside else ())


def test_transcripts_are_masked_and_a_menu_only_call_is_skipped(call: dict[str, object]) -> None:
    system, clock = call["system"], call["clock"]
    assert isinstance(system, System) and isinstance(clock, FakeClock)
    store = CaseStoreCalls(system.uow, system.policy)
    spoken = "제 번호는 010-3456-7890 이고 주민번호는 850505-2345678 입니다"
    store.enqueue_transcription(REF, clock(), float(call["seconds"]))  # type: ignore[arg-type]
    clock.advance(seconds=TRANSCRIBE_AFTER.total_seconds())
    speech = _Speech(spoken, at=call["spans"][0])  # type: ignore[index]
    worker = PostCallTranscriber(SqlTranscriptionQueue(system.uow), speech, call["recordings"], clock)  # type: ignore[arg-type]
    assert worker.run_once() is not None
    _, first, _ = _contacts(system, call["ids"])  # type: ignore[arg-type]
    assert first and "3456-7890" not in first and "2345678" not in first and "번호는" in first
    store.enqueue_transcription("2026/11/26/ivr-only.wav", clock() - TRANSCRIBE_AFTER, 30.0)
    outcome = worker.run_once()
    assert outcome is not None and outcome.state is JobState.SKIPPED and outcome.error_code == "no-agent-contact"


def test_failures_are_retried_with_backoff_and_an_undecodable_recording_fails_with_its_code(
    call: dict[str, object], transcriber: WhisperTranscriber
) -> None:
    system, clock = call["system"], call["clock"]
    assert isinstance(system, System) and isinstance(clock, FakeClock)
    store = CaseStoreCalls(system.uow, system.policy)
    store.enqueue_transcription(REF, clock() - TRANSCRIBE_AFTER, float(call["seconds"]))  # type: ignore[arg-type]
    worker = PostCallTranscriber(SqlTranscriptionQueue(system.uow), _Speech(error=RuntimeError("CUDA out of memory")),
                                 call["recordings"], clock)  # type: ignore[arg-type]  # fmt: skip
    outcome = worker.run_once()
    assert outcome is not None and outcome.state is JobState.PENDING and outcome.error_code == "stt-error"
    assert worker.run_once() is None, "a retry waits its backoff"
    recordings = call["recordings"]
    assert isinstance(recordings, Path)
    (recordings / REF).write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot audio at all")
    clock.advance(seconds=60)
    real = PostCallTranscriber(SqlTranscriptionQueue(system.uow), transcriber, recordings, clock)
    outcome = real.run_once()
    assert outcome is not None and outcome.state is JobState.FAILED
    assert outcome.error_code == "stt-transcription-failed"
    with system.uow(readonly=True) as uow:
        job = uow.transcription_jobs.by_ref(REF)
    assert job is not None and job.attempts == 2 and job.error and "cannot decode" in job.error


def test_a_transcriber_killed_mid_job_resumes_it_at_the_next_start(
    call: dict[str, object], whisper_model_dir: Path, database_url: str, tmp_path: Path
) -> None:
    """The real ``sori analytics transcriber`` process: SIGKILLed while it transcribes, started again with
    ``--once``, it finds the job it left running and finishes it."""
    system, clock = call["system"], call["clock"]
    assert isinstance(system, System) and isinstance(clock, FakeClock)
    # the fake clock is months behind the subprocess's real one: the job is due at once
    CaseStoreCalls(system.uow, system.policy).enqueue_transcription(REF, clock(), float(call["seconds"]))  # type: ignore[arg-type]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SORI_")}
    env.update(SORI_ANALYTICS__WHISPER_MODEL_DIR=str(whisper_model_dir),
               SORI_TELEPHONY__RECORDINGS_DIR=str(call["recordings"]),
               SORI_PRIVACY__RRN_HASH_KEY=system.settings.privacy.rrn_hash_key or "",
               SORI_ANALYTICS__TRANSCRIPTION_POLL_S="0.2", SORI_ANALYTICS__TRANSCRIPTION_NICE="0")  # fmt: skip
    argv = [sys.executable, "-m", "sori.cli", "analytics", "transcriber", "--state-dir", str(tmp_path / "state"),
            "--database-url", database_url]  # fmt: skip
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while _state(system) != JobState.RUNNING:
            assert process.poll() is None, process.communicate()[0].decode()[-2000:]
            assert time.monotonic() < deadline, "the transcriber never claimed the job"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert _state(system) == JobState.RUNNING, "killed mid-job: the job is still marked running"
    done = subprocess.run([*argv, "--once"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1])["by_state"] == {"done": 1}
    assert _state(system) == JobState.DONE
    _, first, second = _contacts(system, call["ids"])  # type: ignore[arg-type]
    assert first and second
    status = subprocess.run([*argv, "--status"], env=env, capture_output=True, text=True, timeout=60)
    assert json.loads(status.stdout.strip().splitlines()[-1])["done"] == 1


def _state(system: System) -> JobState | None:
    with system.uow(readonly=True) as uow:
        job = uow.transcription_jobs.by_ref(REF)
        return job.state if job is not None else None


def test_a_recording_whose_job_was_never_written_is_queued_by_the_sweep(call: dict[str, object]) -> None:
    """The control process stopped between the recording closing and the job's insert: the transcriber's
    start-up sweep finds the recorded agent contacts without a job and queues their (complete) recording."""
    system, clock = call["system"], call["clock"]
    assert isinstance(system, System) and isinstance(clock, FakeClock)
    recordings = call["recordings"]
    assert isinstance(recordings, Path)
    speech = _Speech("여권 재발급 문의", at=call["spans"][0])  # type: ignore[index]
    worker = PostCallTranscriber(SqlTranscriptionQueue(system.uow), speech, recordings, clock)
    still_open = "2026/11/26/031500-w2-9-0f0f0f0f.wav"
    with wave.open(str(recordings / still_open), "wb") as recorder:  # as the recorder leaves it until it closes
        recorder.setparams((1, 2, 8000, 0, "NONE", "not compressed"))
    (recordings / "2026/11/26/cut.wav").write_bytes((recordings / REF).read_bytes()[:8000])  # header says more
    with system.uow() as uow:
        first = uow.interactions.get(call["ids"][1])  # type: ignore[index]
        assert first is not None
        for ref in (still_open, "2026/11/26/cut.wav"):
            uow.interactions.add(Interaction(Channel.INBOUND_CALL, "ACRC110", clock(), agent_id=first.agent_id,
                                             answered_at=clock(), ended_at=clock(), recording_ref=ref))  # fmt: skip
        uow.commit()
    closed = clock().timestamp()  # the recorder closed the call's file as it ended (on the fake clock)
    os.utime(recordings / REF, (closed, closed))
    assert worker.sweep() == 1 and worker.sweep() == 0, "once, and only the complete recording"
    with system.uow(readonly=True) as uow:
        assert uow.transcription_jobs.by_ref(still_open) is None
    with system.uow(readonly=True) as uow:
        job = uow.transcription_jobs.by_ref(REF)
    assert job is not None and job.audio_seconds == pytest.approx(call["seconds"], abs=0.01)
    outcome = worker.run_once()
    assert outcome is not None and outcome.state is JobState.DONE and outcome.contacts == 1
    assert worker.sweep() == 0, "transcribed contacts are not swept again"
    clock.advance(days=3)
    assert worker.sweep(dt.timedelta(days=2)) == 0


def test_a_recording_its_worker_never_closed_is_repaired_and_queued_by_the_sweep(call: dict[str, object]) -> None:
    """A media worker that dies mid-call never writes its recording's lengths (pjmedia leaves RIFF and data
    sizes at 0, which ``wave`` refuses). Once the file is abandoned, the sweep fills them in from the data the
    file holds and queues it, dated by the file's last write (the crash), and the job is transcribed."""
    system, clock = call["system"], call["clock"]
    assert isinstance(system, System) and isinstance(clock, FakeClock)
    recordings = call["recordings"]
    assert isinstance(recordings, Path)
    path = recordings / REF
    unclosed = bytearray(path.read_bytes())
    data_at = unclosed.index(b"data")
    unclosed[4:8] = unclosed[data_at + 4:data_at + 8] = bytes(4)  # what pjmedia writes when it opens the file
    path.write_bytes(bytes(unclosed))
    with pytest.raises(wave.Error), wave.open(str(path)):
        pass
    crashed = clock().timestamp()  # the worker's last write: the call's end (the fake clock is long past)
    os.utime(path, (crashed, crashed))
    speech = _Speech("여권 재발급 문의", at=call["spans"][0])  # type: ignore[index]
    worker = PostCallTranscriber(SqlTranscriptionQueue(system.uow), speech, recordings, clock)
    assert worker.sweep() == 1 and worker.sweep() == 0
    assert _seconds(path) == pytest.approx(call["seconds"], abs=0.01), "every frame the worker wrote"
    assert path.stat().st_mtime == pytest.approx(crashed), "the repair keeps the last-write time"
    with system.uow(readonly=True) as uow:
        job = uow.transcription_jobs.by_ref(REF)
    assert job is not None and job.audio_seconds == pytest.approx(call["seconds"], abs=0.01)
    assert job.recording_started_at == pytest.approx(clock() - dt.timedelta(seconds=call["seconds"]),  # type: ignore[arg-type]
                                                     abs=dt.timedelta(seconds=0.05))  # fmt: skip
    outcome = worker.run_once()
    assert outcome is not None and outcome.state is JobState.DONE and outcome.contacts >= 1
