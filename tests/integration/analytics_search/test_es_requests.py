"""The Elasticsearch adapter's requests, checked against the shapes the Elasticsearch 8 REST API documents
(index template, aliases, _bulk NDJSON, bool queries, date_histogram / terms / significant_terms).

No Elasticsearch can run on these machines, so a small HTTP server stands in: it records each request the
official client sends and answers with responses shaped as the API documents them. This checks what we
send and how we read answers; it is not a cluster (the contract suite runs on one when SORI_ES_URL is set).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from analytics.documents import DocChannel, Document, Filters, Interval
from analytics.search.es_index import ElasticIndex
from kernel.calendar import SEOUL

pytestmark = pytest.mark.integration

DOC = Document(
    "call:7",
    DocChannel.PHONE,
    dt.datetime(2026, 3, 2, 10, tzinfo=SEOUL),
    "재산세 문의",
    "재산세 납부 기한 문의",
    ("재산세", "납부", "기한"),
    "case-store",
    category="세금",
    center="NTS126",
)


SOURCE = {
    "doc_id": "call:7",
    "channel": "phone",
    "received_at": DOC.received_at.isoformat(),
    "day": "2026-03-02",
    "title": DOC.title,
    "body": DOC.body,
    "tokens": "재산세 납부 기한",
    "source": "case-store",
    "category": "세금",
    "center": "NTS126",
}


class FakeElasticsearch(BaseHTTPRequestHandler):
    log: list[dict[str, Any]]
    aliases: set[str]

    def log_message(self, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: Any) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Type", "application/vnd.elasticsearch+json;compatible-with=8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _handle(self) -> None:
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if url.path.endswith("/_bulk"):
            body: Any = [json.loads(line) for line in raw.splitlines() if line]
        else:
            body = json.loads(raw) if raw else None
        self.log.append({"method": self.command, "path": url.path, "query": parse_qs(url.query), "body": body})
        path = url.path
        if path.startswith("/_index_template/"):
            return self._reply(200, {"acknowledged": True})
        if path.startswith("/_alias/"):
            return self._reply(200 if path[8:] in self.aliases else 404, {} if path[8:] in self.aliases else None)
        if path.endswith("/_bulk"):
            items = [
                {"index": {"_id": a["index"]["_id"], "status": 201, "result": "created"}} for a in body if "index" in a
            ] + [  # of deletes, only call:7 exists
                {"delete": {"_id": a["delete"]["_id"], "status": 200 if a["delete"]["_id"] == "call:7" else 404,
                            "result": "deleted" if a["delete"]["_id"] == "call:7" else "not_found"}}
                for a in body if "delete" in a
            ]  # fmt: skip
            return self._reply(200, {"took": 3, "errors": False, "items": items})
        if self.command == "PUT" and path.count("/") == 1:
            self.aliases.update(body.get("aliases", {}) if body else {})
            return self._reply(200, {"acknowledged": True, "shards_acknowledged": True, "index": path[1:]})
        if path.endswith("/_doc/call%3A7") or path.endswith("/_doc/call:7"):
            return self._reply(200, {"_index": "sori-docs-v1", "_id": "call:7", "found": True, "_source": SOURCE})
        if "/_doc/" in path:
            return self._reply(404, {"_index": "sori-docs-v1", "_id": path.rsplit("/", 1)[1], "found": False})
        if path.endswith("/_forcemerge"):
            return self._reply(200, {"_shards": {"total": 1, "successful": 1, "failed": 0}})
        if path.endswith("/_count"):
            return self._reply(200, {"count": 42, "_shards": {"total": 1, "successful": 1, "failed": 0}})
        if path.endswith("/_search"):
            return self._reply(200, self._search(body or {}))
        return self._reply(400, {"error": {"type": "unexpected", "reason": path}, "status": 400})

    def _search(self, body: dict[str, Any]) -> dict[str, Any]:
        aggs: dict[str, Any] = {}
        for name, spec in (body.get("aggs") or body.get("aggregations") or {}).items():
            if "date_histogram" in spec:
                aggs[name] = {
                    "buckets": [
                        {"key_as_string": "2026-03-02", "key": 1772409600000, "doc_count": 5},
                        {"key_as_string": "2026-03-09", "key": 1773014400000, "doc_count": 2},
                    ]
                }
            elif "significant_terms" in spec:
                aggs[name] = {
                    "doc_count": 30,
                    "bg_count": 900,
                    "buckets": [{"key": "재난지원금", "doc_count": 12, "score": 3.2, "bg_count": 15}],
                }
            else:
                aggs[name] = {
                    "doc_count_error_upper_bound": 0,
                    "sum_other_doc_count": 0,
                    "buckets": [{"key": "세금", "doc_count": 7}, {"key": "행정", "doc_count": 3}],
                }
        hits = (
            []
            if body.get("size") == 0
            else [
                {
                    "_index": "sori-docs-v1",
                    "_id": "call:7",
                    "_score": 1.7,
                    "_source": SOURCE,
                    "sort": [1772413200000, "call:7"],
                }
            ]
        )
        if body.get("search_after"):
            hits = []
        result: dict[str, Any] = {
            "took": 1,
            "timed_out": False,
            "hits": {"total": {"value": 10, "relation": "eq"}, "max_score": 1.7, "hits": hits},
        }
        if aggs:
            result["aggregations"] = aggs
        return result

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _handle


@pytest.fixture
def fake() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    log: list[dict[str, Any]] = []
    handler = type("Handler", (FakeElasticsearch,), {"log": log, "aliases": set()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", log
    server.shutdown()


def test_layout_template_alias_and_bulk_indexing(fake: tuple[str, list[dict[str, Any]]]) -> None:
    url, log = fake
    index = ElasticIndex(url, prefix="sori")
    template = next(r for r in log if r["path"] == "/_index_template/sori-docs")
    assert template["method"] == "PUT" and template["body"]["index_patterns"] == ["sori-docs-v*"]
    mappings = template["body"]["template"]["mappings"]["properties"]
    assert mappings["tokens"]["analyzer"] == "morphemes" and mappings["tokens"]["fields"]["raw"]["type"] == "keyword"
    analyzer = template["body"]["template"]["settings"]["analysis"]["analyzer"]["morphemes"]
    assert analyzer["tokenizer"] == "whitespace", "morphemes are tokenised by Kiwi before indexing"
    assert all(mappings[f]["type"] == "keyword" for f in ("channel", "category", "center", "region", "source"))
    created = next(r for r in log if r["method"] == "PUT" and r["path"] == "/sori-docs-v1")
    assert created["body"]["aliases"] == {"sori-docs": {"is_write_index": True}}
    assert index.upsert([DOC]) == 1
    bulk = next(r for r in log if r["path"].endswith("/_bulk"))
    action, source = bulk["body"]
    assert action == {"index": {"_index": "sori-docs", "_id": "call:7"}}
    assert source["tokens"] == "재산세 납부 기한" and source["day"] == "2026-03-02" and source["center"] == "NTS126"


def test_queries_and_aggregations_have_the_documented_shapes(fake: tuple[str, list[dict[str, Any]]]) -> None:
    url, log = fake
    index = ElasticIndex(url, prefix="sori")
    period = Filters(start=dt.date(2026, 3, 1), end=dt.date(2026, 4, 1), equals={"channel": "phone"})
    found = index.search(["재산세", "기한"], period, limit=5, offset=10)
    request = log[-1]["body"]
    assert request["query"]["bool"]["must"] == [
        {"match": {"tokens": {"query": "재산세", "operator": "and"}}},
        {"match": {"tokens": {"query": "기한", "operator": "and"}}},
    ]
    assert request["query"]["bool"]["filter"] == [
        {"range": {"day": {"gte": "2026-03-01", "lt": "2026-04-01"}}},
        {"term": {"channel": "phone"}},
    ]
    assert (request["from"], request["size"], request["track_total_hits"]) == (10, 5, True)
    assert found.total == 10 and found.hits[0].doc_id == "call:7" and "재산세" in found.hits[0].snippet
    assert index.histogram(period, Interval.WEEK) == [(dt.date(2026, 3, 2), 5), (dt.date(2026, 3, 9), 2)]
    histogram = log[-1]["body"]["aggs"]["per"]["date_histogram"]
    assert histogram == {"field": "day", "calendar_interval": "week", "min_doc_count": 1, "format": "yyyy-MM-dd"}
    assert log[-1]["body"]["size"] == 0
    assert index.terms("category", period, size=5) == [("세금", 7), ("행정", 3)]
    assert log[-1]["body"]["aggs"]["per"]["terms"] == {
        "field": "category",
        "size": 5,
        "order": [{"_count": "desc"}, {"_key": "asc"}],
    }
    docs, freq = index.token_doc_freq(period)
    assert docs == 10 and freq == {"세금": 7, "행정": 3} and log[-1]["body"]["track_total_hits"] is True
    background = Filters(start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 1))
    assert index.significant_tokens(period, background) == [("재난지원금", 12)]
    significant = log[-1]["body"]["aggs"]["sig"]["significant_terms"]
    assert significant["field"] == "tokens.raw"
    assert significant["background_filter"]["bool"]["filter"][0]["range"]["day"] == {
        "gte": "2026-01-01",
        "lt": "2026-03-01",
    }
    assert index.count(period) == 42 and log[-1]["path"] == "/sori-docs/_count"
    got = index.get("call:7")
    assert got is not None and got.tokens == ("재산세", "납부", "기한") and got.center == "NTS126"
    assert index.get("call:8") is None
    assert [d.doc_id for d in index.documents(period)] == ["call:7"]
    assert log[-1]["body"]["search_after"] is not None, "pages with search_after"


def test_erase_deletes_then_expunges_the_deleted_documents_from_the_segments(
    fake: tuple[str, list[dict[str, Any]]],
) -> None:
    url, log = fake
    index = ElasticIndex(url, prefix="sori")
    assert index.erase(["call:7", "call:8"]) == 1, "only the documents that existed count"
    bulk, merge = log[-2], log[-1]
    assert bulk["path"] == "/_bulk" and bulk["query"]["refresh"] == ["true"]
    assert bulk["body"] == [{"delete": {"_index": "sori-docs", "_id": "call:7"}},
                            {"delete": {"_index": "sori-docs", "_id": "call:8"}}]  # fmt: skip
    assert merge["method"] == "POST" and merge["path"] == "/sori-docs/_forcemerge"
    assert merge["query"]["only_expunge_deletes"] == ["true"] and merge["query"]["wait_for_completion"] == ["true"]
    calls = len(log)
    assert index.erase([]) == 0 and len(log) == calls, "nothing to delete: no request, no merge"
