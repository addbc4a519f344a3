"""The classifier: two views of a text, a few linear models on each, their scores averaged.

Views (TF-IDF, sublinear tf, fitted on the training texts only):
- *morphemes*: Kiwi's kept morphemes (``analytics.text``) and their adjacent pairs (uni- and bigrams);
- *characters*: character 2-4-grams within words (``char_wb``), which catch what the morpheme analyser
  splits wrongly or drops (names, new words, spacing errors).

Members: a linear SVM and a logistic-loss SGD model on each view, ``class_weight="balanced"`` (small
classes count as much as large ones for macro-F1). Each member's decision scores are standardised per text
and averaged; a softmax with a temperature fitted on out-of-fold scores turns them into probabilities.

Measured (``bench/classify.py``, both petition files, 12,550 texts, 5-fold grouped CV, original labels):
macro-F1 0.543, accuracy 0.590, top-3 0.849, against 0.532 / 0.580 / 0.828 for one SVM on the morpheme
view in the same run; trained on 2020 and tested on 2017/2019: accuracy 0.581 (trained in 83 s on
2 cores, pickled 106 MB; re-measured 2026-11: the same figures). Tried and not kept (macro-F1
within ±0.01 of this or worse): a separate title view, title weighting, trigrams, min_df 1, binary tf,
C/alpha sweeps, class-weight exponents, complement NB, NB-SVM, ridge, kNN, LSA + LR, an MLP, dropping the
training texts with the lowest out-of-fold margin, and per-class score offsets tuned in nested CV. The
labels are chosen by petitioners and overlap (기타, 행정 and 미래 are the weakest classes; 미래's F1 is 0.03,
its texts spread over every other class).

A second round (same folds, members' out-of-fold scores cached; ensemble macro-F1 of each variant, against
0.5434 for this ensemble) found nothing outside noise (±0.005), so the ensemble is unchanged:
- semantic smoothing with Kiwi's CoNg embeddings (``most_similar_morphemes``: 25,913 morphemes with
  df ≥ 2 looked up in 62 s, 3,310 not found): each morpheme expanded to its 10 nearest (cosine ≥ 0.5,
  weighted by it) as an extra TF-IDF view: alone 0.515 (SVM) / 0.527 (SGD), added 0.5446 / 0.5448,
  replacing the morpheme members 0.543; the morpheme view with the expansion appended (×0.5): alone
  0.533 / 0.539, added 0.5445 / 0.5438;
- a stacked logistic regression over the four members' standardised scores: 0.538 (C 0.01) to 0.529
  (C 1), 0.49-0.50 with balanced class weights; member weights on a 0.5-1.5 grid: 0.540-0.544; averaging
  temperature-calibrated probabilities or log-probabilities 0.5432, ranks 0.540; dividing by class
  priors: worse (0.540 to 0.488); per-class offsets tuned for macro-F1 in nested CV again 0.5426;
- other members, added or replacing one: multinomial logistic regression on morphemes (C 3/10: alone
  0.535/0.532, best ensemble 0.5449, 8 minutes per CV), char n-grams of the morpheme strings (0.5441),
  skip-bigrams (0.542), character 1-3-grams across word boundaries (0.5443), the first 30 morphemes as
  separate terms (0.5435); sample weights of 1/duplicate-group size (0.5433: only 128 texts are in groups).
The learning curve (morpheme SGD on 25/50/75/100 % of each training fold: 0.451, 0.503, 0.522, 0.534)
still rises by about 0.03 per doubling: 0.58 looks to need about twice the labelled petitions (or a
pretrained encoder), not another linear view of the same texts.

Texts are tokenised *outside* the model: a ``Doc`` carries the text and its tokens, so cross-validation
tokenises once, and the fitted model pickles without the Kiwi object (the analysers below are module-level
functions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

Scores = NDArray[np.float64]


class Doc(NamedTuple):
    text: str  # title and body (``data.join_text``)
    tokens: tuple[str, ...]  # ``KoreanTokenizer.tokens(text)``


def morphemes(doc: Doc) -> list[str]:
    """The morpheme view's terms: the tokens and each adjacent pair."""
    tokens = doc.tokens
    return [*tokens, *(f"{a} {b}" for a, b in pairwise(tokens))]


def characters(doc: Doc) -> str:
    """The character view's input: the text in lower case (Latin letters)."""
    return doc.text.lower()


@dataclass(frozen=True)
class ModelConfig:
    """Tuned by 5-fold grouped cross-validation on the 청와대 petitions (``bench/classify.py``)."""

    members: tuple[tuple[str, str], ...] = (("morphemes", "svm"), ("morphemes", "sgd"), ("characters", "svm"),
                                            ("characters", "sgd"))  # fmt: skip
    svm_c: float = 0.5
    sgd_alpha: float = 2e-5
    sgd_epochs: int = 20
    min_df: int = 2
    char_ngrams: tuple[int, int] = (2, 4)
    char_min_df: int = 3
    char_max_features: int = 400_000
    seed: int = 0


