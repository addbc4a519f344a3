"""The embedded search index: one SQLite file with the documents and an FTS5 index over their morphemes.

No server: the default for ``sori up``. Tokens are stored space-joined and indexed by FTS5's
``unicode61`` tokenizer, which keeps each Hangul morpheme whole (it splits only on spaces and
punctuation), so a query of the same morphemes finds them; ranking is FTS5's BM25. Facets, histograms
and document frequencies are plain SQL over the documents table (indexed by day and facet); counts of a
period without facet conditions come from per-day counts that triggers keep (``docs_daily``), and a
period's search seeks the rowid range its days span (``docs_days``). Measured at 1,000,000 documents by
``bench/analytics_scale.py``.
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
from kernel.errors import ValidationFailed


def _daily_schema() -> str:
    """Documents per day and facet value, kept by triggers: counts, histograms and facets of a period with no
    facet condition read a few rows per day instead of every document (the analyst's page, reports). And the
    rowids each day spans: documents mostly arrive in time order, so a period is a rowid range the full-text
    index can seek to instead of joining every match to its document."""
    # a UNION of one-row SELECTs: a multi-row VALUES cannot name its columns inside a trigger
    pairs = " UNION ALL ".join(f"SELECT '{f}' AS facet, {{row}}.{f} AS value" for f in FACETS)
    add = ("INSERT INTO docs_daily(facet, day, value, n) SELECT facet, {row}.day, value, 1 FROM "
           f"({pairs}) WHERE value IS NOT NULL ON CONFLICT DO UPDATE SET n = n + 1;")  # fmt: skip
    remove = (
        "".join(
            f"UPDATE docs_daily SET n = n - 1 WHERE facet = '{f}' AND day = old.day AND value = old.{f};"
            for f in FACETS
        )
        + f"DELETE FROM docs_daily WHERE facet IN ({', '.join(repr(f) for f in FACETS)}) AND day = old.day AND n <= 0;"
    )
    # each day's lowest and highest rowid: deletes leave them wider than needed, never narrower
    bounds = ("INSERT INTO docs_days(day, first_rowid, last_rowid) VALUES (new.day, new.rowid, new.rowid) "
              "ON CONFLICT DO UPDATE SET first_rowid = min(first_rowid, excluded.first_rowid), "
              "last_rowid = max(last_rowid, excluded.last_rowid);")  # fmt: skip
    return f"""
CREATE TABLE IF NOT EXISTS docs_days (
    day TEXT PRIMARY KEY, first_rowid INTEGER NOT NULL, last_rowid INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS docs_daily (
    facet TEXT NOT NULL, day TEXT NOT NULL, value TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (facet, day, value)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS docs_daily_ai AFTER INSERT ON docs BEGIN {add.format(row="new")} {bounds} END;
CREATE TRIGGER IF NOT EXISTS docs_daily_ad AFTER DELETE ON docs BEGIN {remove} END;
CREATE TRIGGER IF NOT EXISTS docs_daily_au AFTER UPDATE ON docs BEGIN
    {remove} {add.format(row="new")} {bounds}
END;
"""


# The small columns come first: SQLite reads a row's columns in order and a large body spills to overflow
# pages, so filters and sort keys stay on the row's first page (tables made before this order work the same,
# only slower).
SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    rowid INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    received_at TEXT NOT NULL,
    day TEXT NOT NULL,
    source TEXT NOT NULL,
    category TEXT, suggested_category TEXT, agency TEXT, center TEXT, region TEXT, age_band TEXT, sex TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tokens TEXT NOT NULL
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
""" + _daily_schema()

_TIES = 200  # extra ranked rows fetched so that documents tying with the page's last one are all seen
_MAX_ROWID = 2**63 - 1
_COLUMNS = ("doc_id", "channel", "received_at", "day", "title", "body", "tokens", "source", *OPTIONAL_FACETS)


class SqliteIndex:
    """``SearchIndex`` on SQLite FTS5. One connection, serialised by a lock (safe across threads)."""

    def __init__(self, path: Path | str) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        # Deleted and replaced rows are overwritten with zeros, not left in free space (the retention purge
        # promises nothing of a purged contact stays on disk; a replaced document may have held its notes).
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()
        self._count_daily()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _count_daily(self) -> None:
        # user_version 1: docs_daily holds every document. An index made before the table existed is counted
        # once here, under the write lock, so a writer in another process cannot slip between.
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if self._db.execute("PRAGMA user_version").fetchone()[0] < 1:
                    self._db.execute("DELETE FROM docs_daily")
                    self._db.execute("DELETE FROM docs_days")
                    self._db.execute("INSERT INTO docs_days SELECT day, min(rowid), max(rowid) FROM docs GROUP BY day")
                    for facet in FACETS:
                        self._db.execute(
                            f"INSERT INTO docs_daily(facet, day, value, n) SELECT ?, day, {facet}, count(*) FROM docs "
                            f"WHERE {facet} IS NOT NULL GROUP BY day, {facet}",
                            [facet],
                        )
                    self._db.execute("PRAGMA user_version = 1")
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def optimize(self) -> None:
        """Merge the full-text index into one segment (after a bulk load: fewer segments, faster searches)."""
        with self._lock:
            self._db.execute("INSERT INTO docs_fts(docs_fts) VALUES ('optimize')")

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

    def erase(self, doc_ids: Iterable[str]) -> int:
        """Delete, then merge the full-text index into one segment: an FTS5 delete only adds a tombstone, and
        the document's tokens stay in older segments until they are merged (SQLite 3.42's ``secure-delete``
        option would avoid the merge; Debian 12 has 3.40). The merge rewrites the whole full-text index
        (bench/purge_erase.py: about 1.6 s at 100,000 documents, 495 MiB); the write-ahead log is then truncated
        so no old page survives in it."""
        deleted = self.delete(doc_ids)
        if deleted:
            self.optimize()
        with self._lock:  # readers in other processes may hold it back: the next checkpoint then truncates
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return deleted

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
        # The full-text index drives and ranks alone; documents are joined only to check facets, or days when
        # the period's rowid range also holds other days (CROSS JOIN fixes that order: probing the full-text
        # index per document is far slower). Only the page's rows are read in full.
        span = self._rowid_span(filters)
        if span is None:
            return SearchResult(0, ())
        lo, hi, exact = span
        where, args = _where(Filters(equals=filters.equals) if exact else filters, "d.")
        base, params = "FROM docs_fts", [match, lo, hi]
        if len(args) > 0:
            base += " CROSS JOIN docs d ON d.rowid = docs_fts.rowid"
        base += f" WHERE docs_fts MATCH ? AND docs_fts.rowid BETWEEN ? AND ? AND {where}"
        params += args
        total = self._query(f"SELECT count(*) {base}", params)[0][0]
        wanted_rows = offset + limit
        ranked = self._query(f"SELECT docs_fts.rowid, bm25(docs_fts) AS score {base} ORDER BY score LIMIT ?",
                             [*params, wanted_rows + _TIES])  # fmt: skip
        if len(ranked) > wanted_rows and ranked[-1][1] == ranked[wanted_rows - 1][1]:  # more ties than fetched
            ranked = self._query(f"SELECT docs_fts.rowid, bm25(docs_fts) {base} AND bm25(docs_fts) <= ?",
                                 [*params, ranked[wanted_rows - 1][1]])  # fmt: skip
        if len(ranked) > wanted_rows:  # what ties with the last wanted row competes for its place
            boundary = sorted(score for _, score in ranked)[wanted_rows - 1]
            ranked = [(rowid, score) for rowid, score in ranked if score <= boundary]
        # best first, equal scores newest first (received_at as stored, like the ORDER BY it replaces); these
        # are separate statements, so a document deleted meanwhile drops out of the page
        received = dict(self._rows("rowid, received_at", [rowid for rowid, _ in ranked]).values())
        ranked = [r for r in ranked if r[0] in received]
        ranked.sort(key=lambda r: received[r[0]], reverse=True)
        ranked.sort(key=lambda r: r[1])
        page = ranked[offset:wanted_rows]
        rows = self._rows("rowid, doc_id, title, body, received_at, channel", [rowid for rowid, _ in page])
        hits = []
        for rowid, score in page:
            if rowid not in rows:
                continue
            _, doc_id, title, body, received_at, channel = rows[rowid]
            when = dt.datetime.fromisoformat(received_at)
            hits.append(Hit(doc_id, -float(score), title, snippet(body, wanted), when, DocChannel(channel)))
        return SearchResult(int(total), tuple(hits))

    def _rowid_span(self, filters: Filters) -> tuple[int, int, bool] | None:
        """The rowids the period's documents lie in, and whether every rowid in that range is one of them
        (then days need no check); None when the period has no document."""
        if filters.start is None and filters.end is None:
            return 0, _MAX_ROWID, True
        days, args = _where(Filters(start=filters.start, end=filters.end))
        lo, hi, count = self._query(  # one statement: one snapshot
            f"SELECT (SELECT min(first_rowid) FROM docs_days WHERE {days}), (SELECT max(last_rowid) FROM docs_days "
            f"WHERE {days}), (SELECT sum(n) FROM docs_daily WHERE facet = 'channel' AND {days})",
            [*args, *args, *args],
        )[0]
        if lo is None:
            return None
        # all the period's documents lie in [lo, hi]: as many of them as rowids there means nothing else does
        return int(lo), int(hi), count == hi - lo + 1

    def count(self, filters: Filters) -> int:
        if not filters.equals:
            days, args = _where(filters)
            sql = f"SELECT coalesce(sum(n), 0) FROM docs_daily WHERE facet = 'channel' AND {days}"
            return int(self._query(sql, args)[0][0])
        where, args = _where(filters)
        return int(self._query(f"SELECT count(*) FROM docs WHERE {where}", args)[0][0])

    def histogram(self, filters: Filters, interval: Interval) -> list[tuple[dt.date, int]]:
        where, args = _where(filters)
        if filters.equals:
            sql = f"SELECT day, count(*) FROM docs WHERE {where} GROUP BY day ORDER BY day"
        else:  # every document has a channel: its daily rows add up to the day's documents
            sql = f"SELECT day, sum(n) FROM docs_daily WHERE facet = 'channel' AND {where} GROUP BY day ORDER BY day"
        buckets: Counter[dt.date] = Counter()
        for day, n in self._query(sql, args):
            buckets[bucket(dt.date.fromisoformat(day), interval)] += int(n)
        return sorted(buckets.items())

    def terms(self, facet: str, filters: Filters, size: int = 20) -> list[tuple[str, int]]:
        if facet not in FACETS:
            raise ValidationFailed(f"no facet {facet}; facets: {', '.join(FACETS)}")
        where, args = _where(filters)
        if filters.equals:
            sql = (f"SELECT {facet}, count(*) AS n FROM docs WHERE {where} AND {facet} IS NOT NULL "
                   f"GROUP BY {facet} ORDER BY n DESC, {facet} LIMIT ?")  # fmt: skip
        else:
            sql = (f"SELECT value, sum(n) AS total FROM docs_daily WHERE facet = '{facet}' AND {where} "
                   "GROUP BY value ORDER BY total DESC, value LIMIT ?")  # fmt: skip
        return [(str(v), int(n)) for v, n in self._query(sql, [*args, size])]

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

    def sample(self, filters: Filters, size: int) -> list[Document]:
        """An even sample of ``documents(filters)``: with n matches, those at positions ⌊i·n/size⌋ (i < size) of
        the oldest-first order; all of them when n ≤ size. Only the sampled rows are read in full."""
        where, args = _where(filters)
        ids = [r[0] for r in self._query(f"SELECT rowid FROM docs WHERE {where} ORDER BY received_at, doc_id", args)]
        if len(ids) > size:
            step = len(ids) / size
            ids = [ids[int(i * step)] for i in range(size)]
        rows = self._rows(", ".join(("rowid", *_COLUMNS)), ids)
        return [_document(rows[rowid][1:]) for rowid in ids if rowid in rows]  # unless deleted meanwhile

    def _rows(self, columns: str, rowids: Sequence[int]) -> dict[int, tuple[Any, ...]]:
        """Rows by rowid (``columns`` start with rowid), in chunks under SQLite's parameter limit."""
        out: dict[int, tuple[Any, ...]] = {}
        for n in range(0, len(rowids), 500):
            chunk = rowids[n : n + 500]
            marks = ", ".join("?" for _ in chunk)
            out.update(
                (row[0], row) for row in self._query(f"SELECT {columns} FROM docs WHERE rowid IN ({marks})", chunk)
            )
        return out

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
