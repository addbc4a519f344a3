"""The HTTP status of each error code analytics raises (speech to text, recordings)."""

from __future__ import annotations

from collections.abc import Mapping

STATUS: Mapping[str, int] = {
    "recording-path-refused": 422,
    "stt-model-unavailable": 503,
    "stt-transcription-failed": 500,
}
