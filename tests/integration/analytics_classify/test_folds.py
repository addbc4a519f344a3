"""Honest folds and scoring: duplicates of the real petitions never cross folds, and a class too small for
the folds is merged into 기타 for training, reported, and scored as an error."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest
from numpy.typing import NDArray

from analytics.classify import cv
from analytics.classify.data import duplicate_groups, load
from tests.integration.analytics_classify.conftest import PETITIONS_2017_2019, PETITIONS_2020
from tests.support.shared import shared_dir

pytestmark = pytest.mark.integration


def test_duplicates_of_the_real_petitions_never_cross_folds() -> None:
    directory = shared_dir() / "data"
    records = load([directory / PETITIONS_2020, directory / PETITIONS_2017_2019], "category").records
    assert len(records) == 8859 + 3691
    own = len(records) - len(set(duplicate_groups(records)))
    assert own >= 60  # the files repeat titles and whole petitions
    # reposts made here: the same petition with other spacing and case, and one with only its body copied
    copies = [replace(r, id=f"copy-{r.id}", title=f"  {r.title.upper()} ", body=r.body.replace(" ", "  "))
              for r in records[:40]]  # fmt: skip
    copies += [
        replace(r, id=f"body-{r.id}", title="다른 제목입니다 다시 올립니다")
        for r in records[100:140]
        if len(r.body) > 60
    ]
    originals = {c.id.split("-", 1)[1]: c.id for c in copies}
    records += copies
    groups = duplicate_groups(records)
    fold = cv.assign_folds([r.label for r in records], groups, 5, seed=0)

    index = {r.id: i for i, r in enumerate(records)}
    assert all(groups[index[o]] == groups[index[c]] for o, c in originals.items())
    members: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(groups):
        members[g].append(i)
    shared = [m for m in members.values() if len(m) > 1]
    for m in shared:
        assert len({int(fold[i]) for i in m}) == 1, [records[i].source for i in m]
    assert sorted(set(fold.tolist())) == [0, 1, 2, 3, 4]
    sizes = np.bincount(fold)
    assert sizes.min() > 0.18 * len(records)  # and still five folds of about the same size


class _Oracle:
    """Knows the class named in each text, but can only answer with a class it was trained on (else 기타)."""

    def __init__(self, labels: Sequence[str]) -> None:
        self.classes = sorted(set(labels))

    def scores(self, docs: Sequence[str], /) -> NDArray[np.float64]:
        out = np.zeros((len(docs), len(self.classes)))
        for i, doc in enumerate(docs):
            named = doc.split(":")[0]
            out[i, self.classes.index(named if named in self.classes else cv.OTHER)] = 1.0
        return out


def _data(counts: dict[str, int]) -> tuple[list[str], list[str], list[int]]:
    labels = [label for label, n in counts.items() for _ in range(n)]
    docs = [f"{label}:{i}" for i, label in enumerate(labels)]
    return docs, labels, list(range(len(labels)))


def test_a_tiny_class_is_merged_reported_and_scored_as_an_error() -> None:
    docs, labels, groups = _data({"행정": 30, "보건복지": 30, "기타": 20, "미래": 3})
    result = cv.cross_validate(docs, labels, groups, 5, lambda d, y: _Oracle(y))
    metrics = result.metrics
    assert metrics.merged == {"미래": 3}
    assert result.classes == ["기타", "보건복지", "행정"]  # trained on
    assert metrics.classes == ["기타", "미래", "보건복지", "행정"]  # scored on
    assert metrics.accuracy == pytest.approx(80 / 83)
    future = next(c for c in metrics.per_class if c.label == "미래")
    assert (future.recall, future.support) == (0.0, 3)
    other = next(c for c in metrics.per_class if c.label == "기타")
    assert other.recall == 1.0 and other.precision == pytest.approx(20 / 23)
    row = metrics.confusion[metrics.classes.index("미래")]
    assert row[metrics.confusion_labels.index("기타")] == 3
    assert metrics.macro_f1 < 0.8 and metrics.top3_accuracy == pytest.approx(80 / 83)


def test_without_a_기타_class_the_merged_class_is_an_extra_prediction_never_a_right_answer() -> None:
    docs, labels, groups = _data({"행정": 25, "보건복지": 25, "반려동물": 2, "미래": 1})
    metrics = cv.cross_validate(docs, labels, groups, 5, lambda d, y: _Oracle(y)).metrics
    assert metrics.merged == {"미래": 1, "반려동물": 2}
    assert "기타" not in metrics.classes and metrics.confusion_labels[-1] == "기타"
    assert metrics.accuracy == pytest.approx(50 / 53)
    assert metrics.macro_f1 == pytest.approx(0.5)  # two classes perfect, two never right


def test_data_that_cannot_fill_the_folds_is_refused_with_a_reason() -> None:
    docs, labels, _ = _data({"행정": 3, "보건복지": 3})
    with pytest.raises(cv.CrossValidationError, match="2 distinct texts cannot fill 5 folds"):
        cv.cross_validate(docs, labels, [0, 0, 0, 1, 1, 1], 5, lambda d, y: _Oracle(y))
    with pytest.raises(cv.CrossValidationError, match="only one class"):
        cv.cross_validate(docs, ["행정"] * 6, list(range(6)), 5, lambda d, y: _Oracle(y))
    with pytest.raises(cv.CrossValidationError, match="at least 2"):
        cv.cross_validate(docs, labels, list(range(6)), 1, lambda d, y: _Oracle(y))
