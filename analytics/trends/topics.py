"""Topic clusters of a period: NMF over TF-IDF of the documents' morphemes, each topic with its top
keywords and representative (masked) titles.

NMF rather than LDA: on short complaints it gives more readable topics and is deterministic with a seed.
Documents are assigned to their strongest topic; a topic's size is how many documents it got.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analytics.documents import Document


@dataclass(frozen=True)
class Topic:
    keywords: tuple[str, ...]
    size: int
    examples: tuple[str, ...]  # masked titles of the documents most typical of the topic


def topics(docs: Sequence[Document], k: int = 8, keywords: int = 8, examples: int = 3, seed: int = 0) -> list[Topic]:
    """Up to ``k`` topics of ``docs`` (fewer when there are few documents), largest first."""
    usable = [d for d in docs if d.tokens]
    if len(usable) < 4:
        return []
    from sklearn.decomposition import NMF  # deferred: heavy (scikit-learn)
    from sklearn.feature_extraction.text import TfidfVectorizer  # deferred: heavy (scikit-learn)

    vectorizer = TfidfVectorizer(analyzer=_identity, min_df=2, max_df=0.5, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([list(d.tokens) for d in usable])
    except ValueError:  # every word too rare or too common
        return []
    n_topics = max(1, min(k, matrix.shape[0] // 3, matrix.shape[1] - 1))
    model = NMF(n_components=n_topics, init="nndsvd", random_state=seed, max_iter=400)
    weights = model.fit_transform(matrix)
    vocabulary = vectorizer.get_feature_names_out()
    strongest = weights.argmax(axis=1)
    out = []
    for t in range(n_topics):
        members = [i for i in range(len(usable)) if strongest[i] == t and weights[i, t] > 0]
        if not members:
            continue
        top_words = tuple(str(vocabulary[i]) for i in model.components_[t].argsort()[::-1][:keywords])
        typical = sorted(members, key=lambda i: -weights[i, t])[:examples]
        out.append(Topic(top_words, len(members), tuple(usable[i].title for i in typical)))
    out.sort(key=lambda topic: -topic.size)
    return out


def _identity(tokens: list[str]) -> list[str]:
    return tokens
