"""Korean search over the public-service catalog: build time, query latency, relevance (issue 13).

    .venv/bin/python -m bench.public_services_search             # ~30 s on 2 cores
    .venv/bin/python -m bench.public_services_search --analyse   # also Kiwi over the whole catalog (~1 min more)

Measures ``integrations.public_services.search.ServiceSearch`` on the shipped catalog (11,069 services):

* **build** — loading Kiwi with its first analysis (paid once per process, shareable between searches), and
  the index itself from the shipped precomputed terms (median of ``--builds``); ``--analyse`` also times
  Kiwi over every service, which is what building would cost without ``data/search_terms.jsonl.gz``.
* **latency** — every query of ``data/relevance.json``, ``--repeat`` times (after one warm-up round), plain
  and with an agency filter. Baseline in the same run: Kiwi's analysis of the query alone.
* **relevance** — MRR (top 10) and recall@5 over all queries and over the title-avoiding subset, and the
  same without the popularity prior, without synonyms, and without both, to show what each part brings.

Prints figures and ends with one JSON line.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from bench.common import Latency, emit_json, header, machine, revision, say
from integrations.public_services.catalog import load_catalog
from integrations.public_services.relevance import Relevance, evaluate, load_queries
from integrations.public_services.search import PRIOR_WEIGHT, ServiceSearch
from integrations.public_services.search_terms import analyse
from integrations.public_services.tokens import Analyser


def _timed(action: Any, items: list[str], repeat: int) -> Latency:
    for item in items:  # warm-up round
        action(item)
    seconds = []
    for _ in range(repeat):
        for item in items:
            started = time.perf_counter()
            action(item)
            seconds.append(time.perf_counter() - started)
    return Latency.of(seconds)


def _relevance_line(name: str, relevance: Relevance) -> str:
    o, t = relevance.overall, relevance.avoids_title_words
    return (
        f"{name:28s} MRR {o.mrr:.3f}  recall@5 {o.recall_at_5:.3f}   |  title-avoiding ({t.queries}): "
        f"MRR {t.mrr:.3f}  recall@5 {t.recall_at_5:.3f}"
    )


def _scores(relevance: Relevance) -> dict[str, Any]:
    return {
        "all": vars(relevance.overall),
        "avoids_title_words": vars(relevance.avoids_title_words),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.public_services_search",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--repeat", type=int, default=20, help="rounds of the relevance queries timed")
    parser.add_argument("--builds", type=int, default=3, help="index builds timed (median quoted)")
    parser.add_argument("--analyse", action="store_true", help="also time Kiwi over the whole catalog")
    args = parser.parse_args(argv)
    info = machine()
    header("public-service search", info, vars(args))

    started = time.perf_counter()
    catalog = load_catalog()
    catalog_s = time.perf_counter() - started
    started = time.perf_counter()
    analyser = Analyser()
    analyser.terms("기초연금 신청")  # Kiwi loads part of its model on the first analysis
    kiwi_s = time.perf_counter() - started
    builds = []
    for _ in range(args.builds):
        started = time.perf_counter()
        search = ServiceSearch(catalog, analyser=analyser)
        builds.append(time.perf_counter() - started)
    build_s = statistics.median(builds)
    say(f"\ncatalog    {len(catalog):,} services loaded in {catalog_s:.2f} s")
    say(f"kiwi       loaded and warmed in {kiwi_s:.2f} s (once per process; shared by every ServiceSearch)")
    say(
        f"index      built in {build_s:.2f} s (median of {args.builds}: "
        + ", ".join(f"{b:.2f}" for b in builds)
        + f"), {search.stats.vocabulary:,} terms, {search.stats.analysed_on_build} services analysed on build"
    )
    say(f"cold start catalog + Kiwi + index: {catalog_s + kiwi_s + build_s:.1f} s")
    figures: dict[str, Any] = {
        "catalog_seconds": round(catalog_s, 3),
        "kiwi_seconds": round(kiwi_s, 3),
        "build_seconds": round(build_s, 3),
        "builds": [round(b, 3) for b in builds],
        "vocabulary": search.stats.vocabulary,
    }
    if args.analyse:
        started = time.perf_counter()
        analyse(catalog, analyser)
        figures["analyse_catalog_seconds"] = round(time.perf_counter() - started, 1)
        say(f"analysis   Kiwi over the whole catalog, one thread: {figures['analyse_catalog_seconds']:.1f} s "
            "(what the precomputed terms file saves)")  # fmt: skip

    queries = [q["query"] for q in load_queries()]
    baseline = _timed(analyser.word_terms, queries, args.repeat)
    plain = _timed(search.search, queries, args.repeat)
    filtered = _timed(lambda q: search.search(q, agency="보건복지부"), queries, args.repeat)
    say(f"\nlatency over the {len(queries)} relevance queries x {args.repeat}")
    say(f"  baseline: Kiwi analysis of the query   {baseline.text()}")
    say(f"  search                                  {plain.text()}")
    say(f"  search, agency filter                   {filtered.text()}")
    say(f"  p50 ratio to baseline {plain.p50_ms / baseline.p50_ms:.1f}x")
    figures["latency"] = {"baseline": baseline.as_dict(), "search": plain.as_dict(), "agency": filtered.as_dict()}

    relevance = evaluate(search)
    say(f"\nrelevance ({relevance.overall.queries} queries; prior weight {PRIOR_WEIGHT})")
    say(_relevance_line("search", relevance))
    variants: dict[str, dict[str, Any]] = {
        "without popularity prior": {"prior_weight": 0.0},
        "without synonyms": {"use_synonyms": False},
        "without both": {"prior_weight": 0.0, "use_synonyms": False},
    }
    ablation = {}
    for name, options in variants.items():
        other = evaluate(ServiceSearch(catalog, analyser=analyser, **options))
        say(_relevance_line(name, other))
        ablation[name] = _scores(other)
    misses = [r for r in relevance.ranks if r.rank is None or r.rank > 5]
    say(f"queries without a hit in the top 5 ({len(misses)}):")
    for r in misses:
        top = catalog[r.top[0]].name if r.top else "-"
        say(f"  rank {r.rank if r.rank is not None else '>100':>4}  {r.query}   (first: {top})")
    figures["relevance"] = _scores(relevance)
    figures["relevance_ranks"] = {r.query: r.rank for r in relevance.ranks}
    figures["ablation"] = ablation
    emit_json({"benchmark": "public_services_search", "revision": revision(), "machine": vars(info),
               "params": vars(args), "results": figures})  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
