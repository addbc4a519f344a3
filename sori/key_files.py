"""API keys kept in files for the external systems' adapters: read from the configured (or default) file, or
created there, random and 0600, when ``sori up`` runs the system's bundled reference service itself. A real
system's key is never invented: its missing file is a configuration error naming where to put it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def key_from_file(path: Path, *, real_system: bool, what: str, env: str) -> str:
    """The key in ``path``; created when missing unless ``real_system`` (then ``ValueError`` naming ``env``)."""
    if not path.exists():
        if real_system:
            raise ValueError(f"{what}'s API key is missing: write it to {path} (mode 600) or set {env}")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text(encoding="utf-8").strip()
