"""``sori analytics train``: load labelled files, tokenise once, cross-validate, train on everything, save.

stdout carries the readable report and, as its last line, one JSON object (accuracy, macro_f1,
top3_accuracy, folds, classes, merged, n, fingerprint, model path; with ``--test-data`` also test_accuracy,
test_macro_f1, test_top3_accuracy, test_n). stderr carries progress bars and the rows that were skipped.
Exit status: 0 when a model was saved, 2 when the data cannot be used (the message says why).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from tqdm import tqdm

from analytics.classify import cv, store
from analytics.classify.data import DataError, Dataset, Record, RowProblem, duplicate_groups, load
from analytics.classify.model import Doc, ModelConfig, TextModel, fit
from analytics.text import KoreanTokenizer

#: Skipped rows listed one by one on stderr; past this many, only counted.
MAX_LISTED_PROBLEMS = 50


def train(data: list[Path], label: str, name: str, folds: int, test_data: list[Path], model_dir: Path) -> int:
    try:
        return _train(data, label, name, folds, test_data, model_dir, ModelConfig())
    except (DataError, cv.CrossValidationError, ValueError) as exc:
        print(f"sori analytics train: {exc}", file=sys.stderr)
        return 2


def _train(data: list[Path], label: str, name: str, folds: int, test_data: list[Path], model_dir: Path,
           config: ModelConfig) -> int:  # fmt: skip
    started = time.perf_counter()
    dataset = _load(data, label, "training")
    records = dataset.records
    tokenizer = batch_tokenizer()
    docs = tokenise(records, "tokenising", tokenizer)
    groups = duplicate_groups(records)
    labels = [r.label for r in records]

    cv_started = time.perf_counter()
    with _bar(folds, "cross-validating", "fold") as bar:
        result = cv.cross_validate(docs, labels, groups, folds, lambda d, y: fit(d, y, config),
                                   on_fold=lambda _: bar.update())  # fmt: skip
    cv_seconds = time.perf_counter() - cv_started

    fit_started = time.perf_counter()
    model = fit(docs, result.train_labels, config)
    model.calibrate(result.scores[:, [result.classes.index(c) for c in model.classes]], result.train_labels)
    fit_seconds = time.perf_counter() - fit_started

    test = _evaluate(model, test_data, label, tokenizer) if test_data else None
    meta = store.ModelMeta(
        name=name, label=label, classes=model.classes, merged=result.metrics.merged, n=len(records),
        fingerprint=store.fingerprint(records), versions=store.library_versions(), created=store.now_iso(),
        sources=[str(p) for p in data], temperature=model.temperature,
    )  # fmt: skip
    metrics = result.metrics.to_dict() | {"test": test.to_dict() if test else None, "skipped": len(dataset.problems)}
    target = store.save(model_dir, model, meta, metrics)

    out = sys.stdout
    print_report(out, result.metrics, len(set(groups)), dataset.problems, test)
    seconds = time.perf_counter() - started
    print(f"\ntime: {seconds:.0f} s (cross-validation {cv_seconds:.0f} s, final model {fit_seconds:.0f} s)", file=out)
    print(f"model: {target}", file=out)
    summary: dict[str, Any] = {
        "accuracy": round(result.metrics.accuracy, 4),
        "macro_f1": round(result.metrics.macro_f1, 4),
        "top3_accuracy": round(result.metrics.top3_accuracy, 4),
        "majority_accuracy": round(result.metrics.majority_accuracy, 4),
        "folds": folds,
        "classes": len(result.metrics.classes),
        "merged": result.metrics.merged,
        "n": len(records),
        "groups": len(set(groups)),
        "skipped": len(dataset.problems),
        "fingerprint": meta.fingerprint,
        "model": str(target),
        "seconds": round(seconds, 1),
    }
    if test is not None:
        summary |= {"test_accuracy": round(test.accuracy, 4), "test_macro_f1": round(test.macro_f1, 4),
                    "test_top3_accuracy": round(test.top3_accuracy, 4), "test_n": test.n}  # fmt: skip
    print(json.dumps(summary, ensure_ascii=False), file=out)
    return 0


def _load(paths: Sequence[Path], label: str, what: str) -> Dataset:
    dataset = load(paths, label)
    report_problems(dataset.problems, sys.stderr)
    if not dataset.records:
        raise DataError(f"no usable {what} rows in {', '.join(map(str, paths))} (each needs {label!r} and a text)")
    return dataset


def report_problems(problems: Sequence[RowProblem], stream: TextIO) -> None:
    for problem in problems[:MAX_LISTED_PROBLEMS]:
        print(f"skipped {problem}", file=stream)
    if len(problems) > MAX_LISTED_PROBLEMS:
        print(f"skipped {len(problems) - MAX_LISTED_PROBLEMS} more rows", file=stream)


def batch_tokenizer() -> KoreanTokenizer:
    """A Kiwi for batches, on up to 4 threads (this process's shared one is single-threaded)."""

    return KoreanTokenizer(num_workers=min(4, os.cpu_count() or 1))


def tokenise(records: Sequence[Record], what: str, tokenizer: KoreanTokenizer | None = None) -> list[Doc]:
    """Docs of ``records``, with a progress bar on stderr."""
    tokenizer = tokenizer or batch_tokenizer()
    texts = [r.text for r in records]
    with _bar(len(texts), what, "text") as bar:
        docs = []
        for text, tokens in zip(texts, tokenizer.tokens_many(texts), strict=True):
            docs.append(Doc(text, tuple(tokens)))
            bar.update()
    return docs


def _evaluate(model: TextModel, paths: Sequence[Path], label: str, tokenizer: KoreanTokenizer) -> cv.Metrics:
    """The trained model on other files: every row counts, scored against its own label."""
    records = _load(paths, label, "test").records
    ranked = model.rank(tokenise(records, "tokenising test data", tokenizer))
    return cv.score([r.label for r in records], ranked, folds=0, merged={})


def print_report(out: TextIO, metrics: cv.Metrics, groups: int, problems: Sequence[RowProblem],
                 test: cv.Metrics | None) -> None:  # fmt: skip
    print(f"{metrics.n} texts ({groups} groups of duplicates kept in one fold), {len(metrics.classes)} classes, "
          f"{len(problems)} rows skipped", file=out)  # fmt: skip
    if metrics.merged:
        listed = ", ".join(f"{c} ({n})" for c, n in metrics.merged.items())
        print(f"merged into {cv.OTHER} for training (fewer members than folds; scored as errors): {listed}", file=out)
    print(
        f"\n{metrics.folds}-fold cross-validation, duplicates kept in one fold, scored on the original labels", file=out
    )
    width = max(len(c) for c in metrics.classes) + 2
    print(f"{'class':<{width}} precision  recall      f1  support", file=out)
    for r in metrics.per_class:
        print(f"{r.label:<{width}} {r.precision:9.3f} {r.recall:7.3f} {r.f1:7.3f} {r.support:8d}", file=out)
    print(f"\naccuracy {metrics.accuracy:.4f}  macro-F1 {metrics.macro_f1:.4f}  top-3 accuracy "
          f"{metrics.top3_accuracy:.4f}  (majority class: {metrics.majority_accuracy:.4f})", file=out)  # fmt: skip
    print("\nconfusion matrix (rows: true class; columns: predicted, numbered as the rows)", file=out)
    print(" " * (width + 5) + " ".join(f"{j:4d}" for j in range(len(metrics.confusion_labels))), file=out)
    for i, (c, row) in enumerate(zip(metrics.classes, metrics.confusion, strict=True)):
        print(f"{i:>3} {c:<{width}} " + " ".join(f"{v:4d}" for v in row), file=out)
    extra = metrics.confusion_labels[len(metrics.classes) :]
    if extra:
        listed = ", ".join(f"{len(metrics.classes) + j} = {c}" for j, c in enumerate(extra))
        print(f"    predicted classes that are not true classes: {listed}", file=out)
    if test is not None:
        print(f"\ntest data ({test.n} texts, trained model): accuracy {test.accuracy:.4f}  macro-F1 "
              f"{test.macro_f1:.4f}  top-3 accuracy {test.top3_accuracy:.4f}", file=out)  # fmt: skip


class _bar:
    """A tqdm progress bar on stderr (a context manager with ``update``)."""

    def __init__(self, total: int, what: str, unit: str) -> None:
        self._bar = tqdm(total=total, desc=what, unit=unit, file=sys.stderr, leave=False,
                         mininterval=1.0, disable=total < 2)  # fmt: skip

    def __enter__(self) -> _bar:
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.close()

    def update(self) -> None:
        self._bar.update(1)
