"""``sori analytics ingest`` then ``sori report``, as an analyst runs them: a file of real petitions with a
bad row, a JSON summary, the bad row named by its line, an idempotent second run, and a report."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.shared import shared_dir

pytestmark = pytest.mark.integration
SORI = str(Path(sys.executable).with_name("sori"))


def test_ingest_then_report(tmp_path: Path) -> None:
    rows = []
    with gzip.open(shared_dir() / "data" / "bluehouse_petitions_korkeep_2020-01to09.jsonl.gz", "rt") as handle:
        for line in handle:
            rows.append(line.strip())
            if len(rows) == 30:
                break
    rows.insert(7, '{"petition_idx": 1, "title": "", "content": ""}')
    data = tmp_path / "petitions.jsonl"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    state = tmp_path / "state"
    command = [SORI, "analytics", "ingest", str(data), "--source", "petition", "--state-dir", str(state)]
    first = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert f"{data}:8: neither a title nor a body" in first.stdout
    summary = json.loads(first.stdout.strip().splitlines()[-1])[str(data)]
    assert summary == {"read": 31, "written": 30, "refused": 1, "resumed_from_line": 0}
    second = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert json.loads(second.stdout.strip().splitlines()[-1])[str(data)]["read"] == 0, "nothing twice"
    days = sorted(json.loads(r)["begin"] for r in rows if '"begin"' in r)
    out = tmp_path / "report.html"
    report = subprocess.run([SORI, "report", "--from", days[0], "--to", days[-1], "--out", str(out), "--state-dir",
                             str(state)], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert report.returncode == 0, report.stderr
    assert "30 documents" in report.stdout and "민원 동향 보고서" in out.read_text(encoding="utf-8")
    missing = subprocess.run([SORI, "analytics", "ingest", str(tmp_path / "nope.csv"), "--state-dir", str(state)],
                             capture_output=True, text=True)  # fmt: skip
    assert missing.returncode == 2 and "no such file" in missing.stderr
