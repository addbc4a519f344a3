"""The search index port: what trends, reports, the analyst dashboard and the console need of an index.

Queries arrive as tokens (the caller tokenises with ``analytics.text``), so adapters never load Kiwi and
the same morphemes are indexed and searched. Every method takes ``Filters`` (period and facet values).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from analytics.documents import Document, Filters, Interval, SearchResult


class SearchIndex(Protocol):
    def upsert(self, docs: Iterable[Document]) -> int:
        """Add or replace documents by ``doc_id``; returns how many were written."""
        ...

    def get(self, doc_id: str) -> Document | None: ...

    def delete(self, doc_ids: Iterable[str]) -> int: ...

    def erase(self, doc_ids: Iterable[str]) -> int:
        """Delete documents for good (the retention purge): gone from answers and, once this returns, from
        the index's storage too (no deleted text left in full-text segments, free pages or a write-ahead
        log); returns how many existed."""
        ...

    def search(self, tokens: Sequence[str], filters: Filters, limit: int = 20, offset: int = 0) -> SearchResult:
        """Documents containing every token, best first (BM25); ``total`` counts all matches."""
        ...

    def count(self, filters: Filters) -> int: ...

    def histogram(self, filters: Filters, interval: Interval) -> list[tuple[dt.date, int]]:
        """Documents per bucket (day, Monday-started week, month) in order; empty buckets omitted."""
        ...

    def terms(self, facet: str, filters: Filters, size: int = 20) -> list[tuple[str, int]]:
        """The most frequent values of a facet with their document counts (ties by value)."""
        ...

    def token_doc_freq(self, filters: Filters) -> tuple[int, Counter[str]]:
        """How many documents match, and in how many of them each token appears (surge keywords)."""
        ...

    def documents(self, filters: Filters) -> Iterator[Document]:
        """Every matching document, oldest first (topics, reports, re-indexing)."""
        ...

    def close(self) -> None: ...


def contact_doc_id(interaction_id: int) -> str:
    """The id of a phone contact's document (one per interaction of the case store)."""
    return f"call:{interaction_id}"
