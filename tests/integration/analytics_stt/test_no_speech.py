"""Transcription refuses non-speech: hold music, tones, noise and silence give no text, never a guess.

Before voice-activity detection and the segment thresholds, the Whisper base model wrote "이 노래는" four
times over a plucked hold melody and "이곳은" over brown noise. The inputs are what a call recording holds
(8 kHz, G.711 μ-law), made with sox; a real telephone clip still transcribes, and a recorded call whose
agent heard only hold music ends ``skipped`` with the code ``no-speech`` and no transcript on its contacts.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from analytics.stt.normalize import cer
from analytics.stt.postcall import NO_SPEECH, PostCallTranscriber
from analytics.stt.whisper import WhisperTranscriber
from crm.cases.transcription import JobState
from crm.door.calls import TRANSCRIBE_AFTER
from crm.door.sql_calls import CaseStoreCalls
from crm.door.sql_transcription import SqlTranscriptionQueue
from sori.wiring import System
from tests.integration.analytics_stt.conftest import Clip
from tests.integration.analytics_stt.test_postcall import REF, _contacts, call  # noqa: F401  (the fixture)
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration

MELODY = ["C4", "E4", "G4", "C5", "A4", "F4", "D4", "G4", "E4", "C4", "D4", "B3"]
PHONE = ["-r", "8000", "-c", "1", "-e", "u-law"]  # what the media worker records: G.711 at 8 kHz


def _sox(*args: str) -> None:
    subprocess.run(["sox", *args], check=True, capture_output=True)


def hold_music(target: Path, seconds: float) -> Path:
    """A plucked melody looped for ``seconds``: the queue's music on hold, through the telephone channel."""
    notes: list[str] = []
    for note in MELODY:
        notes += ["synth", "0.6", "pluck", note, ":"]
    one = target.with_suffix(".once.wav")
    _sox("-n", "-r", "8000", "-c", "1", "-b", "16", str(one), *notes[:-1], "vol", "0.6")
    _sox(str(one), *PHONE, str(target), "repeat", str(max(0, int(seconds / 7.2))), "trim", "0", str(seconds))
    return target


def non_speech(kind: str, target: Path) -> Path:
    if kind == "hold-music":
        return hold_music(target, 14)
    synth = {
        "white-noise": ["synth", "10", "whitenoise", "vol", "0.3"],
        "brown-noise": ["synth", "15", "brownnoise", "vol", "0.5"],
        "dtmf-tones": ["synth", "0.2", "sine", "697", "sine", "1209", "remix", "-", "pad", "0", "0.3", "repeat", "15"],
        "silence": ["trim", "0", "10"],
    }[kind]
    _sox("-n", *PHONE, str(target), *synth)
    return target


@pytest.mark.parametrize("kind", ["hold-music", "white-noise", "brown-noise", "dtmf-tones", "silence"])
def test_non_speech_gives_no_transcript(transcriber: WhisperTranscriber, tmp_path: Path, kind: str) -> None:
    transcript = transcriber.transcribe(non_speech(kind, tmp_path / f"{kind}.wav"))
    assert transcript.text == "" and transcript.segments == (), transcript
    assert transcript.duration > 5


def test_the_voice_filter_runs_offline_from_the_wheel() -> None:
    """Silero VAD is a file inside faster-whisper's wheel, run by onnxruntime: no download, no hub."""
    import numpy as np
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    assert get_speech_timestamps(np.zeros(16_000 * 3, dtype=np.float32), VadOptions()) == []


def test_a_real_clip_still_transcribes(transcriber: WhisperTranscriber, speech_clips: list[Clip]) -> None:
    clip = speech_clips[7]  # 104_003_0374, over G.711 A-law
    transcript = transcriber.transcribe(clip.telephone)
    assert cer(clip.reference, transcript.text) <= 0.15, transcript.text


def test_a_call_the_agent_spent_on_hold_music_is_recorded_as_no_speech(
    call: dict[str, object], transcriber: WhisperTranscriber, tmp_path: Path  # noqa: F811
) -> None:
    system, clock, recordings = call["system"], call["clock"], call["recordings"]
    assert isinstance(system, System) and isinstance(clock, FakeClock) and isinstance(recordings, Path)
    music = hold_music(tmp_path / "music.wav", float(call["seconds"]))  # type: ignore[arg-type]
    _sox(str(music), "-b", "16", "-e", "signed-integer", str(recordings / REF))
    store = CaseStoreCalls(system.uow, system.policy)
    store.enqueue_transcription(REF, clock() - TRANSCRIBE_AFTER, float(call["seconds"]))  # type: ignore[arg-type]
    outcome = PostCallTranscriber(SqlTranscriptionQueue(system.uow), transcriber, recordings, clock).run_once()
    assert outcome is not None and outcome.state is JobState.SKIPPED and outcome.error_code == NO_SPEECH
    assert _contacts(system, call["ids"]) == [None, None, None]  # type: ignore[arg-type]
    with system.uow(readonly=True) as uow:
        job = uow.transcription_jobs.by_ref(REF)
    assert job is not None and job.state is JobState.SKIPPED and job.error_code == "no-speech"
