"""Category classification of the shared 청와대 petitions, measured honestly.

    .venv/bin/python -m bench.classify            # both files (12,550 petitions), 5-fold CV; 2020 → 2017/2019
    .venv/bin/python -m bench.classify --quick    # 3,000 petitions, 3 folds: a few minutes

Rules (the same as ``sori analytics train``): the text is title and body only; folds are stratified and
grouped so identical texts (and texts sharing a title or a body) stay in one fold; classes too small for the
folds would be merged into 기타 for training but are scored on their original labels. The model is
``analytics.classify.model.ModelConfig()``; the baseline, measured in the same run on the same folds and
tokens, is morpheme uni+bigram TF-IDF with one linear SVM. Then both are trained on the 2020 file and tested
on the 2017/2019 file. Prints figures and a final JSON line.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import statistics
import time
from collections import Counter
from dataclasses import replace
from typing import Any

from analytics.classify import cv
from analytics.classify.cli import tokenise
from analytics.classify.data import Record, duplicate_groups, load
from analytics.classify.model import Doc, ModelConfig, TextModel, fit
from bench.common import header, machine, say
from tests.support.shared import shared_dir

FILES = {"2020": "bluehouse_petitions_korkeep_2020-01to09.jsonl.gz",
         "2017/2019": "bluehouse_petitions_lovit_2017-08_2019-04to08.jsonl.gz"}  # fmt: skip
TARGET_MACRO_F1 = 0.58
BASELINE = replace(ModelConfig(), members=(("morphemes", "svm"),))


def subset(records: list[Record], count: int, seed: int = 0) -> list[Record]:
    """``count`` records drawn at random, stratified by label (proportional)."""
    rng = random.Random(seed)
    by_label: dict[str, list[Record]] = {}
    for r in records:
        by_label.setdefault(r.label, []).append(r)
    share = count / len(records)
    return [r for members in by_label.values() for r in rng.sample(members, max(1, round(len(members) * share)))]


def cross_validated(name: str, docs: list[Doc], labels: list[str], groups: list[int], folds: int,
                    config: ModelConfig) -> tuple[cv.CvResult, float]:  # fmt: skip
    started = time.perf_counter()
    result = cv.cross_validate(docs, labels, groups, folds, lambda d, y: fit(d, y, config))
    seconds = time.perf_counter() - started
    m = result.metrics
    say(f"{name:<9} macro-F1 {m.macro_f1:.4f}  accuracy {m.accuracy:.4f}  top-3 {m.top3_accuracy:.4f}  "
        f"({seconds:,.0f} s for {folds} folds)")  # fmt: skip
    return result, seconds


def by_source(result: cv.CvResult, records: list[Record], labels: list[str]) -> dict[str, dict[str, float]]:
    out = {}
    for source, file in FILES.items():
        rows = [i for i, r in enumerate(records) if r.source.startswith(file)]
        if rows:
            m = cv.score([labels[i] for i in rows], [result.ranked[i] for i in rows], result.metrics.folds, {})
            out[source] = {"n": len(rows), "macro_f1": round(m.macro_f1, 4), "accuracy": round(m.accuracy, 4)}
    return out


def transfer(name: str, train: list[Doc], train_labels: list[str], test: list[Doc], test_labels: list[str],
             config: ModelConfig) -> tuple[cv.Metrics, TextModel, float]:  # fmt: skip
    started = time.perf_counter()
    model = fit(train, train_labels, config)
    seconds = time.perf_counter() - started
    m = cv.score(test_labels, model.rank(test), 0, {})
    say(f"{name:<9} accuracy {m.accuracy:.4f}  macro-F1 {m.macro_f1:.4f}  top-3 {m.top3_accuracy:.4f}  "
        f"(trained in {seconds:,.0f} s)")  # fmt: skip
    return m, model, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3,000 petitions, 3 folds")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    folds = 3 if args.quick else args.folds
    m = machine()
    header("classification of the 청와대 petitions", m, {"folds": folds, "quick": args.quick})

    directory = shared_dir() / "data"
    loaded = {source: load([directory / file], "category") for source, file in FILES.items()}
    records = [r for d in loaded.values() for r in d.records]
    if args.quick:
        records = subset(records, 3_000)
    skipped = sum(len(d.problems) for d in loaded.values())
    labels = [r.label for r in records]
    groups = duplicate_groups(records)
    counts = Counter(labels)
    largest, smallest = counts.most_common(1)[0][1], min(counts.values())
    say(f"data       {len(records):,} petitions ({skipped} rows skipped), {len(counts)} classes ({largest:,} to "
        f"{smallest:,} each), {len(set(groups)):,} duplicate groups")  # fmt: skip

    started = time.perf_counter()
    docs = tokenise(records, "tokenising")
    tokenise_seconds = time.perf_counter() - started
    chars = sum(len(d.text) for d in docs)
    say(f"tokenise   {len(docs) / tokenise_seconds:,.0f} texts/s, {chars / tokenise_seconds:,.0f} characters/s "
        f"(Kiwi, {tokenise_seconds:,.0f} s)")  # fmt: skip

    say(f"\n{folds}-fold cross-validation, both files")
    base, base_seconds = cross_validated("baseline", docs, labels, groups, folds, BASELINE)
    model_cv, cv_seconds = cross_validated("model", docs, labels, groups, folds, ModelConfig())
    say(f"           majority class {model_cv.metrics.majority_accuracy:.4f}; merged classes: "
        f"{model_cv.metrics.merged or 'none'}; target macro-F1 {TARGET_MACRO_F1}")  # fmt: skip
    sources = by_source(model_cv, records, labels)
    for source, figures in sources.items():
        say(f"           {source}: {figures['n']:,} texts, macro-F1 {figures['macro_f1']:.4f}, "
            f"accuracy {figures['accuracy']:.4f}")  # fmt: skip
    say("per class (model): " + ", ".join(f"{c.label} {c.f1:.2f}" for c in model_cv.metrics.per_class))

    say("\ntrained on 2020, tested on 2017/2019")
    train_rows = [i for i, r in enumerate(records) if r.source.startswith(FILES["2020"])]
    test_rows = [i for i, r in enumerate(records) if r.source.startswith(FILES["2017/2019"])]
    train_docs, train_labels = [docs[i] for i in train_rows], [labels[i] for i in train_rows]
    test_docs, test_labels = [docs[i] for i in test_rows], [labels[i] for i in test_rows]
    base_transfer, _, _ = transfer("baseline", train_docs, train_labels, test_docs, test_labels, BASELINE)
    model_transfer, model, fit_seconds = transfer("model", train_docs, train_labels, test_docs, test_labels,
                                                  ModelConfig())  # fmt: skip

    latencies = []
    for doc in test_docs[:200]:
        t = time.perf_counter()
        model.probabilities([doc])
        latencies.append((time.perf_counter() - t) * 1000)
    model_bytes = len(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    say(f"model (trained on 2020) pickles to {model_bytes / 1e6:.1f} MB")
    say(f"\nscoring one tokenised text: median {statistics.median(latencies):.1f} ms "
        f"(tokenising adds about {1000 * tokenise_seconds / len(docs):.0f} ms per text on one Kiwi)")  # fmt: skip

    summary: dict[str, Any] = {
        "benchmark": "classify",
        "n": len(records),
        "folds": folds,
        "classes": len(counts),
        "macro_f1": round(model_cv.metrics.macro_f1, 4),
        "accuracy": round(model_cv.metrics.accuracy, 4),
        "top3_accuracy": round(model_cv.metrics.top3_accuracy, 4),
        "majority_accuracy": round(model_cv.metrics.majority_accuracy, 4),
        "baseline_macro_f1": round(base.metrics.macro_f1, 4),
        "baseline_accuracy": round(base.metrics.accuracy, 4),
        "by_source": sources,
        "transfer_2020_to_2017_2019": {
            "accuracy": round(model_transfer.accuracy, 4),
            "macro_f1": round(model_transfer.macro_f1, 4),
            "top3_accuracy": round(model_transfer.top3_accuracy, 4),
            "baseline_accuracy": round(base_transfer.accuracy, 4),
            "n_test": len(test_docs),
        },
        "target_macro_f1": TARGET_MACRO_F1,
        "seconds": {
            "tokenise": round(tokenise_seconds, 1),
            "cv_model": round(cv_seconds, 1),
            "cv_baseline": round(base_seconds, 1),
            "fit_2020": round(fit_seconds, 1),
        },
        "score_ms_median": round(statistics.median(latencies), 2),
        "model_bytes_2020": model_bytes,
        "machine": m.__dict__,
    }
    print(json.dumps(summary, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
