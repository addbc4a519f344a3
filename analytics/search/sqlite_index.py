"""The embedded search index: one SQLite file with the documents and an FTS5 index over their morphemes.

No server: the default for ``sori up``. Tokens are stored space-joined and indexed by FTS5's
``unicode61`` tokenizer, which keeps each Hangul morpheme whole (it splits only on spaces and
punctuation), so a query of the same morphemes finds them; ranking is FTS5's BM25. Facets, histograms
and document frequencies are plain SQL over the documents table (indexed by day and facet).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from analytics.documents import (
    FACETS,
    OPTIONAL_FACETS,
    DocChannel,
    Document,
    Filters,
    Hit,
    Interval,
    SearchResult,
    bucket,
    snippet,
)
from crm.errors import ValidationFailed

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    rowid INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    received_at TEXT NOT NULL,
    day TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tokens TEXT NOT NULL,
    source TEXT NOT NULL,
    category TEXT, suggested_category TEXT, agency TEXT, center TEXT, region TEXT, age_band TEXT, sex TEXT
);
CREATE INDEX IF NOT EXISTS docs_day ON docs(day);
CREATE INDEX IF NOT EXISTS docs_channel_day ON docs(channel, day);
CREATE INDEX IF NOT EXISTS docs_category_day ON docs(category, day);
CREATE INDEX IF NOT EXISTS docs_center_day ON docs(center, day);
CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
    tokens, content='docs', content_rowid='rowid', tokenize='unicode61 remove_diacritics 0'
);
CREATE TRIGGER IF NOT EXISTS docs_ai AFTER INSERT ON docs BEGIN
    INSERT INTO docs_fts(rowid, tokens) VALUES (new.rowid, new.tokens);
END;
CREATE TRIGGER IF NOT EXISTS docs_ad AFTER DELETE ON docs BEGIN
    INSERT INTO docs_fts(docs_fts, rowid, tokens) VALUES ('delete', old.rowid, old.tokens);
END;
CREATE TRIGGER IF NOT EXISTS docs_au AFTER UPDATE ON docs BEGIN
    INSERT INTO docs_fts(docs_fts, rowid, tokens) VALUES ('delete', old.rowid, old.tokens);
    INSERT INTO docs_fts(rowid, tokens) VALUES (new.rowid, new.tokens);
END;
"""

_COLUMNS = ("doc_id", "channel", "received_at", "day", "title", "body", "tokens", "source", *OPTIONAL_FACETS)


