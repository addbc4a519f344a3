"""Trained classifiers on disk: ``<model_dir>/<name>/`` holds

- ``model.pkl``: the fitted ``TextModel`` (pickled; no Kiwi object inside). Pickles run code when loaded:
  load only models this system wrote into its own state directory;
- ``metrics.json``: the cross-validation report;
- ``meta.json``: the label, classes, merged classes, a SHA-256 fingerprint of the training data (sorted
  ids, labels and texts: it changes whenever the data do, not when only the file order does), the
  scikit-learn, kiwipiepy and Python versions, and the creation time.

Loading refuses a model written by another scikit-learn or kiwipiepy version (pickles are not portable
across scikit-learn versions, and other Kiwi versions tokenise differently): retrain it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pickle
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from analytics.classify.data import Record
from analytics.classify.model import TextModel

MODEL_FILE = "model.pkl"
METRICS_FILE = "metrics.json"
META_FILE = "meta.json"


class ModelNotFound(Exception):
    """No trained model of that name."""


class ModelMismatch(Exception):
    """The model was written by other library versions (or is damaged): it must be retrained."""


@dataclass(frozen=True)
class ModelMeta:
    name: str
    label: str
    classes: list[str]
    merged: dict[str, int]
    n: int
    fingerprint: str
    versions: dict[str, str]
    created: str  # ISO 8601, UTC
    sources: list[str] = field(default_factory=list)
    temperature: float = 1.0


def fingerprint(records: Sequence[Record]) -> str:
    """SHA-256 of the training data: every record's id, label and text, sorted, one JSON array a line."""
    digest = hashlib.sha256()
    for row in sorted((r.id, r.label, r.text) for r in records):
        digest.update(json.dumps(row, ensure_ascii=False).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    return {"scikit-learn": version("scikit-learn"), "kiwipiepy": version("kiwipiepy"),
            "python": platform.python_version()}  # fmt: skip


def save(model_dir: Path, model: TextModel, meta: ModelMeta, metrics: dict[str, Any]) -> Path:
    """Write the model, its metrics and its meta under ``model_dir/<meta.name>/``; returns that directory.

    Each file is written to a temporary name and renamed, meta last: a reader never sees a half-written model.
    """
    if not meta.name or "/" in meta.name or meta.name.startswith("."):
        raise ValueError(f"bad model name {meta.name!r}: use letters, digits, '-' or '_'")
    target = model_dir / meta.name
    target.mkdir(parents=True, exist_ok=True)
    _write(target / MODEL_FILE, pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    _write(target / METRICS_FILE, _json(metrics))
    _write(target / META_FILE, _json(asdict(meta)))
    return target


def load(model_dir: Path, name: str) -> tuple[TextModel, ModelMeta]:
    """The model called ``name`` and its meta; raises ``ModelNotFound`` or ``ModelMismatch``."""
    target = model_dir / name
    if not (target / META_FILE).is_file() or not (target / MODEL_FILE).is_file():
        raise ModelNotFound(f"no trained model {name!r} in {model_dir} (train one with `sori analytics train`)")
    try:
        meta = ModelMeta(**json.loads((target / META_FILE).read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise ModelMismatch(f"{target / META_FILE} is damaged or from another version ({exc}): retrain") from exc
    current = library_versions()
    for library in ("scikit-learn", "kiwipiepy"):
        if meta.versions.get(library) != current[library]:
            raise ModelMismatch(
                f"model {name!r} was trained with {library} {meta.versions.get(library)}, this is {current[library]}:"
                " retrain it with `sori analytics train`"
            )
    with (target / MODEL_FILE).open("rb") as stream:
        model = pickle.load(stream)  # our own state directory: see the module docstring
    if not isinstance(model, TextModel):
        raise ModelMismatch(f"{target / MODEL_FILE} does not hold a text model: retrain")
    return model, meta


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode()


def _write(path: Path, payload: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(payload)
    os.replace(temporary, path)