def _vectorizer(view: str, config: ModelConfig) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer  # deferred: heavy (scikit-learn)

    if view == "morphemes":
        return TfidfVectorizer(analyzer=morphemes, sublinear_tf=True, min_df=config.min_df, dtype=np.float32)
    if view == "characters":
        return TfidfVectorizer(
            analyzer="char_wb", preprocessor=characters, ngram_range=config.char_ngrams, sublinear_tf=True,
            min_df=config.char_min_df, max_features=config.char_max_features, dtype=np.float32,
        )  # fmt: skip
    raise ValueError(f"unknown view {view!r} (expected morphemes or characters)")


def _estimator(kind: str, config: ModelConfig) -> Any:
    from sklearn.linear_model import SGDClassifier  # deferred: heavy (scikit-learn)
    from sklearn.svm import LinearSVC  # deferred: heavy (scikit-learn)

    if kind == "svm":
        return LinearSVC(C=config.svm_c, class_weight="balanced")
    if kind == "sgd":
        return SGDClassifier(loss="log_loss", alpha=config.sgd_alpha, class_weight="balanced",
                             max_iter=config.sgd_epochs, tol=None, random_state=config.seed)  # fmt: skip
    raise ValueError(f"unknown model {kind!r} (expected svm or sgd)")


def _standardise(scores: Scores) -> Scores:
    centred = scores - scores.mean(axis=1, keepdims=True)
    spread = centred.std(axis=1, keepdims=True)
    return np.asarray(centred / np.where(spread > 0, spread, 1.0), dtype=np.float64)


class TextModel:
    """A fitted ensemble: ``scores`` per class, ``rank`` of class names, ``probabilities`` (softmax)."""

    def __init__(self, config: ModelConfig, vectorizers: dict[str, Any], members: list[tuple[str, Any]],
                 classes: list[str]) -> None:  # fmt: skip
        self.config = config
        self.vectorizers = vectorizers
        self.members = members
        self.classes = classes
        self.temperature = 1.0  # set by ``calibrate`` from out-of-fold scores

    def scores(self, docs: Sequence[Doc]) -> Scores:
        """Averaged standardised decision scores, one column per class in ``self.classes``."""
        views = {name: v.transform(docs) for name, v in self.vectorizers.items()}
        total = np.zeros((len(docs), len(self.classes)))
        for view, estimator in self.members:
            raw = estimator.decision_function(views[view])
            if raw.ndim == 1:  # two classes: sklearn gives the second class's margin only
                raw = np.column_stack([-raw, raw])
            total += _standardise(np.asarray(raw, dtype=np.float64))
        return total / len(self.members)

    def probabilities(self, docs: Sequence[Doc]) -> Scores:
        return softmax(self.scores(docs), self.temperature)

    def rank(self, docs: Sequence[Doc]) -> list[list[str]]:
        order = np.argsort(-self.scores(docs), axis=1, kind="stable")
        return [[self.classes[j] for j in row] for row in order]

    def calibrate(self, scores: Scores, true: Sequence[str]) -> float:
        """Fit the softmax temperature to out-of-fold ``scores`` (columns: ``self.classes``) of texts whose
        training labels are ``true``; returns it."""
        index = {c: i for i, c in enumerate(self.classes)}
        rows = [i for i, t in enumerate(true) if t in index]
        if rows:
            self.temperature = fit_temperature(scores[rows], np.array([index[true[i]] for i in rows]))
        return self.temperature


def fit(docs: Sequence[Doc], labels: Sequence[str], config: ModelConfig | None = None) -> TextModel:
    """Fit the views and the members on ``docs``; at least two distinct labels are needed."""
    config = config or ModelConfig()
    classes = sorted(set(labels))
    if len(classes) < 2:
        raise ValueError(f"cannot train on one class only ({classes})")
    y = np.asarray(labels)
    vectorizers: dict[str, Any] = {}
    matrices: dict[str, Any] = {}
    for view in dict.fromkeys(view for view, _ in config.members):
        vectorizers[view] = _vectorizer(view, config)
        matrices[view] = vectorizers[view].fit_transform(docs)
    members = []
    for view, kind in config.members:
        estimator = _estimator(kind, config).fit(matrices[view], y)
        assert list(estimator.classes_) == classes
        estimator.coef_ = estimator.coef_.astype(np.float32)  # halves the saved model; scores are unchanged
        members.append((view, estimator))
    return TextModel(config, vectorizers, members, classes)


def softmax(scores: Scores, temperature: float) -> Scores:
    z = scores * temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)


def fit_temperature(scores: Scores, true: NDArray[np.int_]) -> float:
    """The temperature minimising the log-loss of ``softmax(scores)`` (golden-section search on a log scale)."""

    def loss(log_t: float) -> float:
        p = softmax(scores, float(np.exp(log_t)))[np.arange(len(true)), true]
        return float(-np.mean(np.log(np.clip(p, 1e-12, None))))

    lo, hi = np.log(0.05), np.log(50.0)
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if loss(a) < loss(b):
            hi = b
        else:
            lo = a
    return float(np.exp((lo + hi) / 2))
