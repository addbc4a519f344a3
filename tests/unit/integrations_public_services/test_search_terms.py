"""The analyser's rules, and the shipped precomputed terms: complete, and what the analyser makes today."""

from __future__ import annotations

import random

import pytest

from integrations.public_services.catalog import Catalog, load_catalog
from integrations.public_services.search_terms import (
    FIELDS,
    ServiceTerms,
    analyse,
    decode,
    encode,
    load_shipped,
    terms_for,
    text_hash,
)
from integrations.public_services.tokens import Analyser, split_suffix


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def shipped() -> dict[str, ServiceTerms]:
    return load_shipped()


def test_particles_and_endings_go_content_words_stay(analyser: Analyser) -> None:
    assert analyser.terms("어르신들이 틀니를 받으려면") == ["어르신", "틀니", "받다"]
    assert analyser.terms("실직했을 때 받는 돈") == ["실직", "받다", "돈"]
    assert analyser.terms("혼자 사는 KOTRA 직원") == ["혼자", "사다", "kotra", "직원"]


def test_compounds_match_whole_and_split(analyser: Analyser) -> None:
    assert set(analyser.terms("아동수당")) == {"아동", "수당", "아동수당"}
    assert set(analyser.terms("한부모가족")) == {"부모", "가족", "한부모", "부모가족", "한부모가족"}
    assert {"양육비", "양육"} <= set(analyser.terms("양육비"))  # Kiwi keeps 양육비 whole; the stem is split off
    assert set(analyser.terms("양육 비")) == {"양육", "비"}
    assert "65세" in analyser.terms("만 65세 이상")
    assert split_suffix("장애인") == ("장애", "인") and split_suffix("월세") is None


def test_word_terms_keep_each_word_and_its_context(analyser: Analyser) -> None:
    words = analyser.word_terms("혼자 사는 할아버지")
    assert [w for w, _ in words] == ["혼자", "사는", "할아버지"]
    assert [t for _, t in words] == [["혼자"], ["사다"], ["할아버지"]]


def test_every_catalog_service_has_shipped_terms_of_its_current_texts(
    catalog: Catalog, shipped: dict[str, ServiceTerms]
) -> None:
    assert shipped, "search_terms.jsonl.gz is missing or was made by another analyser: rebuild it"
    assert set(shipped) == {s.id for s in catalog}
    stale = [s.id for s in catalog if shipped[s.id].text_hash != text_hash(s)]
    assert stale == []


def test_a_random_sample_analysed_again_gives_the_shipped_terms(
    catalog: Catalog, shipped: dict[str, ServiceTerms], analyser: Analyser
) -> None:
    sample = random.Random(13).sample(sorted(s.id for s in catalog), 200)
    fresh = analyse([catalog[i] for i in sample], analyser)  # one Kiwi thread; the file was built with two
    for entry in fresh:
        assert entry == shipped[entry.service_id], entry.service_id
    assert sum(len(e.fields["content"]) for e in fresh) > 5_000  # the sample held real texts


def test_stale_or_missing_terms_are_analysed_again(catalog: Catalog, analyser: Analyser) -> None:
    services = [catalog["SSE000000170"], catalog["135200000002"]]
    right = {t.service_id: t for t in analyse(services, analyser)}
    wrong = ServiceTerms("SSE000000170", "0" * 16, {f: ("엉뚱한",) for f in FIELDS})
    terms, analysed = terms_for(services, analyser, {"SSE000000170": wrong})
    assert analysed == 2
    assert terms == [right["SSE000000170"], right["135200000002"]]
    assert terms_for(services, analyser, right) == (terms, 0)


def test_the_file_round_trips_and_refuses_another_analyser(catalog: Catalog, analyser: Analyser) -> None:
    terms = analyse([catalog["SSE000000170"]], analyser)
    data = encode(terms)
    assert data == encode(terms)  # deterministic bytes
    assert decode(data) == {"SSE000000170": terms[0]}
    import gzip
    import json

    lines = gzip.decompress(data).decode("utf-8").splitlines()
    header = json.loads(lines[0])
    header["analyser"] = -1
    other = gzip.compress(("\n".join([json.dumps(header), *lines[1:]]) + "\n").encode("utf-8"))
    assert decode(other) == {}
