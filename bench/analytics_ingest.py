"""Analytics ingest throughput: distinct real complaints masked, tokenised (Kiwi) and indexed (SQLite FTS5),
with 1 and 2 tokenising processes. Classification joins the figure once the classifier lands.

    .venv/bin/python -m bench.analytics_ingest [--docs 20000] [--quick]

Documents are the shared 청와대 petitions (12,550 distinct texts); beyond that, petitions repeat with new
ids (the text is the same work for the pipeline). Prints figures and a final JSON line.
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import time
from pathlib import Path

from analytics.documents import Filters
from analytics.ingest.pipeline import Checkpoints, ingest_file
from analytics.search.sqlite_index import SqliteIndex
from bench.common import machine
from tests.support.shared import shared_dir


def complaints(count: int, out: Path) -> tuple[int, int]:
    rows = []
    for name in (
        "bluehouse_petitions_korkeep_2020-01to09.jsonl.gz",
        "bluehouse_petitions_lovit_2017-08_2019-04to08.jsonl.gz",
    ):
        with gzip.open(shared_dir() / "data" / name, "rt", encoding="utf-8") as handle:
            rows += [json.loads(line) for line in handle]
    rows = [r for r in rows if r.get("title") and (r.get("content") or r.get("title"))]
    with out.open("w", encoding="utf-8") as handle:
        chars = 0
        for n in range(count):
            r = rows[n % len(rows)]
            chars += len(r["title"]) + len(r.get("content") or "")
            item = {"id": f"b{n}", "received_at": r["begin"], "title": r["title"], "body": r.get("content") or "",
                    "category": r["category"]}  # fmt: skip
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    return min(count, len(rows)), chars


def run(path: Path, workers: int, directory: Path) -> tuple[float, int]:
    index = SqliteIndex(directory / f"index-{workers}.db")
    started = time.perf_counter()
    report = ingest_file(path, index, source="bench", checkpoints=Checkpoints(directory / f"cp-{workers}.json"),
                         workers=workers, batch=400)  # fmt: skip
    seconds = time.perf_counter() - started
    assert index.count(Filters()) == report.written
    index.close()
    return seconds, report.written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="2,000 documents")
    args = parser.parse_args()
    docs = 2_000 if args.quick else args.docs
    m = machine()
    print(*m.lines(), sep="\n")
    with tempfile.TemporaryDirectory(prefix="sori-bench-analytics-") as tmp:
        directory = Path(tmp)
        data = directory / "complaints.jsonl"
        distinct, chars = complaints(docs, data)
        print(f"documents  {docs:,} ({distinct:,} distinct texts), {chars / docs:,.0f} characters on average")
        results = {}
        for workers in (1, 2):
            seconds, written = run(data, workers, directory)
            rate = written / seconds
            results[workers] = {"seconds": round(seconds, 1), "docs_per_s": round(rate, 1)}
            print(f"workers {workers}  {written:,} documents in {seconds:,.1f} s: {rate:,.1f} documents/s "
                  f"({rate / workers:,.1f} per core)")  # fmt: skip
    summary = {
        "benchmark": "analytics_ingest",
        "docs": docs,
        "distinct": distinct,
        "per_core_docs_per_s": results[1]["docs_per_s"],
        "two_process_docs_per_s": results[2]["docs_per_s"],
        "target_per_core": 90,
        "classified": False,
        "machine": m.__dict__,
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
