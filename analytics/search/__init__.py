"""Search over documents: the ``SearchIndex`` port and its adapters, SQLite FTS5 (embedded, the default)
and Elasticsearch (at scale). Both pass the same contract tests."""

from analytics.search.port import SearchIndex

__all__ = ["SearchIndex"]
