"""Where a recording may be read from: only a regular file inside the recordings directory.

A recording reference is written by the media worker and the control process, never by an API client,
but the transcriber still treats it as untrusted text: an absolute path, a ``..`` step or a symbolic
link that leads outside the recordings directory is refused before anything is opened.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath


class RecordingPathRefused(ValueError):
    code = "recording-path-refused"


def recording_path(recordings_dir: Path, ref: str) -> Path:
    """The file ``ref`` names under ``recordings_dir``; ``RecordingPathRefused`` when it is not one."""
    pure = PurePosixPath(ref)
    if not ref or "\x00" in ref or pure.is_absolute() or "\\" in ref or any(p == ".." for p in pure.parts):
        raise RecordingPathRefused(f"recording reference {ref[:80]!r} is not a path inside the recordings directory")
    root = recordings_dir.resolve()
    path = (root / pure).resolve()
    if not path.is_relative_to(root) or path == root:
        raise RecordingPathRefused(f"recording reference {ref[:80]!r} leads outside the recordings directory")
    if path.exists() and not path.is_file():
        raise RecordingPathRefused(f"recording reference {ref[:80]!r} is not a regular file")
    return path
