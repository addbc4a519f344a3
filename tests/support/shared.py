"""Where the shared reference material lives: ``../shared`` beside the repository (as CI lays it out)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    candidates = [os.environ.get("SHARED_DIR"), str(REPO.parent / "shared"), "/work/shared"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "sip").is_dir():
            return Path(candidate)
    raise FileNotFoundError(f"the shared material (../shared) is not beside {REPO}")
