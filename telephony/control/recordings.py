"""Where a call's recording goes: one WAV per call under ``<recordings>/YYYY/MM/DD/``.

Names must never repeat, across restarts too (worker ids and call numbers start again at 1 with each
``sori up``): the time of day and a random suffix make each name unique.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def recording_path(root: Path, now: dt.datetime, call_ref: str) -> Path:
    directory = root / now.strftime("%Y/%m/%d")
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{now:%H%M%S}-{_UNSAFE.sub('_', call_ref)}-{secrets.token_hex(4)}.wav"
    return directory / name


def relative_ref(path: Path | None, root: Path | None) -> str | None:
    """The reference stored on a contact: the path under the recordings root (or the path itself)."""
    if path is None:
        return None
    try:
        return str(path.relative_to(root)) if root is not None else str(path)
    except ValueError:
        return str(path)
