"""Ingesting complaint files into the index: real petitions, bad rows reported with their lines, masking
before indexing, idempotent re-runs and resuming after an interruption."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

from analytics.documents import Filters
from analytics.ingest.pipeline import Checkpoints, ingest_file
from analytics.search.sqlite_index import SqliteIndex
from tests.support.shared import shared_dir

pytestmark = pytest.mark.integration


def petitions(limit: int) -> list[dict[str, object]]:
    rows = []
    with gzip.open(shared_dir() / "data" / "bluehouse_petitions_lovit_2017-08_2019-04to08.jsonl.gz", "rt") as handle:
        for line in handle:
            rows.append(json.loads(line))
            if len(rows) == limit:
                break
    return rows


@pytest.fixture
def complaints(tmp_path: Path) -> Path:
    rows = [json.dumps(r, ensure_ascii=False) for r in petitions(40)]
    rows[3] = json.dumps({**json.loads(rows[3]), "content": "연락처 010-2345-6789 로 회신 바랍니다. 900101-1234567"},
                         ensure_ascii=False)  # fmt: skip
    rows.insert(5, "{not json")
    rows.insert(9, json.dumps({"petition_idx": "x1", "begin": "2017-08-20"}))
    rows.insert(12, json.dumps({"petition_idx": "x2", "title": "날짜 없음", "begin": "어제"}, ensure_ascii=False))
    path = tmp_path / "petitions.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_file_is_masked_tokenised_indexed_and_bad_rows_reported(complaints: Path, tmp_path: Path) -> None:
    index = SqliteIndex(tmp_path / "index.db")
    report = ingest_file(complaints, index, source="petition", checkpoints=Checkpoints(tmp_path / "cp.json"), batch=8)
    assert report.read == 43 and report.written == 40
    assert [(e.line, e.reason.split(":")[0]) for e in report.errors] == [
        (6, "not JSON"), (10, "neither a title nor a body"), (13, "no valid received time ('어제')")
    ]  # fmt: skip
    assert index.count(Filters()) == 40
    masked = index.get(f"petition:{petitions(40)[3]['petition_idx']}")
    assert masked is not None and "2345-6789" not in masked.body and "1234567" not in masked.body
    assert not any("6789" in t or "1234567" in t for t in masked.tokens)
    assert all(doc.tokens for doc in index.documents(Filters())), "every document has morphemes"
    assert {doc.category for doc in index.documents(Filters())} <= {r["category"] for r in petitions(40)}


def test_a_re_run_adds_nothing_and_an_interrupted_run_resumes(complaints: Path, tmp_path: Path) -> None:
    index = SqliteIndex(tmp_path / "index.db")
    checkpoints = Checkpoints(tmp_path / "cp.json")
    batches = 0

    def crash_after_two(n: int) -> None:
        nonlocal batches
        batches += 1
        if batches == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_file(complaints, index, source="petition", checkpoints=checkpoints, batch=8, progress=crash_after_two)
    partial = index.count(Filters())
    assert 0 < partial < 40
    resumed = ingest_file(complaints, index, source="petition", checkpoints=Checkpoints(tmp_path / "cp.json"), batch=8)
    assert resumed.resumed_from > 0 and index.count(Filters()) == 40
    again = ingest_file(complaints, index, source="petition", checkpoints=Checkpoints(tmp_path / "cp.json"))
    assert again.read == 0 and index.count(Filters()) == 40
    fresh = ingest_file(complaints, index, source="petition", checkpoints=Checkpoints(tmp_path / "other.json"))
    assert fresh.written == 40 and index.count(Filters()) == 40, "ids make a full re-run idempotent"


def test_korean_csv_headers_gzip_and_worker_processes(tmp_path: Path) -> None:
    path = tmp_path / "sinmungo.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["번호", "접수일", "제목", "내용", "분야"])
        for n, row in enumerate(petitions(12)):
            writer.writerow([f"s{n}", str(row["begin"]), row["title"], row["content"], row["category"]])
    single = SqliteIndex(tmp_path / "one.db")
    ingest_file(path, single, source="sinmungo", checkpoints=Checkpoints(tmp_path / "a.json"))
    double = SqliteIndex(tmp_path / "two.db")
    report = ingest_file(path, double, source="sinmungo", checkpoints=Checkpoints(tmp_path / "b.json"), workers=2)
    assert report.written == 12 and not report.errors
    assert list(single.documents(Filters())) == list(double.documents(Filters()))
