"""Search the public-service catalog in Korean: Kiwi terms, BM25 over weighted fields, synonym expansion.

``ServiceSearch`` is built once from a ``Catalog`` (about a second with the shipped precomputed terms, plus
loading Kiwi) and then answers ``search`` in a few milliseconds, pure Python and numpy, no I/O::

    search = ServiceSearch(load_catalog())
    page = search.search("할머니 이빨 치료비", agency="보건복지부", limit=5)
    page.total, [(hit.service_id, hit.score, hit.matched_terms) for hit in page.hits]

A query is analysed like the catalog (``tokens``), expanded with the synonym table (``synonyms``) at lower
weights, and scored with BM25F (``bm25``; a title term counts ``FIELD_WEIGHTS["name"]`` times, each field
normalised by its own length) times a popularity prior. Every service with a positive score is a match;
ties are ordered by service id.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from integrations.public_services.bm25 import Bm25
from integrations.public_services.catalog import Catalog, forms_of
from integrations.public_services.search_terms import FIELDS, ServiceTerms, load_shipped, terms_for
from integrations.public_services.synonyms import GROUPS, OWN_WEIGHT, SynonymTable, word_keys
from integrations.public_services.tokens import Analyser
from kernel.errors import ValidationFailed

#: How much a term counts in each field: a word of the title says most about what a service is.
FIELD_WEIGHTS: dict[str, float] = {"name": 3.0, "purpose": 1.0, "target": 1.0, "criteria": 0.7, "content": 1.0}
#: BM25F length normalisation per field (0: none, 1: full): a long 지원내용 must not dilute a title match.
FIELD_B: dict[str, float] = {"name": 0.3, "purpose": 0.75, "target": 0.75, "criteria": 0.75, "content": 0.75}
#: Popularity prior: a score is multiplied by up to 1 + PRIOR_WEIGHT for the most viewed service (조회수, log
#: scale). Among equally matching services (hundreds of local 산모·신생아 건강관리 지원) the one citizens look
#: at most — usually the national programme — comes first.
PRIOR_WEIGHT = 1.5
#: A query word this long that few services hold also matches the longer terms that start or end with it
#: (Kiwi keeps some names whole: 내일배움카드 inside 국민내일배움카드), at CONTAINED_WEIGHT, the CONTAINED_MAX
#: most frequent. A word held by CONTAINED_RARE services or more is found well enough as it is.
CONTAINED_MIN_LENGTH = 4
CONTAINED_RARE = 20
CONTAINED_WEIGHT = 0.5
CONTAINED_MAX = 10
MAX_QUERY_LENGTH = 200
MAX_LIMIT = 100
#: Separator of several 지원유형 in one record (정부24: "의료지원||현금/현물").


@dataclass(frozen=True)
class Hit:
    """One matching service: its score, the query's own terms it holds and the synonyms it matched through."""

    service_id: str
    score: float
    matched_terms: tuple[str, ...]
    synonym_terms: tuple[str, ...]


@dataclass(frozen=True)
class SearchPage:
    """``total`` matches after the filters; ``hits`` the page asked for. ``terms``/``expansions``: the query as
    searched (its own terms, then the synonyms added)."""

    total: int
    hits: tuple[Hit, ...]
    terms: tuple[str, ...]
    expansions: tuple[str, ...]


@dataclass(frozen=True)
class IndexStats:
    services: int
    vocabulary: int
    analysed_on_build: int  # services whose shipped terms were missing or stale


