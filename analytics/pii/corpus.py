"""The real half of the labelled PII sample, kept as references into the shared petition files.

Real petitions carry real names and numbers, so the sample never copies them: a real example is stored as
``{"ref": {"corpus", "petition_idx", "field", "start", "end"}, "spans": …}`` and its text is read from
the public files (``$SHARED_DIR/data`` or ``../shared/data``) when the evaluation runs. Without the files
the real examples are skipped, and the evaluation says so.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

FILES = {
    "korkeep": "bluehouse_petitions_korkeep_2020-01to09.jsonl.gz",
    "lovit": "bluehouse_petitions_lovit_2017-08_2019-04to08.jsonl.gz",
}


def shared_data_dir() -> Path | None:
    candidates = [Path(os.environ["SHARED_DIR"]) / "data"] if os.environ.get("SHARED_DIR") else []
    candidates += [Path.cwd().parent / "shared" / "data", Path("/work/shared/data")]
    return next((c for c in candidates if (c / FILES["korkeep"]).is_file()), None)


def resolver(data_dir: Path | None = None) -> Callable[[Mapping[str, Any]], str] | None:
    """A function from a reference to its text, or None when the shared files are not on this machine."""
    directory = data_dir or shared_data_dir()
    if directory is None:
        return None

    @cache
    def petitions(corpus: str) -> dict[str, dict[str, Any]]:
        with gzip.open(directory / FILES[corpus], "rt", encoding="utf-8") as handle:
            rows = (json.loads(line) for line in handle)
            return {str(r.get("petition_idx")): r for r in rows}

    def resolve(ref: Mapping[str, Any]) -> str:
        corpus = str(ref["corpus"])
        if corpus not in FILES:
            raise ValueError(f"unknown corpus {corpus!r}")
        row = petitions(corpus).get(str(ref["petition_idx"]))
        if row is None:
            raise ValueError(f"no petition {ref['petition_idx']} in {corpus}")
        text = str(row.get(str(ref["field"])) or "")
        start, end = int(ref["start"]), int(ref["end"])
        if not 0 <= start < end <= len(text):
            raise ValueError("the reference is outside the petition's text")
        return text[start:end]

    return resolve
