"""Okapi BM25 over weighted fields (BM25F in its simple form), on a scipy sparse matrix.

Each document is a bag of terms with counts already weighted by field (a title term counts more than a
term of the 지원내용); its length is the sum of the counts. The matrix holds, per document and term, the
finished BM25 contribution ``idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen))``, so a query
is a weighted sum of a few of its columns. The search passes counts already normalised per field (BM25F)
and ``b=0``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import sparse

K1 = 1.2
B = 0.75


class Bm25:
    """A read-only BM25 index of ``len(docs)`` documents, numbered in the order given."""

    def __init__(self, docs: Sequence[Mapping[str, float]], *, k1: float = K1, b: float = B) -> None:
        self.size = len(docs)
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[float] = []
        lengths = np.zeros(self.size)
        for row, doc in enumerate(docs):
            for term, tf in doc.items():
                col = vocabulary.setdefault(term, len(vocabulary))
                rows.append(row)
                cols.append(col)
                tfs.append(tf)
            lengths[row] = sum(doc.values())
        self.vocabulary = vocabulary
        row_of = np.asarray(rows, dtype=np.int32)
        col_of = np.asarray(cols, dtype=np.int32)
        tf_of = np.asarray(tfs, dtype=np.float64)
        df = np.bincount(col_of, minlength=len(vocabulary)).astype(np.float64)
        self.df = df
        idf = np.log1p((self.size - df + 0.5) / (df + 0.5))
        average = float(lengths.mean()) if self.size else 1.0
        norm = k1 * (1 - b + b * lengths / (average or 1.0))
        weight = idf[col_of] * tf_of * (k1 + 1) / (tf_of + norm[row_of])
        matrix = sparse.csc_matrix((weight, (row_of, col_of)), shape=(self.size, len(vocabulary)))
        matrix.sort_indices()
        self._indptr = matrix.indptr
        self._rows = matrix.indices
        self._weights = matrix.data

    def document_frequency(self, term: str) -> int:
        col = self.vocabulary.get(term)
        return 0 if col is None else int(self.df[col])

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding ``term`` (ascending) and the term's BM25 contribution to each."""
        col = self.vocabulary.get(term)
        if col is None:
            return np.zeros(0, dtype=np.int32), np.zeros(0)
        start, end = self._indptr[col], self._indptr[col + 1]
        return self._rows[start:end], self._weights[start:end]

    def scores(self, query: Mapping[str, float]) -> np.ndarray:
        """Each document's score for the weighted query terms (0 where none occurs)."""
        total = np.zeros(self.size)
        for term in sorted(query):  # a fixed order of float additions: identical scores run to run
            rows, weights = self.postings(term)
            total[rows] += query[term] * weights
        return total
