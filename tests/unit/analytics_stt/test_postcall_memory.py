"""The transcriber on the case store's in-memory door: the same worker ``sori`` builds on the SQL adapter, with
no database (the door's contract suite shows the two adapters agree: tests/integration/door/)."""

from __future__ import annotations

import datetime as dt
import wave
from pathlib import Path

from analytics.stt.port import Segment, Transcript
from analytics.stt.postcall import NO_SPEECH, PostCallTranscriber
from crm.cases.model import Case, Channel, Disposition, EventKind, Interaction
from crm.cases.transcription import TranscriptionJob
from crm.citizens.model import Citizen
from crm.door.memory import MemoryDoor
from crm.door.ports import ChangeCursor, JobState
from tests.support.system import FakeClock

REF = "2026/03/10/call.wav"


class Speech:
    """Says ``text`` in every window that starts at or after ``from_s``; records what it was asked."""

    def __init__(self, text: str, from_s: float = 0.0) -> None:
        self.text, self.from_s = text, from_s
        self.asked: list[tuple[float, float | None]] = []

    def transcribe(self, path: Path, *, start: float = 0.0, end: float | None = None) -> Transcript:
        assert path.is_file()
        self.asked.append((start, end))
        said = self.text if start >= self.from_s else ""
        return Transcript(said, "ko", 60.0, (Segment(start, start + 1, said),) if said else ())


def world(tmp_path: Path, clock: FakeClock) -> tuple[MemoryDoor, int, int, int, Path]:
    door = MemoryDoor()
    citizen = door.add_citizen(Citizen(birth_year=1980))
    case = door.add_case(Case("2026-ACRC110-1", citizen, Channel.INBOUND_CALL, "ACRC110", created_at=clock()))
    begin = clock() - dt.timedelta(minutes=10)
    menu = door.add_interaction(Interaction(Channel.INBOUND_CALL, "ACRC110", begin, recording_ref=REF,
                                            ended_at=begin + dt.timedelta(seconds=20)))  # fmt: skip
    answered = begin + dt.timedelta(seconds=30)
    agent = door.add_interaction(Interaction(
        Channel.INBOUND_CALL, "ACRC110", answered, case_id=case, citizen_id=citizen, agent_id=3, answered_at=answered,
        ended_at=answered + dt.timedelta(minutes=2), disposition=Disposition.ANSWERED, recording_ref=REF,
        notes="연락처 010-1234-5678",
    ))  # fmt: skip
    door.add_job(TranscriptionJob(REF, clock() - dt.timedelta(minutes=5), begin, 150.0))
    recordings = tmp_path / "recordings"
    (recordings / REF).parent.mkdir(parents=True)
    with wave.open(str(recordings / REF), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(bytes(8000 * 2))
    return door, case, menu, agent, recordings


def test_an_agent_contact_gets_its_masked_transcript_and_its_case_a_suggestion(tmp_path: Path) -> None:
    clock = FakeClock()
    door, case, menu, agent, recordings = world(tmp_path, clock)
    speech = Speech("제 번호는 010-9876-5432 이고 여권 재발급 문의입니다")
    seen: list[str] = []

    def suggest(text: str) -> tuple[str | None, str | None]:
        seen.append(text)
        return "여권", "외교부"

    worker = PostCallTranscriber(door, speech, recordings, clock, suggest=suggest)
    outcome = worker.run_once()
    assert outcome is not None and (outcome.state, outcome.contacts, outcome.categorised) == (JobState.DONE, 1, 1)
    assert speech.asked == [(29.5, 150.5)], "only the agent's talk window, with its slack"
    transcript = door.interactions[agent].transcript
    assert transcript is not None and "9876" not in transcript and "여권 재발급" in transcript
    assert door.interactions[menu].transcript is None
    assert len(seen) == 1 and "5678" not in seen[0] and transcript in seen[0], "masked transcript and notes"
    assert door.cases[case].suggested_category == "여권"
    assert [e.kind for e in door.events] == [EventKind.UPDATED]
    changed, _ = door.changed_since(ChangeCursor())
    assert [c.interaction_id for c in changed] == [agent]
    assert worker.run_once() is None and worker.backlog()["done"] == 1


def test_silence_is_no_speech_and_a_refused_path_fails_for_good(tmp_path: Path) -> None:
    clock = FakeClock()
    door, _, _, agent, recordings = world(tmp_path, clock)
    outcome = PostCallTranscriber(door, Speech("", 0.0), recordings, clock).run_once()
    assert outcome is not None and (outcome.state, outcome.error_code) == (JobState.SKIPPED, NO_SPEECH)
    assert door.interactions[agent].transcript is None
    door.add_job(TranscriptionJob("../outside.wav", clock(), clock(), 1.0))
    refused = PostCallTranscriber(door, Speech("x"), recordings, clock).run_once()
    assert refused is not None and refused.state is JobState.FAILED and refused.error_code == "recording-path-refused"


def test_the_sweep_queues_a_closed_recording_no_job_names(tmp_path: Path) -> None:
    clock = FakeClock()
    door, _, _, _, recordings = world(tmp_path, clock)
    door.jobs.clear()
    worker = PostCallTranscriber(door, Speech("x"), recordings, clock)
    assert worker.sweep() == 1 and worker.sweep() == 0
    (queued,) = door.jobs.values()
    assert queued.recording_ref == REF and queued.audio_seconds == 1.0 and queued.available_at == clock()
