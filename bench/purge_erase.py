"""What the retention purge costs in the embedded search index: erasing documents for good.

    .venv/bin/python -m bench.purge_erase               # 100,000 phone documents of 120 tokens
    .venv/bin/python -m bench.purge_erase --docs 20000  # quicker

An FTS5 delete only adds a tombstone; ``SqliteIndex.erase`` also merges the full-text index into one segment
(so the deleted tokens leave the file) and truncates the write-ahead log. The merge rewrites the whole
full-text index, so its cost grows with the index, not with the number of documents erased: this measures it
against a plain delete of the same documents, in the same run. Prints figures and a final JSON line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

from analytics.documents import DocChannel, Document
from analytics.search.sqlite_index import SqliteIndex
from bench.common import emit_json, header, machine, say, workdir
from kernel.calendar import SEOUL


def build(index: SqliteIndex, count: int, rng: random.Random) -> None:
    vocabulary = [f"낱말{n}" for n in range(20_000)]
    start = dt.datetime(2025, 1, 1, tzinfo=SEOUL)
    batch: list[Document] = []
    for n in range(count):
        tokens = tuple(rng.choice(vocabulary) for _ in range(120))
        batch.append(Document(doc_id=f"call:{n}", channel=DocChannel.PHONE, received_at=start + dt.timedelta(minutes=n),
                              title="상담", body=" ".join(tokens), tokens=tokens, source="case-store"))  # fmt: skip
        if len(batch) == 2000:
            index.upsert(batch)
            batch = []
    index.upsert(batch)
    index.optimize()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    m = machine()
    header("retention purge: erasing from the embedded index", m, {"docs": args.docs, "rounds": args.rounds})
    rng = random.Random(7)
    with workdir("sori-bench-erase-") as directory:
        index = SqliteIndex(directory / "index.db")
        started = time.perf_counter()
        build(index, args.docs, rng)
        size = sum(p.stat().st_size for p in directory.iterdir()) / 2**20
        say(f"index      {args.docs:,} documents, {size:,.0f} MiB, built in {time.perf_counter() - started:.1f} s")
        figures: dict[str, list[float]] = {"delete_10": [], "erase_1": [], "erase_100": []}
        for _ in range(args.rounds):
            for name, count, erase in (("delete_10", 10, False), ("erase_1", 1, True), ("erase_100", 100, True)):
                ids = [f"call:{n}" for n in rng.sample(range(args.docs), count)]
                t = time.perf_counter()
                (index.erase if erase else index.delete)(ids)
                figures[name].append(time.perf_counter() - t)
        index.close()
    medians = {name: statistics.median(values) for name, values in figures.items()}
    for name, value in medians.items():
        say(f"{name:10} median {value:.3f} s over {args.rounds} rounds")
    say(f"ratio      erase(1) / delete(10) = {medians['erase_1'] / max(medians['delete_10'], 1e-6):,.0f}x")
    emit_json({"docs": args.docs, "index_mib": round(size), **{k: round(v, 4) for k, v in medians.items()},
               "machine": m.__dict__})  # fmt: skip


if __name__ == "__main__":
    main()
