"""The contract every ``SearchIndex`` adapter keeps, run against each: SQLite FTS5 always, and a real
Elasticsearch cluster when ``SORI_ES_URL`` names one (none can run on these machines: the Elasticsearch
adapter's requests are checked against the API's documented shapes in its own tests)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from analytics.documents import DocChannel, Document, Filters, Interval
from analytics.search.port import SearchIndex
from analytics.search.sqlite_index import SqliteIndex
from kernel.calendar import SEOUL
from kernel.errors import ValidationFailed

pytestmark = pytest.mark.integration

ADAPTERS = ["sqlite"] + (["elasticsearch"] if os.environ.get("SORI_ES_URL") else [])


def kst(day: int, hour: int = 10, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=SEOUL)


def doc(doc_id: str, when: dt.datetime, tokens: str, **facets: object) -> Document:
    values: dict[str, object] = {"channel": DocChannel.TEXT, "category": "행정", "source": "test"}
    values.update(facets)
    return Document(doc_id=doc_id, received_at=when, title=f"제목 {doc_id}", body=f"본문 {tokens} 끝",
                    tokens=tuple(tokens.split()), **values)  # type: ignore[arg-type]  # fmt: skip


CORPUS = [
    doc("a", kst(2), "주민등록등본 발급 온라인 발급", region="서울"),
    doc("b", kst(2, 23), "주민등록등본 분실 신고", region="부산"),
    doc("c", kst(3), "종합소득세 신고 기한", category="세금", channel=DocChannel.PHONE, center="NTS126"),
    doc("d", kst(9), "종합소득세 납부 발급", category="세금", channel=DocChannel.PHONE, center="NTS126"),
    doc("e", kst(16), "실업급여 신청 서류", category="고용", region="서울"),
    doc("f", dt.datetime(2026, 3, 1, 16, 0, tzinfo=dt.UTC), "실업급여 신청", category="고용"),  # 3/2 01:00 KST
]


@pytest.fixture(params=ADAPTERS)
def make_index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], SearchIndex]]:
    made: list[SearchIndex] = []

    def make() -> SearchIndex:
        if request.param == "sqlite":
            index: SearchIndex = SqliteIndex(tmp_path / f"index{len(made)}.db")
        else:  # pragma: no cover - needs a cluster
            from analytics.search.es_index import ElasticIndex

            index = ElasticIndex(os.environ["SORI_ES_URL"], prefix=f"sori-test-{os.getpid()}-{len(made)}", refresh=True)
        made.append(index)
        return index

    yield make
    for index in made:
        index.close()


@pytest.fixture
def index(make_index: Callable[[], SearchIndex]) -> SearchIndex:
    built = make_index()
    assert built.upsert(CORPUS) == len(CORPUS)
    return built


def test_a_document_comes_back_as_it_went_in(index: SearchIndex) -> None:
    assert index.get("c") == CORPUS[2]
    assert index.get("nope") is None


def test_upserting_an_id_again_replaces_the_document(index: SearchIndex) -> None:
    changed = dataclasses.replace(CORPUS[0], tokens=("여권", "재발급"), category="외교")
    index.upsert([changed])
    assert index.count(Filters()) == len(CORPUS)
    assert index.get("a") == changed
    assert index.search(["여권"], Filters()).total == 1
    assert [h.doc_id for h in index.search(["주민등록등본"], Filters()).hits] == ["b"]


def test_search_matches_every_word_ranks_by_relevance_and_pages(index: SearchIndex) -> None:
    found = index.search(["발급"], Filters())
    assert found.total == 2 and found.hits[0].doc_id == "a", "two mentions rank first"
    assert [h.doc_id for h in index.search(["종합소득세", "발급"], Filters()).hits] == ["d"]
    assert index.search(["종합소득세"], Filters(equals={"channel": "phone"})).total == 2
    assert index.search(["종합소득세"], Filters(start=dt.date(2026, 3, 4))).total == 1
    first, second = (index.search(["신청"], Filters(), limit=1, offset=n) for n in (0, 1))
    assert first.total == second.total == 2 and first.hits[0].doc_id != second.hits[0].doc_id
    hit = index.search(["실업급여"], Filters(start=dt.date(2026, 3, 10))).hits[0]
    assert hit.doc_id == "e" and "실업급여" in hit.snippet and hit.channel is DocChannel.TEXT
    assert index.search(['"', "OR", "*"], Filters()).total == 0, "query syntax is never interpreted"
    with pytest.raises(ValidationFailed):
        index.search([" "], Filters())


def test_counts_histograms_and_facets_follow_seoul_days(index: SearchIndex) -> None:
    assert index.count(Filters(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 3))) == 3, "f is 3/2 in Seoul"
    assert index.histogram(Filters(), Interval.DAY) == [
        (dt.date(2026, 3, 2), 3), (dt.date(2026, 3, 3), 1), (dt.date(2026, 3, 9), 1), (dt.date(2026, 3, 16), 1)
    ]  # fmt: skip
    assert index.histogram(Filters(), Interval.WEEK) == [
        (dt.date(2026, 3, 2), 4), (dt.date(2026, 3, 9), 1), (dt.date(2026, 3, 16), 1)
    ]  # fmt: skip
    assert index.histogram(Filters(equals={"category": "세금"}), Interval.MONTH) == [(dt.date(2026, 3, 1), 2)]
    assert index.terms("category", Filters()) == [("고용", 2), ("세금", 2), ("행정", 2)]
    assert index.terms("region", Filters(), size=1) == [("서울", 2)]
    assert index.terms("center", Filters(equals={"channel": "text"})) == []
    with pytest.raises(ValidationFailed):
        index.terms("title", Filters())


def test_token_document_frequencies_count_each_document_once(index: SearchIndex) -> None:
    docs, freq = index.token_doc_freq(Filters(end=dt.date(2026, 3, 3)))
    assert docs == 3
    assert freq["주민등록등본"] == 2 and freq["발급"] == 1 and freq["실업급여"] == 1


def test_documents_stream_oldest_first_and_delete_removes(index: SearchIndex) -> None:
    assert [d.doc_id for d in index.documents(Filters(equals={"category": "고용"}))] == ["f", "e"]
    assert index.delete(["e", "missing"]) == 1
    assert index.get("e") is None and index.search(["서류"], Filters()).total == 0


def test_erase_removes_documents_for_good_and_counts_those_that_existed(index: SearchIndex) -> None:
    assert index.erase(["c", "d", "missing"]) == 2
    assert index.get("c") is None and index.get("d") is None
    assert index.search(["종합소득세"], Filters()).total == 0
    assert index.count(Filters(equals={"channel": "phone"})) == 0
    assert index.search(["주민등록등본"], Filters()).total == 2, "other documents stay"
    assert index.erase([]) == 0 and index.erase(["c"]) == 0
