"""``sori analytics pii-eval`` run as a user runs it: the bundled sample meets the phone and 주민등록번호 recall
target and the output ends with one JSON line; a broken sample is reported line by line, never a crash."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

KINDS = ("phone", "rrn", "email", "card", "account", "name", "address")


def sori() -> str:
    beside_python = Path(sys.executable).with_name("sori")
    found = str(beside_python) if beside_python.exists() else shutil.which("sori")
    if found is None:
        pytest.fail("the sori command is not installed (pip install -e . in the venv)")
    return found


def run_eval(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sori(), "analytics", "pii-eval", "--state-dir", str(tmp_path / "state"), *extra],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )


def last_json(stdout: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return result


def test_bundled_sample_meets_the_phone_and_rrn_target(tmp_path: Path) -> None:
    done = run_eval(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    result = last_json(done.stdout)
    assert result["recall"]["phone"] >= 0.95
    assert result["recall"]["rrn"] >= 0.95
    assert result["target"] == {"kinds": ["phone", "rrn"], "min_recall": 0.95, "met": True}
    assert result["examples"] >= 300 and result["skipped_lines"] == []
    assert result["support"]["phone"] >= 60 and result["support"]["rrn"] >= 60
    assert all(result["support"][kind] > 0 for kind in KINDS)
    assert set(result["precision"]) == {*KINDS, "overall"}
    assert "재현율" in done.stdout and "precision" in done.stdout


def test_malformed_lines_are_reported_and_skipped(tmp_path: Path) -> None:
    good = {"text": "연락처 010-1234-5678", "spans": [{"start": 4, "end": 17, "kind": "phone"}], "source": "test"}
    rrn = {"text": "주민번호 900101-1234567", "spans": [{"start": 5, "end": 19, "kind": "rrn"}], "source": "test"}
    sample = tmp_path / "sample.jsonl"
    lines = [
        json.dumps(good, ensure_ascii=False),
        "{not json",
        json.dumps({"text": "x", "spans": [{"start": 0, "end": 5, "kind": "phone"}]}),
        json.dumps({"text": "x", "spans": [{"start": 0, "end": 1, "kind": "fax"}]}),
        json.dumps(["a list"]),
        "",
        json.dumps(rrn, ensure_ascii=False),
    ]
    sample.write_bytes("\n".join(lines).encode() + b"\n\xff\xfe\n")
    done = run_eval(tmp_path, "--sample", str(sample))
    assert done.returncode == 0, done.stdout + done.stderr
    for number in (2, 3, 4, 5, 8):
        assert f"line {number}:" in done.stderr
    result = last_json(done.stdout)
    assert result["skipped_lines"] == [2, 3, 4, 5, 8]
    assert result["examples"] == 2
    assert result["recall"]["phone"] == 1.0 and result["recall"]["rrn"] == 1.0


def test_missing_the_target_fails(tmp_path: Path) -> None:
    sample = tmp_path / "sample.jsonl"
    wrong = {"text": "대표번호 1588-1234", "spans": [{"start": 5, "end": 14, "kind": "phone"}]}
    sample.write_text(json.dumps(wrong, ensure_ascii=False) + "\n", encoding="utf-8")
    done = run_eval(tmp_path, "--sample", str(sample))
    assert done.returncode == 1
    result = last_json(done.stdout)
    assert result["recall"]["phone"] == 0.0 and result["recall"]["rrn"] is None
    assert result["target"]["met"] is False


def test_unreadable_sample(tmp_path: Path) -> None:
    done = run_eval(tmp_path, "--sample", str(tmp_path / "missing.jsonl"))
    assert done.returncode == 2
    assert "cannot read" in done.stderr
