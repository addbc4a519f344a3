"""What only the SQLite adapter has: per-day facet counts kept by triggers (they must always agree with the
documents, and an index made before them is counted on opening), the even topic sample it draws itself, and
the end-of-bulk-load merge of the full-text index."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from analytics.documents import FACETS, DocChannel, Document, Filters, Interval
from analytics.search.sqlite_index import SqliteIndex
from analytics.trends.report import topic_sample
from kernel.calendar import SEOUL

pytestmark = pytest.mark.integration


def corpus(count: int = 60) -> list[Document]:
    docs = []
    for n in range(count):
        docs.append(Document(
            doc_id=f"d{n}", channel=DocChannel.PHONE if n % 3 else DocChannel.TEXT,
            received_at=dt.datetime(2026, 3, 1 + n % 20, 9 + n % 8, tzinfo=SEOUL), title=f"제목 {n}",
            body=f"본문 {n}", tokens=("발급", "서류") if n % 2 else ("세금", "신고"), source="test",
            category=("행정", "세금", "고용")[n % 3], center=("ACRC110", "NTS126", None)[n % 3],
            region="서울" if n % 4 else None,
        ))  # fmt: skip
    return docs


def from_documents(index: SqliteIndex, facet: str, filters: Filters) -> list[tuple[str, int]]:
    counts = Counter(d.facet(facet) for d in index.documents(filters))
    counts.pop(None, None)
    return sorted(((str(v), n) for v, n in counts.items()), key=lambda item: (-item[1], item[0]))


def assert_counts_agree_with_documents(index: SqliteIndex) -> None:
    for filters in (Filters(), Filters(start=dt.date(2026, 3, 5), end=dt.date(2026, 3, 12))):
        docs = list(index.documents(filters))
        assert index.count(filters) == len(docs)
        days = Counter(d.day for d in docs)
        assert index.histogram(filters, Interval.DAY) == sorted(days.items())
        for facet in FACETS:
            assert index.terms(facet, filters, size=100) == from_documents(index, facet, filters), facet


def test_daily_counts_follow_inserts_replacements_and_deletes(tmp_path: Path) -> None:
    index = SqliteIndex(tmp_path / "index.db")
    docs = corpus()
    index.upsert(docs)
    assert_counts_agree_with_documents(index)
    moved = [dataclasses.replace(d, category="외교", received_at=d.received_at + dt.timedelta(days=3), center=None)
             for d in docs[:15]]  # fmt: skip
    index.upsert(moved)
    index.delete([d.doc_id for d in docs[40:]])
    assert_counts_agree_with_documents(index)
    assert index.count(Filters()) == 40
    index.close()


def test_an_index_made_before_the_daily_counts_is_counted_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "index.db"
    index = SqliteIndex(path)
    index.upsert(corpus())
    index.close()
    older = sqlite3.connect(path)  # as an index of the previous version: no daily table, user_version 0
    older.executescript("DROP TRIGGER docs_daily_ai; DROP TRIGGER docs_daily_ad; DROP TRIGGER docs_daily_au;"
                        "DROP TABLE docs_daily; PRAGMA user_version = 0;")  # fmt: skip
    older.close()
    reopened = SqliteIndex(path)
    assert reopened.count(Filters()) == 60
    assert_counts_agree_with_documents(reopened)
    reopened.close()


def test_the_topic_sample_is_the_documents_at_even_positions(tmp_path: Path) -> None:
    index = SqliteIndex(tmp_path / "index.db")
    index.upsert(corpus())
    period = Filters(start=dt.date(2026, 3, 3), equals={"channel": "phone"})
    ordered = list(index.documents(period))
    assert index.sample(period, 100) == ordered, "all of them when there are fewer"
    step = len(ordered) / 7
    expected = [ordered[int(i * step)] for i in range(7)]
    assert index.sample(period, 7) == expected
    assert topic_sample(index, period, 7) == expected

    class Streaming:  # an adapter without ``sample``: the report streams and keeps the same positions
        count = index.count
        documents = index.documents

    assert topic_sample(Streaming(), period, 7) == expected  # type: ignore[arg-type]
    index.close()


def test_merging_the_full_text_index_keeps_every_answer(tmp_path: Path) -> None:
    index = SqliteIndex(tmp_path / "index.db")
    for n in range(0, 60, 10):  # several transactions: several full-text segments
        index.upsert(corpus()[n : n + 10])
    before = index.search(["발급"], Filters(), limit=50)
    index.optimize()
    assert index.search(["발급"], Filters(), limit=50) == before and before.total == 30
    index.close()


def test_search_checks_days_when_documents_arrived_out_of_order(tmp_path: Path) -> None:
    index = SqliteIndex(tmp_path / "index.db")
    index.upsert([dataclasses.replace(d, tokens=("발급",)) for d in corpus()[:30]][::-1])  # newest first
    late = dataclasses.replace(corpus()[0], doc_id="late", tokens=("발급",),
                               received_at=dt.datetime(2026, 3, 25, 9, tzinfo=SEOUL))  # fmt: skip
    index.upsert([late])
    for start, end in ((dt.date(2026, 3, 1), dt.date(2026, 3, 6)), (dt.date(2026, 3, 4), dt.date(2026, 3, 30))):
        period = Filters(start=start, end=end)
        found = index.search(["발급"], period, limit=100)
        expected = {d.doc_id for d in index.documents(period)}
        assert found.total == len(expected) and {h.doc_id for h in found.hits} == expected
    assert index.search(["발급"], Filters(start=dt.date(2027, 1, 1))).total == 0
    index.close()


def test_equal_scores_rank_newest_first_however_many_tie(tmp_path: Path) -> None:
    index = SqliteIndex(tmp_path / "index.db")
    same = [dataclasses.replace(d, doc_id=f"same{n}", tokens=("여권", "재발급"), received_at=d.received_at
                                + dt.timedelta(minutes=n)) for n, d in enumerate(corpus(300))]  # fmt: skip
    index.upsert(same)
    newest = sorted(same, key=lambda d: d.received_at.isoformat(), reverse=True)
    for offset in (0, 250):
        found = index.search(["여권"], Filters(), limit=20, offset=offset)
        assert found.total == 300
        assert [h.doc_id for h in found.hits] == [d.doc_id for d in newest[offset : offset + 20]]
    index.close()


def _on_disk(directory: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(directory.iterdir()) if path.is_file())


def test_erased_documents_leave_no_text_in_the_files(tmp_path: Path) -> None:
    """A plain delete leaves the tokens in the full-text segments; erase leaves no byte of the document in the
    database, its write-ahead log or free pages, even of a version it replaced."""
    secret = Document(doc_id="call:9", channel=DocChannel.PHONE, received_at=dt.datetime(2026, 3, 2, tzinfo=SEOUL),
                      title="보일러 문의", body="쿼카와플레이크 보일러", tokens=("쿼카와플레이크", "보일러"),
                      source="case-store")  # fmt: skip
    for name, erase in (("deleted", False), ("erased", True)):
        directory = tmp_path / name
        index = SqliteIndex(directory / "index.db")
        index.upsert(corpus())
        index.upsert([dataclasses.replace(secret, body="쿼카와플레이크 메모", tokens=("쿼카와플레이크", "메모"))])
        index.upsert([secret])  # replaced: the transcript arrived
        index.upsert(corpus(80)[60:])  # later segments
        if erase:
            assert index.erase(["call:9"]) == 1
        else:
            assert index.delete(["call:9"]) == 1
        assert index.search(["쿼카와플레이크"], Filters()).total == 0
        found = "쿼카와플레이크".encode() in _on_disk(directory)
        assert found is not erase, name
        assert index.search(["보일러"], Filters()).total == 0 and index.search(["발급"], Filters()).total == 40
        index.close()