class SqliteIndex:
    """``SearchIndex`` on SQLite FTS5. One connection, serialised by a lock (safe across threads)."""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- writing -------------------------------------------------------------------------------------
    def upsert(self, docs: Iterable[Document]) -> int:
        rows = [_row(doc) for doc in docs]
        if not rows:
            return 0
        placeholders = ", ".join("?" for _ in _COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:])
        sql = f"INSERT INTO docs ({', '.join(_COLUMNS)}) VALUES ({placeholders}) ON CONFLICT(doc_id) DO UPDATE SET {updates}"  # noqa: E501
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(sql, rows)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return len(rows)

    def delete(self, doc_ids: Iterable[str]) -> int:
        ids = [(d,) for d in doc_ids]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            deleted = self._db.executemany("DELETE FROM docs WHERE doc_id = ?", ids).rowcount  # not trigger rows
            self._db.execute("COMMIT")
            return max(0, deleted)

    # -- reading -------------------------------------------------------------------------------------
    def get(self, doc_id: str) -> Document | None:
        rows = self._query(f"SELECT {', '.join(_COLUMNS)} FROM docs WHERE doc_id = ?", [doc_id])
        return _document(rows[0]) if rows else None

    def search(self, tokens: Sequence[str], filters: Filters, limit: int = 20, offset: int = 0) -> SearchResult:
        wanted = [t for t in tokens if t.strip()]
        if not wanted:
            raise ValidationFailed("a search needs at least one word")
        if not 1 <= limit <= 1000 or offset < 0:
            raise ValidationFailed("limit is 1-1000 and offset not negative")
        match = " ".join('"' + t.replace('"', '""') + '"' for t in wanted)
        where, args = _where(filters, "d.")
        base = f"FROM docs_fts JOIN docs d ON d.rowid = docs_fts.rowid WHERE docs_fts MATCH ? AND {where}"
        total = self._query(f"SELECT count(*) {base}", [match, *args])[0][0]
        rows = self._query(
            f"SELECT d.doc_id, bm25(docs_fts), d.title, d.body, d.received_at, d.channel {base} "
            "ORDER BY bm25(docs_fts), d.received_at DESC LIMIT ? OFFSET ?",
            [match, *args, limit, offset],
        )
        hits = tuple(
            Hit(r[0], -float(r[1]), r[2], snippet(r[3], wanted), dt.datetime.fromisoformat(r[4]), DocChannel(r[5]))
            for r in rows
        )
        return SearchResult(int(total), hits)

    def count(self, filters: Filters) -> int:
        where, args = _where(filters)
        return int(self._query(f"SELECT count(*) FROM docs WHERE {where}", args)[0][0])

    def histogram(self, filters: Filters, interval: Interval) -> list[tuple[dt.date, int]]:
        where, args = _where(filters)
        per_day = self._query(f"SELECT day, count(*) FROM docs WHERE {where} GROUP BY day ORDER BY day", args)
        buckets: Counter[dt.date] = Counter()
        for day, n in per_day:
            buckets[bucket(dt.date.fromisoformat(day), interval)] += int(n)
        return sorted(buckets.items())

    def terms(self, facet: str, filters: Filters, size: int = 20) -> list[tuple[str, int]]:
        if facet not in FACETS:
            raise ValidationFailed(f"no facet {facet}; facets: {', '.join(FACETS)}")
        where, args = _where(filters)
        rows = self._query(
            f"SELECT {facet}, count(*) AS n FROM docs WHERE {where} AND {facet} IS NOT NULL "
            f"GROUP BY {facet} ORDER BY n DESC, {facet} LIMIT ?",
            [*args, size],
        )
        return [(str(v), int(n)) for v, n in rows]

    def token_doc_freq(self, filters: Filters) -> tuple[int, Counter[str]]:
        where, args = _where(filters)
        freq: Counter[str] = Counter()
        docs = 0
        for (tokens,) in self._iterate(f"SELECT tokens FROM docs WHERE {where}", args):
            docs += 1
            freq.update(set(tokens.split()))
        return docs, freq

    def documents(self, filters: Filters) -> Iterator[Document]:
        where, args = _where(filters)
        sql = f"SELECT {', '.join(_COLUMNS)} FROM docs WHERE {where} ORDER BY received_at, doc_id"
        for row in self._iterate(sql, args):
            yield _document(row)

    def _query(self, sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, list(args)).fetchall()

    def _iterate(self, sql: str, args: Sequence[Any], batch: int = 2000) -> Iterator[tuple[Any, ...]]:
        # A separate read connection would see a snapshot; batches under the lock keep writers moving.
        with self._lock:
            cursor = self._db.execute(sql, list(args))
            rows = cursor.fetchmany(batch)
        while rows:
            yield from rows
            with self._lock:
                rows = cursor.fetchmany(batch)


def _where(filters: Filters, prefix: str = "") -> tuple[str, list[Any]]:
    parts, args = ["1 = 1"], []
    if filters.start is not None:
        parts.append(f"{prefix}day >= ?")
        args.append(filters.start.isoformat())
    if filters.end is not None:
        parts.append(f"{prefix}day < ?")
        args.append(filters.end.isoformat())
    for name, value in sorted(filters.equals.items()):
        parts.append(f"{prefix}{name} = ?")  # name is one of FACETS (checked by Filters)
        args.append(value)
    return " AND ".join(parts), args


def _row(doc: Document) -> tuple[Any, ...]:
    return (
        doc.doc_id, str(doc.channel), doc.received_at.isoformat(), doc.day.isoformat(), doc.title, doc.body,
        " ".join(doc.tokens), doc.source, doc.category, doc.suggested_category, doc.agency, doc.center,
        doc.region, doc.age_band, doc.sex,
    )  # fmt: skip


def _document(row: Sequence[Any]) -> Document:
    values = dict(zip(_COLUMNS, row, strict=True))
    return Document(
        doc_id=values["doc_id"],
        channel=DocChannel(values["channel"]),
        received_at=dt.datetime.fromisoformat(values["received_at"]),
        title=values["title"],
        body=values["body"],
        tokens=tuple(values["tokens"].split()),
        source=values["source"],
        **{name: values[name] for name in OPTIONAL_FACETS},
    )
