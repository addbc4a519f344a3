"""The search index on Elasticsearch, for scale: the official ``elasticsearch`` client (8.x).

Layout: an index template ``<prefix>-docs`` for indices ``<prefix>-docs-v<N>``, reached through the alias
``<prefix>-docs``; re-indexing builds the next version and swaps the alias in one atomic action. The
``tokens`` field holds the pre-tokenised morphemes (Kiwi runs in Sori, not in Elasticsearch) analysed by
whitespace only; facets are ``keyword`` fields; ``day`` is the Seoul calendar day as a ``date``.
Aggregations serve the trends: ``date_histogram`` (volumes), ``terms`` (facets, document frequencies)
and ``significant_terms`` (surge candidates against a background period).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
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
    snippet,
)
from kernel.errors import ValidationFailed

TEMPLATE_SETTINGS: dict[str, Any] = {
    "number_of_shards": 1,
    "analysis": {"analyzer": {"morphemes": {"type": "custom", "tokenizer": "whitespace", "filter": ["lowercase"]}}},
}
TEMPLATE_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "doc_id": {"type": "keyword"},
        "received_at": {"type": "date"},
        "day": {"type": "date", "format": "yyyy-MM-dd"},
        "title": {"type": "text", "index": False},
        "body": {"type": "text", "index": False},
        "tokens": {"type": "text", "analyzer": "morphemes", "fields": {"raw": {"type": "keyword"}}},
        **{name: {"type": "keyword"} for name in FACETS},
    },
}


class ElasticIndex:
    """``SearchIndex`` on Elasticsearch. ``refresh=True`` makes writes visible at once (tests, small loads)."""

    def __init__(self, url: str, prefix: str = "sori", refresh: bool = False, client: Any = None) -> None:
        if client is None:
            from elasticsearch import Elasticsearch  # deferred: heavy (elasticsearch), only with that backend

            client = Elasticsearch(url, request_timeout=30)
        self.es = client
        self.prefix = prefix
        self.alias = f"{prefix}-docs"
        self.refresh = refresh
        self._ensure()

    # -- layout ------------------------------------------------------------------------------------
    def _ensure(self) -> None:
        self.es.indices.put_index_template(
            name=self.alias, index_patterns=[f"{self.alias}-v*"], template={"settings": TEMPLATE_SETTINGS,
                                                                        "mappings": TEMPLATE_MAPPINGS},
        )  # fmt: skip
        if not self.es.indices.exists_alias(name=self.alias):
            first = f"{self.alias}-v1"
            self.es.indices.create(index=first, aliases={self.alias: {"is_write_index": True}})

    def reindex(self) -> str:
        """Copy everything into the next index version and move the alias to it atomically; returns its name."""
        current = sorted(self.es.indices.get_alias(name=self.alias).keys())[-1]
        version = int(current.rsplit("-v", 1)[1]) + 1
        target = f"{self.alias}-v{version}"
        self.es.indices.create(index=target)
        self.es.reindex(source={"index": current}, dest={"index": target}, refresh=True, wait_for_completion=True)
        self.es.indices.update_aliases(actions=[
            {"remove": {"index": current, "alias": self.alias}},
            {"add": {"index": target, "alias": self.alias, "is_write_index": True}},
        ])  # fmt: skip
        return target

    def close(self) -> None:
        if self.prefix.startswith("sori-test-"):  # test indices are removed with their test
            self.es.indices.delete(index=f"{self.alias}-v*", ignore_unavailable=True)
            self.es.indices.delete_index_template(name=self.alias)
        self.es.close()

    # -- writing -------------------------------------------------------------------------------------
    def upsert(self, docs: Iterable[Document]) -> int:
        from elasticsearch import helpers  # deferred: heavy (elasticsearch), only with that backend

        actions = ({"_op_type": "index", "_index": self.alias, "_id": d.doc_id, "_source": _source(d)} for d in docs)
        written, _ = helpers.bulk(self.es, actions, refresh="wait_for" if self.refresh else False, chunk_size=500)
        return int(written)

    def delete(self, doc_ids: Iterable[str]) -> int:
        from elasticsearch import helpers  # deferred: heavy (elasticsearch), only with that backend

        actions = ({"_op_type": "delete", "_index": self.alias, "_id": d} for d in doc_ids)
        deleted, _ = helpers.bulk(self.es, actions, refresh="wait_for" if self.refresh else False, raise_on_error=False)
        return int(deleted)

    def erase(self, doc_ids: Iterable[str]) -> int:
        """Delete, then expunge: Lucene only marks a deleted document until its segment is merged, so a
        force-merge that expunges deletes removes its text from the shards' files (replicas and snapshots
        follow the cluster's own lifecycle)."""
        from elasticsearch import helpers  # deferred: heavy (elasticsearch), only with that backend

        ids = list(doc_ids)
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": d} for d in ids)
        deleted, _ = helpers.bulk(self.es, actions, refresh=True, raise_on_error=False)
        if ids:
            self.es.indices.forcemerge(index=self.alias, only_expunge_deletes=True, wait_for_completion=True)
        return int(deleted)

    # -- reading -------------------------------------------------------------------------------------
    def get(self, doc_id: str) -> Document | None:
        found = self.es.options(ignore_status=404).get(index=self.alias, id=doc_id)
        return _document(found["_source"]) if found.get("found") else None

    def search(self, tokens: Sequence[str], filters: Filters, limit: int = 20, offset: int = 0) -> SearchResult:
        wanted = [t for t in tokens if t.strip()]
        if not wanted:
            raise ValidationFailed("a search needs at least one word")
        if not 1 <= limit <= 1000 or offset < 0:
            raise ValidationFailed("limit is 1-1000 and offset not negative")
        query = {"bool": {"must": [{"match": {"tokens": {"query": t, "operator": "and"}}} for t in wanted],
                          "filter": _filter(filters)}}  # fmt: skip
        found = self.es.search(index=self.alias, query=query, from_=offset, size=limit, track_total_hits=True,
                               sort=[{"_score": "desc"}, {"received_at": "desc"}])  # fmt: skip
        hits = []
        for hit in found["hits"]["hits"]:
            src = hit["_source"]
            hits.append(Hit(src["doc_id"], float(hit["_score"] or 0.0), src["title"], snippet(src["body"], wanted),
                            dt.datetime.fromisoformat(src["received_at"]), DocChannel(src["channel"])))  # fmt: skip
        return SearchResult(int(found["hits"]["total"]["value"]), tuple(hits))

    def count(self, filters: Filters) -> int:
        return int(self.es.count(index=self.alias, query={"bool": {"filter": _filter(filters)}})["count"])

    def histogram(self, filters: Filters, interval: Interval) -> list[tuple[dt.date, int]]:
        aggs = {"per": {"date_histogram": {"field": "day", "calendar_interval": str(interval), "min_doc_count": 1,
                                           "format": "yyyy-MM-dd"}}}  # fmt: skip
        found = self._aggregate(filters, aggs)
        return [(dt.date.fromisoformat(b["key_as_string"]), int(b["doc_count"])) for b in found["per"]["buckets"]]

    def terms(self, facet: str, filters: Filters, size: int = 20) -> list[tuple[str, int]]:
        if facet not in FACETS:
            raise ValidationFailed(f"no facet {facet}; facets: {', '.join(FACETS)}")
        aggs = {"per": {"terms": {"field": facet, "size": size, "order": [{"_count": "desc"}, {"_key": "asc"}]}}}
        found = self._aggregate(filters, aggs)
        return [(str(b["key"]), int(b["doc_count"])) for b in found["per"]["buckets"]]

    def token_doc_freq(self, filters: Filters) -> tuple[int, Counter[str]]:
        aggs = {"per": {"terms": {"field": "tokens.raw", "size": 65_000}}}
        found = self._aggregate(filters, aggs, with_total=True)
        return int(found["_total"]), Counter({str(b["key"]): int(b["doc_count"]) for b in found["per"]["buckets"]})

    def significant_tokens(self, foreground: Filters, background: Filters, size: int = 20) -> list[tuple[str, int]]:
        """Tokens unusually frequent in ``foreground`` against ``background`` (ES ``significant_terms``)."""
        against = {"bool": {"filter": _filter(background)}}
        aggs = {"sig": {"significant_terms": {"field": "tokens.raw", "size": size, "min_doc_count": 3,
                                              "background_filter": against}}}  # fmt: skip
        found = self._aggregate(foreground, aggs)
        return [(str(b["key"]), int(b["doc_count"])) for b in found["sig"]["buckets"]]

    def documents(self, filters: Filters) -> Iterator[Document]:
        after: list[Any] | None = None
        while True:
            page = self.es.search(index=self.alias, query={"bool": {"filter": _filter(filters)}}, size=1000,
                                  sort=[{"received_at": "asc"}, {"doc_id": "asc"}], search_after=after)  # fmt: skip
            hits = page["hits"]["hits"]
            if not hits:
                return
            for hit in hits:
                yield _document(hit["_source"])
            after = hits[-1]["sort"]

    def _aggregate(self, filters: Filters, aggs: dict[str, Any], with_total: bool = False) -> dict[str, Any]:
        found = self.es.search(index=self.alias, query={"bool": {"filter": _filter(filters)}}, size=0, aggs=aggs,
                               track_total_hits=with_total)  # fmt: skip
        result = dict(found["aggregations"])
        if with_total:
            result["_total"] = found["hits"]["total"]["value"]
        return result


def _filter(filters: Filters) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    period: dict[str, str] = {}
    if filters.start is not None:
        period["gte"] = filters.start.isoformat()
    if filters.end is not None:
        period["lt"] = filters.end.isoformat()
    if period:
        out.append({"range": {"day": period}})
    out += [{"term": {name: value}} for name, value in sorted(filters.equals.items())]
    return out


def _source(doc: Document) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id, "channel": str(doc.channel), "received_at": doc.received_at.isoformat(),
        "day": doc.day.isoformat(), "title": doc.title, "body": doc.body, "tokens": " ".join(doc.tokens),
        "source": doc.source, **{name: getattr(doc, name) for name in OPTIONAL_FACETS},
    }  # fmt: skip


def _document(src: dict[str, Any]) -> Document:
    return Document(
        doc_id=src["doc_id"], channel=DocChannel(src["channel"]),
        received_at=dt.datetime.fromisoformat(src["received_at"]), title=src["title"], body=src["body"],
        tokens=tuple(src["tokens"].split()), source=src["source"], **{name: src.get(name) for name in OPTIONAL_FACETS},
    )  # fmt: skip
