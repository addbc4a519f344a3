"""The hand-written search relevance set: its shape, and that it points at real catalog services."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from integrations.public_services.catalog import Catalog, load_catalog


@pytest.fixture(scope="module")
def relevance() -> dict[str, Any]:
    text = resources.files("integrations.public_services").joinpath("data", "relevance.json").read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_shape_and_size(relevance: dict[str, Any]) -> None:
    queries = relevance["queries"]
    assert len(queries) >= 30
    assert sum(1 for q in queries if q["avoids_title_words"]) >= 10
    for q in queries:
        assert set(q) == {"query", "expected", "avoids_title_words"}
        assert isinstance(q["query"], str) and q["query"].strip()
        assert isinstance(q["avoids_title_words"], bool)
        assert q["expected"] and all(isinstance(i, str) for i in q["expected"])
    texts = [q["query"] for q in queries]
    assert len(set(texts)) == len(texts)
    assert {"어르신 틀니", "청년 월세", "한부모 양육비"} <= set(texts)


def test_every_expected_service_is_in_the_shipped_catalog(relevance: dict[str, Any], catalog: Catalog) -> None:
    missing = [(q["query"], i) for q in relevance["queries"] for i in q["expected"] if i not in catalog]
    assert missing == []


def test_queries_marked_so_share_no_word_with_their_services_titles(
    relevance: dict[str, Any], catalog: Catalog
) -> None:
    for q in relevance["queries"]:
        if not q["avoids_title_words"]:
            continue
        title_words = {w for i in q["expected"] for w in catalog[i].name.split()}
        titles = " ".join(catalog[i].name for i in q["expected"])
        for word in q["query"].split():
            assert word not in title_words, (q["query"], word)
            assert word not in titles, (q["query"], word)  # stricter: not even inside a title word
