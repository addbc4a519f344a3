"""Analytics at scale: a 1,000,000-document embedded index over two years, a one-year trend report on it and
search latency.

    .venv/bin/python -m bench.analytics_scale                    # 1,000,000 documents (build ~10-20 min)
    .venv/bin/python -m bench.analytics_scale --quick            # 50,000 documents
    .venv/bin/python -m bench.analytics_scale --index DIR        # build into DIR once; later runs reuse it

Documents are the 12,550 shared 청와대 petitions, masked and tokenised (Kiwi) once and cached (``--cache``,
default ``~/.cache/sori-bench``), then reused with new ids, times over two years (weekday and seasonal
volume), channels (60% phone with a center of ``sori/seed/centers.csv``, Zipf-like; 40% text with an
agency), categories (the petition's), regions, age bands and sexes. The index is built through
``SqliteIndex.upsert`` in batches, as the ingest pipeline writes it.

Measured: build time and documents/s, size on disk; ``build_report`` for the last full year (the numbers
``sori report --from --to`` computes) and its HTML through ``analytics.report.html.render``; search latency
p50/p99/max for 1-3 word queries of frequent-ish morphemes (plain; with a channel or center filter and the
last three months; and a results page: search, weekly histogram and category/channel counts of the same
filters); peak RSS. Prints figures and a final JSON line.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import hashlib
import json
import math
import random
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from analytics.documents import DocChannel, Document, Filters, Interval
from analytics.search.sqlite_index import SqliteIndex
from bench.common import Latency, header, machine, say
from kernel.calendar import SEOUL
from tests.support.shared import shared_dir

FILES = ("bluehouse_petitions_korkeep_2020-01to09.jsonl.gz", "bluehouse_petitions_lovit_2017-08_2019-04to08.jsonl.gz")
CENTERS = Path(__file__).resolve().parent.parent / "sori" / "seed" / "centers.csv"
FIRST_DAY = dt.date(2024, 1, 1)  # two years: 2024 and 2025; the report is 2025 (seasonal against 2024)
DAYS = 731
REPORT_END = FIRST_DAY + dt.timedelta(days=DAYS)  # exclusive: the report covers the last full year, 2025
SURGE_TOKEN = "재난지원금"  # a quarter of the last day's documents are petitions that mention it
REGIONS = ("서울특별시", "부산광역시", "대구광역시", "인천광역시", "광주광역시", "대전광역시", "울산광역시",
           "세종특별자치시", "경기도", "강원특별자치도", "충청북도", "충청남도", "전북특별자치도", "전라남도",
           "경상북도", "경상남도", "제주특별자치도")  # fmt: skip
REGION_WEIGHTS = (19, 7, 5, 6, 3, 3, 2, 1, 26, 3, 3, 4, 3, 3, 5, 6, 1)
AGE_BANDS = ("10대", "20대", "30대", "40대", "50대", "60대", "70대")
AGE_WEIGHTS = (3, 14, 20, 22, 20, 14, 7)
TARGET_BUILD_S = 20 * 60
TARGET_REPORT_S = 60
TARGET_SEARCH_P99_MS = 100


@dataclass(frozen=True)
class Petition:
    title: str  # masked
    body: str  # masked
    tokens: tuple[str, ...]
    category: str


# -- the texts, tokenised once ------------------------------------------------------------------------------
def petitions(cache: Path) -> list[Petition]:
    """The shared petitions masked and tokenised as the ingest pipeline does it, from the cache when fresh."""
    import kiwipiepy

    sources = [shared_dir() / "data" / name for name in FILES]
    key = hashlib.sha256(
        json.dumps([[p.name, p.stat().st_size] for p in sources] + [kiwipiepy.__version__]).encode()
    ).hexdigest()[:12]
    path = cache / f"petitions-{key}.jsonl.gz"
    if not path.exists():
        _tokenise(sources, path)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [Petition(r["title"], r["body"], tuple(r["tokens"]), r["category"]) for r in map(json.loads, handle)]


def _tokenise(sources: Sequence[Path], path: Path) -> None:
    from analytics.ingest.files import RawComplaint
    from analytics.ingest.pipeline import prepare

    rows = []
    for source in sources:
        with gzip.open(source, "rt", encoding="utf-8") as handle:
            rows += [r for r in map(json.loads, handle) if r.get("title") and r.get("category")]
    say(f"tokenise   {len(rows):,} petitions with Kiwi (once; cached in {path.parent})")
    started = time.perf_counter()
    when = dt.datetime(2020, 1, 1, tzinfo=SEOUL)
    path.parent.mkdir(parents=True, exist_ok=True)
    unfinished = path.with_suffix(".partial")
    with gzip.open(unfinished, "wt", encoding="utf-8") as out:
        for n in range(0, len(rows), 500):
            chunk = rows[n : n + 500]
            items = [RawComplaint(str(i), when, r["title"], r.get("content") or "") for i, r in enumerate(chunk)]
            for row, (title, body, tokens) in zip(chunk, prepare(items), strict=True):
                item = {"title": title, "body": body, "tokens": list(tokens), "category": row["category"]}
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
            say(f"           {n + len(chunk):,} in {time.perf_counter() - started:,.0f} s")
    unfinished.rename(path)


# -- the documents --------------------------------------------------------------------------------------------
def centers() -> list[str]:
    with CENTERS.open(encoding="utf-8") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


def daily_volumes(total: int, rng: random.Random) -> list[int]:
    """Documents per day: weekdays busier than weekends, a yearly swell (tax months, summer), some noise."""
    weekday = (1.25, 1.1, 1.05, 1.05, 1.0, 0.45, 0.35)
    weights = []
    for n in range(DAYS):
        day = FIRST_DAY + dt.timedelta(days=n)
        season = 1 + 0.15 * math.sin(2 * math.pi * (day.timetuple().tm_yday - 60) / 365)
        season += 0.2 if day.month in (1, 5) else 0.0
        weights.append(weekday[day.weekday()] * season * rng.uniform(0.9, 1.1))
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for n in sorted(range(DAYS), key=lambda i: -(weights[i] * scale - counts[i]))[: total - sum(counts)]:
        counts[n] += 1
    return counts


def documents(total: int, texts: Sequence[Petition], seed: int, surge_token: str) -> Iterator[Document]:
    """``total`` documents over the two years in time order; the last day carries a planted surge."""
    rng = random.Random(seed)
    codes = centers()
    center_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(codes))]  # Zipf-like popularity
    surging = [n for n, p in enumerate(texts) if surge_token in p.tokens]
    number = 0
    for offset, count in enumerate(daily_volumes(total, rng)):
        day = FIRST_DAY + dt.timedelta(days=offset)
        last = offset == DAYS - 1
        seconds = sorted(rng.randrange(7 * 3600, 22 * 3600) for _ in range(count))
        for second in seconds:
            text = texts[rng.choice(surging) if last and surging and rng.random() < 0.25 else rng.randrange(len(texts))]
            phone = rng.random() < 0.6
            center = rng.choices(codes, center_weights)[0] if phone else None
            yield Document(
                doc_id=f"scale:{number}",
                channel=DocChannel.PHONE if phone else DocChannel.TEXT,
                received_at=dt.datetime.combine(
                    day, dt.time(second // 3600, second // 60 % 60, second % 60), tzinfo=SEOUL
                ),
                title=text.title,
                body=text.body,
                tokens=text.tokens,
                source="call" if phone else "sinmungo",
                category=text.category,
                suggested_category=text.category if rng.random() < 0.6 else rng.choice(texts).category,
                agency=center if phone else rng.choice(codes),
                center=center,
                region=rng.choices(REGIONS, REGION_WEIGHTS)[0],
                age_band=rng.choices(AGE_BANDS, AGE_WEIGHTS)[0],
                sex="male" if rng.random() < 0.52 else "female",
            )
            number += 1


def build(path: Path, total: int, texts: Sequence[Petition], seed: int, batch: int) -> dict[str, Any]:
    index = SqliteIndex(path)
    started = time.perf_counter()
    written, pending = 0, []
    step = max(total // 10, batch)
    for doc in documents(total, texts, seed, SURGE_TOKEN):
        pending.append(doc)
        if len(pending) == batch:
            written += index.upsert(pending)
            pending = []
            if written % step < batch:
                seconds = time.perf_counter() - started
                say(f"           {written:>9,} documents in {seconds:7,.1f} s ({written / seconds:,.0f}/s)")
    written += index.upsert(pending)
    upserted = time.perf_counter() - started
    finish = getattr(index, "optimize", None)  # the adapter's end-of-bulk-load step, when it has one
    if finish is not None:
        finish()
    seconds = time.perf_counter() - started
    index.close()
    return {"docs": written, "seconds": round(seconds, 1), "upsert_seconds": round(upserted, 1),
            "docs_per_s": round(written / seconds), "batch": batch, "seed": seed}  # fmt: skip


def size_on_disk(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


# -- the measurements -----------------------------------------------------------------------------------------


def queries(texts: Sequence[Petition], count: int, seed: int) -> list[list[str]]:
    """1-3 word queries (a third each) of morphemes in 0.5-10% of the petitions; 2-3 words from one text."""
    rng = random.Random(seed)
    df = Counter(t for p in texts for t in set(p.tokens))
    pool = sorted(t for t, n in df.items() if 0.005 * len(texts) <= n <= 0.10 * len(texts))
    wanted = set(pool)
    out: list[list[str]] = []
    while len(out) < count:
        words = 1 + len(out) % 3
        if words == 1:
            out.append([rng.choice(pool)])
            continue
        candidates = sorted(set(rng.choice(texts).tokens) & wanted)
        if len(candidates) >= words:
            out.append(rng.sample(candidates, words))
    return out


def timed(calls: Sequence[Callable[[], object]]) -> Latency:
    seconds = []
    for call in calls:
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return Latency.of(seconds)


def search_latencies(index: SqliteIndex, qs: list[list[str]], report_end: dt.date) -> dict[str, Any]:
    year = Filters(start=report_end.replace(year=report_end.year - 1), end=report_end)
    quarter_start = report_end - dt.timedelta(days=91)
    top_center = index.terms("center", Filters(), size=1)[0][0]
    filtered = [Filters(start=quarter_start, end=report_end, equals={"channel": "phone"}),
                Filters(start=quarter_start, end=report_end, equals={"center": top_center})]  # fmt: skip
    for q in qs[:20]:  # warm the page cache and the statement cache
        index.search(q, Filters())

    def page(q: list[str]) -> None:
        index.search(q, year)
        index.histogram(year, Interval.WEEK)
        index.terms("category", year)
        index.terms("channel", year)

    totals = [index.search(q, Filters(), limit=1).total for q in qs]
    results = {
        "plain": timed([partial(index.search, q, Filters()) for q in qs]),
        "plain_1_word": timed([partial(index.search, q, Filters()) for q in qs if len(q) == 1]),
        "filtered": timed([partial(index.search, q, filtered[n % 2]) for n, q in enumerate(qs)]),
        "results_page": timed([partial(page, q) for q in qs]),
    }
    ordered = sorted(totals)
    return {"latency": results, "matches_p50": ordered[len(ordered) // 2], "matches_max": ordered[-1],
            "top_center": top_center}  # fmt: skip


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="50,000 documents")
    parser.add_argument("--index", type=Path, help="directory to build the index in and keep; reused when built")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "sori-bench")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the report")
    args = parser.parse_args()
    total = 50_000 if args.quick else args.docs
    m = machine()
    header("analytics at scale: 1M-document index, trend report, search", m,
           {"docs": total, "queries": args.queries, "batch": args.batch, "seed": args.seed})  # fmt: skip

    texts = petitions(args.cache)
    say(f"texts      {len(texts):,} petitions, {sum(len(p.body) for p in texts) / len(texts):,.0f} characters and "
        f"{sum(len(p.tokens) for p in texts) / len(texts):,.0f} morphemes on average")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="sori-bench-scale-") as tmp:
        directory = args.index or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        path, meta = directory / "index.db", directory / "build.json"
        built = json.loads(meta.read_text()) if meta.exists() and path.exists() else None
        if built is not None and (built["docs"], built["seed"]) == (total, args.seed):
            say(f"index      reusing {path} (built earlier: {built['docs']:,} documents in {built['seconds']:,.0f} s)")
        else:
            path.unlink(missing_ok=True)
            say(f"build      {total:,} documents over {DAYS} days into {path}")
            built = build(path, total, texts, args.seed, args.batch)
            meta.write_text(json.dumps(built))
        rss_build = rss_mb()
        size = size_on_disk(path)
        say(f"build      {built['docs']:,} documents in {built['seconds']:,.1f} s: {built['docs_per_s']:,}/s "
            f"(upserts {built['upsert_seconds']:,.1f} s); {size / 2**30:,.2f} GiB on disk; "
            f"target < {TARGET_BUILD_S / 60:.0f} min")  # fmt: skip

        report = measure_report(path, directory, args.profile)
        index = SqliteIndex(path)
        try:
            qs = queries(texts, args.queries, args.seed)
            found = search_latencies(index, qs, REPORT_END)
        finally:
            index.close()
    say(
        f"search     {len(qs)} queries of 1-3 words; matches p50 {found['matches_p50']:,}, max {found['matches_max']:,}"
    )
    for name, latency in found["latency"].items():
        say(f"  {name:<14} {latency.text()}")
    say(f"           target p99 < {TARGET_SEARCH_P99_MS} ms (plain)")
    say(f"memory     peak RSS {rss_mb():,.0f} MB (after build {rss_build:,.0f} MB)")
    summary = {
        "benchmark": "analytics_scale",
        "docs": built["docs"],
        "build_seconds": built["seconds"],
        "build_docs_per_s": built["docs_per_s"],
        "index_bytes": size,
        "report": report,
        "search": {k: v.as_dict() for k, v in found["latency"].items()},
        "search_matches_p50": found["matches_p50"],
        "queries": len(qs),
        "peak_rss_mb": rss_mb(),
        "targets": {
            "build_seconds": TARGET_BUILD_S,
            "report_seconds": TARGET_REPORT_S,
            "search_p99_ms": TARGET_SEARCH_P99_MS,
        },
        "machine": m.__dict__,
    }
    print(json.dumps(summary, ensure_ascii=False), flush=True)


def measure_report(path: Path, directory: Path, profile: bool) -> dict[str, Any]:
    """``build_report`` for the last year, as ``sori report --from 2025-01-01 --to 2025-12-31`` calls it."""
    from analytics.report.html import render
    from analytics.trends.report import build_report

    start = REPORT_END.replace(year=REPORT_END.year - 1)
    index = SqliteIndex(path)
    try:
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        data = build_report(index, start, REPORT_END)
        seconds = time.perf_counter() - started
        if profile:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    finally:
        index.close()
    started = time.perf_counter()
    page = render(data, dt.datetime.now(dt.UTC).astimezone())
    out = directory / "report.html"
    out.write_text(page, encoding="utf-8")
    html_seconds = time.perf_counter() - started
    say(f"report     {start} .. {REPORT_END - dt.timedelta(days=1)}: {data.total:,} documents, {len(data.surges)} "
        f"surging keywords ({', '.join(k.surge.token for k in data.surges[:5])}), {len(data.topics)} topics, "
        f"{len(data.seasonal)} seasonal rows")  # fmt: skip
    say(f"           build_report {seconds:,.1f} s; HTML {html_seconds:,.1f} s ({len(page) / 2**20:,.1f} MiB); "
        f"target < {TARGET_REPORT_S} s")  # fmt: skip
    return {"seconds": round(seconds, 2), "html_seconds": round(html_seconds, 2), "total": data.total,
            "surges": len(data.surges), "topics": len(data.topics), "html_bytes": len(page.encode())}  # fmt: skip


if __name__ == "__main__":
    main()
