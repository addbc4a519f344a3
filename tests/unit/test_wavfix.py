"""Repairing the recording of a call whose media worker died (``analytics.stt.wavfix``), on files shaped as
pjmedia leaves them: a 44-byte header whose RIFF and data lengths are still 0, then the audio."""

from __future__ import annotations

import os
import time
import wave
from pathlib import Path

from analytics.stt.wavfix import repair_unclosed


def unclosed(path: Path, frames: int, extra: bytes = b"", age_s: float = 300) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setparams((1, 2, 16000, 0, "NONE", "not compressed"))
        out.writeframes(bytes(range(256)) * (frames * 2 // 256) + bytes(frames * 2 % 256))
    raw = bytearray(path.read_bytes())
    raw[4:8] = raw[40:44] = bytes(4)
    path.write_bytes(bytes(raw) + extra)
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


def frames(path: Path) -> int:
    with wave.open(str(path)) as audio:
        return audio.getnframes()


def test_an_abandoned_unclosed_recording_gets_its_lengths_and_keeps_its_last_write(tmp_path: Path) -> None:
    path = unclosed(tmp_path / "a.wav", 16000, extra=b"\x01")  # a half frame at the end is left out
    written = path.stat().st_mtime_ns
    assert repair_unclosed(path)
    assert frames(path) == 16000 and path.stat().st_mtime_ns == written
    assert not repair_unclosed(path), "a repaired (closed) file is left alone"


def test_files_that_are_not_abandoned_unclosed_recordings_are_left_alone(tmp_path: Path) -> None:
    live = unclosed(tmp_path / "live.wav", 800, age_s=1)  # its recorder may still be writing
    header_only = unclosed(tmp_path / "empty.wav", 0)
    closed = tmp_path / "closed.wav"
    with wave.open(str(closed), "wb") as out:
        out.setparams((1, 2, 8000, 0, "NONE", "not compressed"))
        out.writeframes(bytes(1600))
    os.utime(closed, (0, 0))
    text = tmp_path / "note.wav"
    text.write_text("not audio at all, but old enough", encoding="utf-8")
    os.utime(text, (0, 0))
    before = {p: p.read_bytes() for p in (live, header_only, closed, text)}
    assert not any(repair_unclosed(p) for p in (live, header_only, closed, text, tmp_path / "missing.wav"))
    assert {p: p.read_bytes() for p in before} == before
