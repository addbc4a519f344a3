"""The Whisper model for the session: assembled once with ``setup_models`` into a cache under the temporary
directory (keyed by the parts' sizes and the user, so a rerun finds it and skips the work), loaded once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from analytics.stt.whisper import WhisperTranscriber
from tests.support.shared import shared_dir
from tests.support.whisper import assembled_whisper_model

# Nothing may reach the Hugging Face hub, whatever a library decides to do.
os.environ["HF_HUB_OFFLINE"] = "1"


@dataclass(frozen=True)
class Clip:
    utterance: str
    clean: Path
    telephone: Path
    reference: str


@pytest.fixture(scope="session")
def speech_clips() -> list[Clip]:
    """The shared clips with a reference transcript: 16 kHz FLAC and their G.711 A-law 8 kHz renderings."""
    speech = shared_dir() / "speech"
    references = {}
    for line in (speech / "transcripts_zeroth_original.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            utterance, text = line.split(maxsplit=1)
            references[utterance] = text
    clips = [Clip(u, speech / "audio" / f"{u}.flac", speech / "telephone" / f"{u}.alaw8k.wav", text)
             for u, text in sorted(references.items())]
    assert len(clips) == 10, "the shared speech folder should hold 10 transcribed clips"
    for clip in clips:
        assert clip.clean.is_file() and clip.telephone.is_file(), clip
    return clips


@pytest.fixture(scope="session")
def whisper_model_dir() -> Path:
    return assembled_whisper_model()


@pytest.fixture(scope="session")
def transcriber(whisper_model_dir: Path) -> Iterator[WhisperTranscriber]:
    # nice 0: the tests measure accuracy, and a niced model on a busy machine would only make them slow
    stt = WhisperTranscriber(whisper_model_dir, cpu_threads=2, nice=0)
    stt.load()
    yield stt
