"""The catalog search: the queries agents type most, filters, paging, order, rejected input, relevance floor.

One index over the shipped catalog per module (building it loads Kiwi: a few seconds).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from integrations.public_services.catalog import FORM_SEPARATOR, Catalog, PublicService, load_catalog
from integrations.public_services.relevance import evaluate, load_queries
from integrations.public_services.search import MAX_QUERY_LENGTH, SearchPage, ServiceSearch
from kernel.errors import ValidationFailed


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def search(catalog: Catalog) -> ServiceSearch:
    return ServiceSearch(catalog)


def _expected(query: str) -> set[str]:
    return next(set(q["expected"]) for q in load_queries() if q["query"] == query)


@pytest.mark.parametrize("query", ["어르신 틀니", "청년 월세", "한부모 양육비"])
def test_the_queries_agents_type_most_put_an_expected_service_first(search: ServiceSearch, query: str) -> None:
    page = search.search(query, limit=5)
    assert page.hits[0].service_id in _expected(query), [h.service_id for h in page.hits]
    assert page.total > len(page.hits)


def test_hits_name_the_query_terms_and_synonyms_they_matched(search: ServiceSearch) -> None:
    page = search.search("할머니 이빨 치료비", limit=3)
    assert "노인" in page.expansions and "치아" in page.expansions  # everyday words → the catalog's words
    top = page.hits[0]
    assert top.synonym_terms and set(top.synonym_terms) <= set(page.expansions)
    assert set(top.matched_terms) <= set(page.terms)
    own = search.search("어르신 틀니", limit=1).hits[0]
    assert {"어르신", "틀니"} <= set(own.matched_terms)


def test_a_compound_matches_written_whole_or_apart(search: ServiceSearch) -> None:
    whole = [h.service_id for h in search.search("양육비", limit=10).hits]
    apart = [h.service_id for h in search.search("양육 비", limit=10).hits]
    assert "SSI000000020" in whole and "SSI000000020" in apart  # 한부모가족 아동양육비 지원
    assert "135200000120" in [h.service_id for h in search.search("아동 수당", limit=5).hits]  # 아동수당


def test_order_is_by_score_then_id_and_repeatable(search: ServiceSearch) -> None:
    first = search.search("노인", limit=100)
    assert first == search.search("노인", limit=100)
    for a, b in zip(first.hits, first.hits[1:], strict=False):
        assert a.score > b.score or (a.score == b.score and a.service_id < b.service_id)


def test_pages_follow_each_other(search: ServiceSearch) -> None:
    whole = search.search("장애인 활동지원", limit=30)
    pages = [search.search("장애인 활동지원", limit=10, offset=o) for o in (0, 10, 20)]
    assert [h for p in pages for h in p.hits] == list(whole.hits)
    assert {p.total for p in pages} == {whole.total}
    assert search.search("장애인 활동지원", offset=whole.total).hits == ()


def _all_ids(search: ServiceSearch, query: str, **filters: Any) -> set[str]:
    ids: set[str] = set()
    total = search.search(query, limit=1, **filters).total
    for offset in range(0, total, 100):
        ids |= {h.service_id for h in search.search(query, limit=100, offset=offset, **filters).hits}
    assert len(ids) == total
    return ids


def test_filters_keep_only_what_they_say_and_compose(search: ServiceSearch, catalog: Catalog) -> None:
    everything = _all_ids(search, "청년 지원")
    seoul = _all_ids(search, "청년 지원", agency="서울특별시")
    cash = _all_ids(search, "청년 지원", support_form="현금")
    both = _all_ids(search, "청년 지원", agency="서울특별시", support_form="현금")
    assert seoul and cash and both
    assert all("서울특별시" in (catalog[i].agency or "") for i in seoul)
    assert seoul == {i for i in everything if "서울특별시" in (catalog[i].agency or "")}
    assert cash == {i for i in everything if "현금" in (catalog[i].support_form or "").split(FORM_SEPARATOR)}
    assert both == seoul & cash
    # 현금 is exact: 현금/현물 and 현금(감면) are other forms
    assert all(catalog[i].support_form != "현금/현물" for i in cash)


def test_support_forms_are_the_catalogs_values_with_their_counts(search: ServiceSearch, catalog: Catalog) -> None:
    forms = dict(search.support_forms())
    for form in ("현금", "현물", "의료지원", "현금(감면)"):
        expected = sum(form in (s.support_form or "").split(FORM_SEPARATOR) for s in catalog)
        assert forms[form] == expected > 0
    assert all(FORM_SEPARATOR not in f for f in forms)
    counts = [count for _, count in search.support_forms()]
    assert counts == sorted(counts, reverse=True)


@pytest.mark.parametrize(
    ("query", "kwargs", "message"),
    [
        ("", {}, "empty"),
        ("   \n\t", {}, "empty"),
        ("가" * (MAX_QUERY_LENGTH + 1), {}, f"longer than {MAX_QUERY_LENGTH}"),
        ("노인", {"support_form": "현금 "}, "unknown support form"),
        ("노인", {"limit": 0}, "limit"),
        ("노인", {"offset": -1}, "offset"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(
    search: ServiceSearch, query: str, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        search.search(query, **kwargs)
    assert caught.value.code == "validation-failed"
    assert message in caught.value.message
    assert re.fullmatch(r"[ -~]+", caught.value.message)  # English, for the API's message field


def test_a_query_with_nothing_to_search_finds_nothing(search: ServiceSearch) -> None:
    assert search.search("!!! ???") == SearchPage(total=0, hits=(), terms=(), expansions=())
    longest = ("노인 틀니 " * 50)[:MAX_QUERY_LENGTH]
    assert search.search(longest).total > 0  # the longest query allowed is searched


def _service(service_id: str, name: str, agency: str, support_form: str | None, content: str) -> PublicService:
    return PublicService.from_json(
        {"id": service_id, "name": name, "agency": agency, "support_form": support_form, "content": content,
         "source": "test", "views": 10}
    )  # fmt: skip


def test_another_catalog_is_analysed_on_build_and_filtered_by_agency_whatever_the_case(
    search: ServiceSearch,
) -> None:
    small = Catalog([
        _service("T2", "어르신 틀니 지원", "KOTRA 서울무역관", "현물", "65세 이상 어르신에게 틀니를 드립니다."),
        _service("T1", "청년 월세 지원", "서울특별시", "현금", "청년의 월세를 지원합니다."),
        _service("T3", "노인 치과 진료", "Kotra 부산", None, "틀니와 임플란트 진료비 지원"),
    ])  # fmt: skip
    own = ServiceSearch(small, analyser=search.analyser, shipped_terms={})
    assert own.stats.analysed_on_build == 3
    assert sorted(h.service_id for h in own.search("할머니 이빨").hits) == ["T2", "T3"]  # 노인, 어르신, 틀니
    assert sorted(h.service_id for h in own.search("틀니", agency="kotra").hits) == ["T2", "T3"]
    assert [h.service_id for h in own.search("틀니", agency="KOTRA 부산").hits] == ["T3"]
    assert own.search("틀니", support_form="현물").total == 1
    assert own.support_forms() == (("현금", 1), ("현물", 1))


def test_relevance_floor(search: ServiceSearch) -> None:
    # Measured on the shipped catalog: MRR 0.70, recall@5 0.85 (all 41 queries); title-avoiding subset (15):
    # MRR 0.35, recall@5 0.67. The floors sit just under, so a ranking regression fails here.
    relevance = evaluate(search)
    assert relevance.overall.queries == 41
    assert relevance.overall.recall_at_5 >= 0.8
    assert relevance.overall.mrr >= 0.68
    assert relevance.avoids_title_words.recall_at_5 >= 0.6
    assert relevance.avoids_title_words.mrr >= 0.33
