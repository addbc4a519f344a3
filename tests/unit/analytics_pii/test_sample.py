"""The bundled labelled sample copies no real citizen's text: real examples are references into the public
petition files, resolved only when the evaluation runs."""

from __future__ import annotations

import json
from importlib import resources


def test_real_examples_are_references_and_synthetic_ones_carry_fictional_text() -> None:
    lines = resources.files("analytics.pii").joinpath("data/pii_sample.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in lines.splitlines() if line.strip()]
    real = [r for r in records if r["source"].startswith("real")]
    assert real and all("ref" in r and "text" not in r for r in real)
    assert all(r["source"].startswith("synthetic") and "text" in r for r in records if r not in real)
