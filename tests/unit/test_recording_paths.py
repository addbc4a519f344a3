"""The transcriber reads recordings only from inside the recordings directory (issue 11, part 2)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analytics.stt.paths import RecordingPathRefused, recording_path


@pytest.mark.parametrize(
    "ref",
    ["../../etc/passwd", "/etc/passwd", "calls/../../secret.wav", "..", "", "a\\..\\b.wav", "calls/x\x00.wav", "."],
)
def test_references_that_leave_the_directory_are_refused(tmp_path: Path, ref: str) -> None:
    (tmp_path / "recordings").mkdir()
    with pytest.raises(RecordingPathRefused):
        recording_path(tmp_path / "recordings", ref)


def test_a_symbolic_link_out_of_the_directory_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "recordings"
    root.mkdir()
    (tmp_path / "secret.wav").write_bytes(b"RIFF")
    os.symlink(tmp_path / "secret.wav", root / "call.wav")
    with pytest.raises(RecordingPathRefused):
        recording_path(root, "call.wav")


def test_a_file_inside_is_given_back(tmp_path: Path) -> None:
    root = tmp_path / "recordings"
    (root / "2026" / "03").mkdir(parents=True)
    (root / "2026" / "03" / "call.wav").write_bytes(b"RIFF")
    assert recording_path(root, "2026/03/call.wav") == (root / "2026" / "03" / "call.wav").resolve()
    with pytest.raises(RecordingPathRefused):
        recording_path(root, "2026")  # a directory is not a recording
