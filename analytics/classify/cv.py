"""Honest cross-validation of a text classifier.

- Folds are stratified by label and grouped (``StratifiedGroupKFold``): texts in one duplicate group
  (``data.duplicate_groups``) always fall in the same fold, so a reposted text is never scored by a model
  that was trained on its copy.
- A class with fewer members than folds cannot be in every fold: it is merged into ``기타`` (OTHER) for
  training, listed in the report, and scored against its *original* label — predicting ``기타`` for it
  counts as an error.
- Reported: accuracy, macro-F1 over the original classes, top-3 accuracy, per-class precision, recall, F1
  and support, the confusion matrix, and the majority-class accuracy as a baseline.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

#: The class that classes too small for the folds are merged into (the 청와대 petitions have one already).
OTHER = "기타"


class CrossValidationError(Exception):
    """The data cannot be cross-validated (too few texts, groups or classes); the message says why."""


@dataclass(frozen=True)
class Merge:
    train_labels: list[str]  # the labels a model is trained on: small classes replaced by OTHER
    merged: dict[str, int]  # each merged class and its number of members


def merge_small_classes(labels: Sequence[str], folds: int) -> Merge:
    """Merge classes with fewer than ``folds`` members into OTHER (the merge only looks at label counts)."""
    counts = Counter(labels)
    merged = {label: n for label, n in sorted(counts.items()) if n < folds and label != OTHER}
    return Merge([OTHER if label in merged else label for label in labels], merged)


def assign_folds(labels: Sequence[str], groups: Sequence[int], folds: int, seed: int = 0) -> NDArray[np.int_]:
    """The test fold of every text: stratified by ``labels``, whole ``groups`` per fold."""
    from sklearn.model_selection import StratifiedGroupKFold  # deferred: heavy (scikit-learn)

    if folds < 2:
        raise CrossValidationError(f"--folds must be at least 2 (got {folds})")
    distinct = len(set(groups))
    if distinct < folds:
        raise CrossValidationError(f"{distinct} distinct texts cannot fill {folds} folds: add data or use fewer folds")
    if len(set(labels)) < 2:
        raise CrossValidationError(f"only one class ({labels[0]!r}) after merging small classes: nothing to learn")
    assignment = np.full(len(labels), -1, dtype=np.int_)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        # "least populated class has only n members": expected when even OTHER is smaller than the folds
        warnings.simplefilter("ignore", UserWarning)
        for fold, (_, test) in enumerate(splitter.split(np.zeros(len(labels)), np.asarray(labels), np.asarray(groups))):
            assignment[test] = fold
    return assignment


@dataclass(frozen=True)
class ClassReport:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Metrics:
    n: int
    folds: int
    accuracy: float
    macro_f1: float
    top3_accuracy: float
    majority_accuracy: float  # always predicting the most frequent class: the baseline to beat
    classes: list[str]  # the original classes, scored
    per_class: list[ClassReport] = field(default_factory=list)
    confusion_labels: list[str] = field(default_factory=list)  # rows: true; columns: predicted (may add OTHER)
    confusion: list[list[int]] = field(default_factory=list)
    merged: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def score(true: Sequence[str], ranked: Sequence[Sequence[str]], folds: int, merged: dict[str, int]) -> Metrics:
    """Metrics of ranked predictions (best first) against the original labels ``true``."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support  # deferred: heavy (scikit-learn)

    if not true:
        raise CrossValidationError("nothing to score")
    predicted = [r[0] for r in ranked]
    classes = sorted(set(true))
    precision, recall, f1, support = precision_recall_fscore_support(
        true, predicted, labels=classes, average=None, zero_division=0
    )
    columns = classes + sorted(set(predicted) - set(classes))
    matrix = confusion_matrix(true, predicted, labels=columns)[: len(classes)]
    majority = Counter(true).most_common(1)[0][1] / len(true)
    return Metrics(
        n=len(true),
        folds=folds,
        accuracy=float(np.mean([p == t for p, t in zip(predicted, true, strict=True)])),
        macro_f1=float(np.mean(f1)),
        top3_accuracy=float(np.mean([t in r[:3] for t, r in zip(true, ranked, strict=True)])),
        majority_accuracy=majority,
        classes=classes,
        per_class=[
            ClassReport(c, float(p), float(r), float(f), int(s))
            for c, p, r, f, s in zip(classes, precision, recall, f1, support, strict=True)
        ],
        confusion_labels=columns,
        confusion=[[int(v) for v in row] for row in matrix],
        merged=dict(merged),
    )


class Scorer(Protocol):
    """What cross-validation needs of a trained model: its classes and a score per class for each text."""

    classes: list[str]

    def scores(self, docs: Sequence[Any], /) -> NDArray[np.float64]: ...


@dataclass
class CvResult:
    metrics: Metrics
    fold: NDArray[np.int_]  # the test fold of every text
    ranked: list[list[str]]  # out-of-fold ranked predictions, per text (training classes)
    classes: list[str]  # the training classes (after merging): the columns of ``scores``
    scores: NDArray[np.float64]  # out-of-fold scores; -inf for a class the fold's model never saw
    train_labels: list[str]  # the labels after merging


def cross_validate(
    docs: Sequence[Any],
    labels: Sequence[str],
    groups: Sequence[int],
    folds: int,
    fit: Callable[[list[Any], list[str]], Scorer],
    *,
    seed: int = 0,
    on_fold: Callable[[int], None] | None = None,
) -> CvResult:
    """Out-of-fold predictions for every text by ``fit`` (trained on merged labels), scored on the originals."""
    merge = merge_small_classes(labels, folds)
    fold = assign_folds(merge.train_labels, groups, folds, seed)
    classes = sorted(set(merge.train_labels))
    scores = np.full((len(labels), len(classes)), -np.inf)
    for k in range(folds):
        train = [int(i) for i in np.flatnonzero(fold != k)]
        test = [int(i) for i in np.flatnonzero(fold == k)]
        model = fit([docs[i] for i in train], [merge.train_labels[i] for i in train])
        columns = np.array([classes.index(c) for c in model.classes], dtype=np.intp)
        scores[np.ix_(np.array(test, dtype=np.intp), columns)] = model.scores([docs[i] for i in test])
        if on_fold is not None:
            on_fold(k)
    order = np.argsort(-scores, axis=1, kind="stable")
    ranked = [[classes[j] for j in row] for row in order]
    return CvResult(score(labels, ranked, folds, merge.merged), fold, ranked, classes, scores, merge.train_labels)
