"""Analytics ingest throughput: distinct real complaints masked, tokenised (Kiwi), classified (the category
model) and indexed (SQLite FTS5), with 1 and 2 tokenising processes.

    .venv/bin/python -m bench.analytics_ingest [--docs 20000] [--quick] [--no-classify]

Documents are the shared 청와대 petitions (12,550 distinct texts); beyond those, each document pairs the
title of one petition with the body of another (every text distinct, real words, the same length
distribution). The category model is trained first on 2,000 other petitions with the default
``ModelConfig`` (its cost per document does not depend on how many texts it learnt from). Prints figures
and a final JSON line.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import tempfile
import time
from pathlib import Path

from analytics.classify import Classifier
from analytics.documents import Filters
from analytics.ingest.pipeline import Checkpoints, Suggest, ingest_file
from analytics.search.sqlite_index import SqliteIndex
from bench.common import machine
from tests.support.shared import shared_dir


def complaints(count: int, out: Path) -> tuple[int, int, list[dict[str, str]]]:
    """``count`` distinct complaints written as JSONL; (distinct texts, characters, the petitions read)."""
    rows = []
    for name in (
        "bluehouse_petitions_korkeep_2020-01to09.jsonl.gz",
        "bluehouse_petitions_lovit_2017-08_2019-04to08.jsonl.gz",
    ):
        with gzip.open(shared_dir() / "data" / name, "rt", encoding="utf-8") as handle:
            rows += [json.loads(line) for line in handle]
    rows = [r for r in rows if r.get("title") and (r.get("content") or r.get("title"))]
    texts = set()
    with out.open("w", encoding="utf-8") as handle:
        chars = 0
        for n in range(count):
            first, second = n % len(rows), (n // len(rows)) * 7919 + n
            title = rows[first]["title"]
            body = (rows[first] if n < len(rows) else rows[second % len(rows)]).get("content") or ""
            texts.add((title, body))
            chars += len(title) + len(body)
            item = {"id": f"b{n}", "received_at": rows[first]["begin"], "title": title, "body": body}
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    return len(texts), chars, rows


def category_model(rows: list[dict[str, str]], count: int = 2000) -> Classifier:
    """A category model trained on ``count`` petitions (stratified by category, seed 0)."""
    from analytics.classify.data import join_text
    from analytics.classify.model import Doc, fit
    from analytics.text import shared_tokenizer

    rng = random.Random(0)
    chosen = rng.sample(rows, count)
    tokenizer = shared_tokenizer()
    texts = [join_text(r["title"], r.get("content") or "") for r in chosen]
    model = fit([Doc(t, tuple(tokenizer.tokens(t))) for t in texts], [r["category"] for r in chosen])
    return Classifier(model)


def run(path: Path, workers: int, directory: Path, suggest: Suggest | None) -> tuple[float, int]:
    index = SqliteIndex(directory / f"index-{workers}.db")
    started = time.perf_counter()
    report = ingest_file(path, index, source="bench", checkpoints=Checkpoints(directory / f"cp-{workers}.json"),
                         workers=workers, batch=400, suggest=suggest)  # fmt: skip
    seconds = time.perf_counter() - started
    if suggest is not None:
        assert all(d.suggested_category for d in index.documents(Filters())), "every document classified"
    assert index.count(Filters()) == report.written
    index.close()
    return seconds, report.written


def kiwi_alone(path: Path) -> tuple[float, int]:
    """Seconds to tokenise every document's title and body with the ingest's tokenizer, nothing else: the
    ceiling one core reaches at this document length, whatever the rest of the pipeline costs."""
    from analytics.text import shared_tokenizer

    tokenizer = shared_tokenizer()
    texts = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            texts.append(f"{item['title']}\n{item['body']}")
    started = time.perf_counter()
    for text in texts:
        tokenizer.tokens(text)
    return time.perf_counter() - started, sum(map(len, texts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--quick", action="store_true", help="2,000 documents")
    parser.add_argument("--no-classify", action="store_true", help="mask, tokenise and index only")
    args = parser.parse_args()
    docs = 2_000 if args.quick else args.docs
    m = machine()
    print(*m.lines(), sep="\n")
    with tempfile.TemporaryDirectory(prefix="sori-bench-analytics-") as tmp:
        directory = Path(tmp)
        data = directory / "complaints.jsonl"
        distinct, chars, rows = complaints(docs, data)
        print(f"documents  {docs:,} ({distinct:,} distinct texts), {chars / docs:,.0f} characters on average")
        suggest = None
        if not args.no_classify:
            started = time.perf_counter()
            suggest = category_model(rows).batch_suggester()
            print(f"category model trained on 2,000 petitions in {time.perf_counter() - started:,.0f} s")
        kiwi_s, kiwi_chars = kiwi_alone(data)
        kiwi_rate = docs / kiwi_s
        print(f"Kiwi alone  {docs:,} documents in {kiwi_s:,.1f} s: {kiwi_rate:,.1f} documents/s, "
              f"{kiwi_chars / kiwi_s:,.0f} characters/s (one core)")  # fmt: skip
        results = {}
        for workers in (1, 2):
            seconds, written = run(data, workers, directory, suggest)
            rate = written / seconds
            results[workers] = {"seconds": round(seconds, 1), "docs_per_s": round(rate, 1)}
            print(f"workers {workers}  {written:,} documents in {seconds:,.1f} s: {rate:,.1f} documents/s "
                  f"({rate / workers:,.1f} per core, {rate / workers / kiwi_rate:.0%} of Kiwi alone)")  # fmt: skip
    summary = {
        "benchmark": "analytics_ingest",
        "docs": docs,
        "distinct": distinct,
        "per_core_docs_per_s": results[1]["docs_per_s"],
        "two_process_docs_per_s": results[2]["docs_per_s"],
        "kiwi_alone_docs_per_s": round(kiwi_rate, 1),
        "kiwi_alone_chars_per_s": round(kiwi_chars / kiwi_s),
        "target_per_core": 90,
        "classified": suggest is not None,
        "chars_per_doc": round(chars / docs),
        "machine": m.__dict__,
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
