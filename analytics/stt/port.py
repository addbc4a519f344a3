"""The speech-to-text port: what post-call transcription needs from a recogniser, and what it gets back.

Pure: plain dataclasses and a ``typing.Protocol``. The faster-whisper adapter is ``analytics.stt.whisper``; a
test or a deployment without the model can supply any object with the same ``transcribe``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from kernel.errors import DomainError


@dataclass(frozen=True)
class Segment:
    """A stretch of speech: seconds from the start of the recording, and what was said."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Transcript:
    """One recording transcribed: the whole text (segments joined by spaces), the language spoken (ISO 639-1,
    ``"ko"``), the recording's duration in seconds and the timed segments. Digits stay as the recogniser wrote
    them; ``analytics.stt.normalize`` makes them Hangul for scoring and indexing."""

    text: str
    language: str
    duration: float
    segments: tuple[Segment, ...]


@runtime_checkable
class SpeechToText(Protocol):
    """Turns a recording (any format the adapter can decode: WAV of any rate and G.711 coding, FLAC, …) into a
    ``Transcript``. Blocking and CPU-heavy: callers run it off the reactor, with bounded concurrency.

    ``start`` and ``end`` (seconds) limit it to part of the recording (one contact of a call); the segments'
    times still count from the recording's start."""

    def transcribe(self, path: Path, *, start: float = 0.0, end: float | None = None) -> Transcript: ...


class SpeechModelUnavailable(DomainError):
    """The recogniser's model directory is missing or incomplete (the message names the directory)."""

    code = "stt-model-unavailable"


class TranscriptionFailed(DomainError):
    """A recording could not be read or decoded (the message names the file)."""

    code = "stt-transcription-failed"
