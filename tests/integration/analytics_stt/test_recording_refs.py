"""A job whose recording reference leads outside the recordings directory fails without opening anything.

The recogniser here is a recorder of what it was asked to open (a stand-in, said so: the point is that
it is never asked); the queue and the store are real (SQLite and PostgreSQL).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.stt.port import Transcript
from analytics.stt.postcall import PostCallTranscriber
from crm.cases.model import Channel, Disposition, Interaction
from crm.cases.transcription import JobState, TranscriptionJob
from crm.door.sql_transcription import SqlTranscriptionQueue
from crm.store import migrate
from sori.seed.demo import seed_demo
from tests.support.system import FakeClock, make_system

pytestmark = pytest.mark.integration


class Opened:
    def __init__(self) -> None:
        self.paths: list[Path] = []

    def transcribe(self, path: Path, *, start: float = 0.0, end: float | None = None) -> Transcript:
        self.paths.append(path)
        raise AssertionError(f"asked to open {path}")


@pytest.mark.parametrize("ref", ["../../etc/passwd", "/etc/passwd", "2026/../../../secret.wav"])
def test_a_reference_outside_the_recordings_is_refused_unopened(database_url: str, tmp_path: Path, ref: str) -> None:
    clock = FakeClock()
    system = make_system(database_url, tmp_path / "state", clock)
    migrate.upgrade(system.engine)
    seed_demo(system)
    with system.uow() as uow:
        agent = uow.agents.by_login("acrc.kim")
        assert agent is not None
        uow.interactions.add(
            Interaction(channel=Channel.INBOUND_CALL, center_code="ACRC110", started_at=clock(), agent_id=agent.id,
                        answered_at=clock(), ended_at=clock(), disposition=Disposition.ANSWERED, recording_ref=ref)
        )  # fmt: skip
        uow.transcription_jobs.add(TranscriptionJob(ref, clock(), clock(), 10.0, available_at=clock()))
        uow.commit()
    (tmp_path / "recordings").mkdir()
    opened = Opened()
    worker = PostCallTranscriber(SqlTranscriptionQueue(system.uow), opened, tmp_path / "recordings", clock)
    outcome = worker.run_once()
    assert outcome is not None and outcome.error_code == "recording-path-refused"
    assert outcome.state is JobState.FAILED and opened.paths == []
    assert worker.sweep() == 0
    system.engine.dispose()
