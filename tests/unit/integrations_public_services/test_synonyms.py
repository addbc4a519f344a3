"""The synonym table: general vocabulary of the catalog, not routes from test queries to single services."""

from __future__ import annotations

from collections import defaultdict

import pytest

from integrations.public_services.catalog import load_catalog
from integrations.public_services.search_terms import FIELDS, load_shipped
from integrations.public_services.synonyms import (
    EVERYDAY_WEIGHT,
    GROUPS,
    OWN_WEIGHT,
    SYNONYM_WEIGHT,
    SynonymTable,
    phrase_keys,
    word_keys,
)
from integrations.public_services.tokens import Analyser

#: A word of ``terms`` must occur in at least this many services, of at least AGENCIES different agencies:
#: a word only one service (or one agency) uses would be a pointer to that service, not vocabulary.
SERVICES = 5
AGENCIES = 3


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser()


@pytest.fixture(scope="module")
def table(analyser: Analyser) -> SynonymTable:
    return SynonymTable(analyser.word_terms)


@pytest.fixture(scope="module")
def holders() -> dict[str, set[tuple[str, str]]]:
    """term -> {(service id, agency)} over the searched fields of the shipped catalog."""
    catalog = load_catalog()
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for service_id, terms in load_shipped().items():
        agency = catalog[service_id].agency or ""
        for term in {t for field in FIELDS for t in terms.fields[field]}:
            found[term].add((service_id, agency))
    return found


def test_the_table_is_large_and_every_entry_is_searchable(analyser: Analyser) -> None:
    entries = [(g.meaning, p) for g in GROUPS for p in (*g.terms, *g.everyday)]
    assert len(entries) >= 100
    assert len({g.meaning for g in GROUPS}) == len(GROUPS)
    for group in GROUPS:
        phrases = [*group.terms, *group.everyday]
        assert len(set(phrases)) == len(phrases), group.meaning
        assert group.terms, group.meaning
    # Every entry must analyse to terms, else it could never fire (or, half-analysed, fire on too little).
    empty = [(meaning, p) for meaning, p in entries if not phrase_keys(p, analyser.word_terms)]
    assert empty == []


def test_every_administrative_word_is_used_by_several_services_of_several_agencies(
    analyser: Analyser, holders: dict[str, set[tuple[str, str]]]
) -> None:
    narrow = []
    for group in GROUPS:
        for phrase in group.terms:
            for key in phrase_keys(phrase, analyser.word_terms):
                services = {service for service, _ in holders.get(key, set())}
                agencies = {agency for _, agency in holders.get(key, set())}
                if len(services) < SERVICES or len(agencies) < AGENCIES:
                    narrow.append((group.meaning, key, len(services), len(agencies)))
    assert narrow == []


def test_everyday_words_expand_one_way_to_the_catalogs_words(analyser: Analyser, table: SynonymTable) -> None:
    def expand(text: str) -> dict[str, float]:
        analysed = analyser.word_terms(text)
        own = [t for _, terms in analysed for t in terms]
        words = tuple(k for k in word_keys(text, lambda _: analysed) if k is not None)
        return table.expand(own, words)

    grandma = expand("할머니")
    assert grandma["할머니"] == OWN_WEIGHT and grandma["노인"] == EVERYDAY_WEIGHT
    assert "할머니" not in expand("노인")  # one way
    assert expand("노인")["고령자"] == SYNONYM_WEIGHT  # catalog words expand to each other
    assert expand("혼자 사는")["독거"] == EVERYDAY_WEIGHT  # a phrase fires on all its words
    assert "독거" not in expand("사는")
    assert "수당" not in expand("연금")  # kinds of money are no synonyms of each other
    assert "수당" in expand("돈")
    assert "수당" not in expand("교육급여")  # the part 급여 of a whole word does not expand
