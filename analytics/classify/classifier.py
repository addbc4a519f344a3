"""``Classifier``: a trained model put to use — the likely categories of a new complaint or call, each with
its responsible agency (``routing``), and the one category to store as the case's suggested category.

The text is tokenised with this process's shared Kiwi (``analytics.text.shared_tokenizer``), loaded on the
first suggestion; pass ``tokenize`` to use another.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from analytics.classify.data import join_text
from analytics.classify.model import Doc, TextModel
from analytics.classify.routing import Agency, agency_for
from analytics.classify.store import ModelMeta, load
from analytics.text import shared_tokenizer

Tokenize = Callable[[str], list[str]]
#: (masked text, its tokens) of each item → (category, agency) or (None, None)
BatchSuggest = Callable[[Sequence[tuple[str, Sequence[str]]]], list[tuple[str | None, str | None]]]


@dataclass(frozen=True)
class Suggestion:
    category: str
    score: float  # probability, 0..1
    agency: Agency


def _shared_tokens(text: str) -> list[str]:

    return shared_tokenizer().tokens(text)


class Classifier:
    def __init__(self, model: TextModel, meta: ModelMeta | None = None, tokenize: Tokenize | None = None) -> None:
        self.model = model
        self.meta = meta
        self._tokenize = tokenize or _shared_tokens

    @classmethod
    def load(cls, model_dir: Path, name: str, tokenize: Tokenize | None = None) -> Classifier:
        """The model saved as ``name`` (``store.load``: raises ``ModelNotFound`` or ``ModelMismatch``)."""
        model, meta = load(model_dir, name)
        return cls(model, meta, tokenize)

    @property
    def classes(self) -> list[str]:
        return list(self.model.classes)

    def suggest(self, text: str, k: int = 3, *, title: str = "") -> list[tuple[str, float]]:
        """The ``k`` likeliest categories of ``text`` (a complaint's body, a call's notes or transcript, with
        its ``title`` if it has one), best first, with probabilities; empty for an empty text."""
        return self.suggest_many([join_text(title, text)], k)[0]

    def suggest_many(self, texts: Sequence[str], k: int = 3) -> list[list[tuple[str, float]]]:
        return self.suggest_tokenised([(t, None) for t in texts], k)

    def suggest_tokenised(self, items: Sequence[tuple[str, Sequence[str] | None]],
                          k: int = 3) -> list[list[tuple[str, float]]]:  # fmt: skip
        """``suggest_many`` for texts whose tokens (``analytics.text``'s, of the same text) are known: ingest
        tokenises each text once, for the index and the model."""
        out: list[list[tuple[str, float]]] = [[] for _ in items]
        docs = [(i, Doc(t.strip(), tuple(tokens) if tokens is not None else tuple(self._tokenize(t.strip()))))
                for i, (t, tokens) in enumerate(items) if t.strip()]  # fmt: skip
        if not docs:
            return out
        probabilities = self.model.probabilities([d for _, d in docs])
        for (i, _), row in zip(docs, probabilities, strict=True):
            best = row.argsort()[::-1][:k]
            out[i] = [(self.model.classes[j], float(row[j])) for j in best]
        return out

    def route(self, text: str, k: int = 3, *, title: str = "") -> list[Suggestion]:
        """``suggest`` with the responsible agency and center of each category."""
        return [Suggestion(c, s, agency_for(c)) for c, s in self.suggest(text, k, title=title)]

    def suggester(self, min_score: float = 0.0) -> Callable[[str], tuple[str | None, str | None]]:
        """A function from a (masked) text to its suggested category and that category's agency, or
        (None, None) when the text is empty or the model is less sure than ``min_score``: what ingest and
        the post-call transcriber store."""

        def suggest(text: str) -> tuple[str | None, str | None]:
            return _with_agency(_chosen(self.suggest(text, 1), min_score))

        return suggest

    def batch_suggester(self, min_score: float = 0.0) -> BatchSuggest:
        """``suggester`` for a batch of (masked text, its tokens): what the ingest pipeline calls."""

        def suggest(items: Sequence[tuple[str, Sequence[str]]]) -> list[tuple[str | None, str | None]]:
            return [_with_agency(_chosen(best, min_score)) for best in self.suggest_tokenised(items, 1)]

        return suggest

    def suggested_category(self, text: str, *, title: str = "", min_score: float = 0.0) -> str | None:
        """The category to store as a case's ``suggested_category``: the likeliest one, or None when the text
        is empty or the model is less sure than ``min_score``."""
        return _chosen(self.suggest(text, 1, title=title), min_score)


def _chosen(best: list[tuple[str, float]], min_score: float) -> str | None:
    """The likeliest category of a ``suggest`` answer, or None when there is none or it is below ``min_score``."""
    return best[0][0] if best and best[0][1] >= min_score else None


def _with_agency(category: str | None) -> tuple[str | None, str | None]:
    return (category, agency_for(category).name) if category is not None else (None, None)