class ServiceSearch:
    """The search over one catalog. Build it once and share it; ``search`` only reads."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        analyser: Analyser | None = None,
        shipped_terms: dict[str, ServiceTerms] | None = None,
        prior_weight: float = PRIOR_WEIGHT,
        use_synonyms: bool = True,
    ) -> None:
        """``analyser``: share one Kiwi between searches; ``shipped_terms``: precomputed terms (default: the
        package's file); services missing from them or changed since are analysed here. ``prior_weight`` and
        ``use_synonyms`` exist to measure what each part brings (``bench.public_services_search``)."""
        self.analyser = analyser or Analyser()
        services = sorted(catalog, key=lambda s: s.id)
        shipped = load_shipped() if shipped_terms is None else shipped_terms
        terms, analysed = terms_for(services, self.analyser, shipped)
        self._ids = tuple(s.id for s in services)
        self._index = Bm25(_field_normalised_bags(terms), b=0.0)
        self._agencies = tuple((s.agency or "").casefold() for s in services)
        by_form: dict[str, list[int]] = {}
        for row, service in enumerate(services):
            for form in forms_of(service.support_form):
                by_form.setdefault(form, []).append(row)
        self._form_rows = {form: np.asarray(rows, dtype=np.int64) for form, rows in by_form.items()}
        views = np.log1p(np.asarray([max(s.views or 0, 0) for s in services], dtype=np.float64))
        self._prior = 1 + prior_weight * views / (views.max() or 1.0)
        self._contained = _contained_in(self._index)
        self.synonyms = SynonymTable(self.analyser.word_terms, groups=GROUPS if use_synonyms else ())
        self.stats = IndexStats(len(services), len(self._index.vocabulary), analysed)

    def support_forms(self) -> tuple[tuple[str, int], ...]:
        """Each 지원유형 value the ``support_form`` filter accepts, with its number of services (most first)."""
        counts = [(form, len(rows)) for form, rows in self._form_rows.items()]
        return tuple(sorted(counts, key=lambda item: (-item[1], item[0])))

    def document_frequency(self, term: str) -> int:
        """How many services hold ``term`` in a searched field."""
        return self._index.document_frequency(term)

    def search(
        self,
        query: str,
        *,
        agency: str | None = None,
        support_form: str | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> SearchPage:
        """Services matching ``query`` best first. ``agency``: case-insensitive part of the 소관기관명;
        ``support_form``: one value of ``support_forms()``. Raises ``ValidationFailed`` on a bad argument."""
        text = self._validate(query, agency, support_form, limit, offset)
        analysed = self.analyser.word_terms(text)
        own = [term for _, terms in analysed for term in terms]
        words = tuple(dict.fromkeys(k for k in word_keys(text, lambda _: analysed) if k is not None))
        weighted = self.synonyms.expand(own, words)
        for word in words:
            if self._index.document_frequency(word) >= CONTAINED_RARE:
                continue
            for longer in self._contained.get(word, ()):
                weighted[longer] = max(weighted.get(longer, 0.0), CONTAINED_WEIGHT)
        scores = self._index.scores(weighted) * self._prior
        mask = scores > 0
        if agency is not None and agency.strip():
            needle = agency.strip().casefold()
            mask &= np.fromiter((needle in a for a in self._agencies), dtype=bool, count=len(self._agencies))
        if support_form is not None:
            in_form = np.zeros(len(self._ids), dtype=bool)
            in_form[self._form_rows[support_form]] = True
            mask &= in_form
        rows = np.flatnonzero(mask)
        ranked = rows[np.argsort(-scores[rows], kind="stable")]  # rows ascend by id: ties stay in id order
        page = ranked[offset : offset + limit]
        own_terms = tuple(dict.fromkeys(own))
        expansions = tuple(t for t, w in weighted.items() if w < OWN_WEIGHT)
        hits = tuple(self._hit(int(row), float(scores[row]), own_terms, expansions) for row in page)
        return SearchPage(total=int(rows.size), hits=hits, terms=own_terms, expansions=expansions)

    def _hit(self, row: int, score: float, own: tuple[str, ...], expansions: tuple[str, ...]) -> Hit:
        def held(term: str) -> bool:
            docs, _ = self._index.postings(term)
            at = int(np.searchsorted(docs, row))
            return at < docs.size and int(docs[at]) == row

        return Hit(
            service_id=self._ids[row],
            score=score,
            matched_terms=tuple(t for t in own if held(t)),
            synonym_terms=tuple(t for t in expansions if held(t)),
        )

    def _validate(self, query: str, agency: str | None, support_form: str | None, limit: int, offset: int) -> str:
        if not isinstance(query, str) or not query.strip():
            raise ValidationFailed("the search query is empty", field="query")
        text = query.strip()
        if len(text) > MAX_QUERY_LENGTH:
            raise ValidationFailed(
                f"the search query is longer than {MAX_QUERY_LENGTH} characters", field="query", length=len(text)
            )
        if support_form is not None and support_form not in self._form_rows:
            raise ValidationFailed(
                "unknown support form; support_forms() lists the accepted values",
                field="support_form",
                value=support_form,
            )
        if agency is not None and len(agency) > MAX_QUERY_LENGTH:
            raise ValidationFailed("the agency filter is too long", field="agency")
        if not 1 <= limit <= MAX_LIMIT:
            raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}", field="limit", value=limit)
        if offset < 0:
            raise ValidationFailed("offset must not be negative", field="offset", value=offset)
        return text


def _contained_in(index: Bm25) -> dict[str, tuple[str, ...]]:
    """For each string of CONTAINED_MIN_LENGTH or more characters, the longer terms starting or ending with it
    (the CONTAINED_MAX most frequent, then alphabetical)."""
    found: dict[str, set[str]] = {}
    for term in index.vocabulary:
        for size in range(CONTAINED_MIN_LENGTH, len(term)):
            found.setdefault(term[:size], set()).add(term)
            found.setdefault(term[-size:], set()).add(term)
    return {
        part: tuple(sorted(terms, key=lambda t: (-index.document_frequency(t), t))[:CONTAINED_MAX])
        for part, terms in found.items()
    }


def _field_normalised_bags(services: list[ServiceTerms]) -> list[dict[str, float]]:
    """BM25F: each field's counts normalised by that field's length against its average, then weighted."""
    average = {
        field: (sum(len(s.fields[field]) for s in services) / len(services) if services else 1.0) or 1.0
        for field in FIELDS
    }
    bags = []
    for service in services:
        bag: dict[str, float] = {}
        for field in FIELDS:
            words = service.fields[field]
            b = FIELD_B[field]
            scale = FIELD_WEIGHTS[field] / (1 - b + b * len(words) / average[field])
            for term, count in Counter(words).items():
                bag[term] = bag.get(term, 0.0) + scale * count
        bags.append(bag)
    return bags
