"""The live 신문고 feed: the bundled reference service (a real HTTP server started here) read through the
HTTP adapter into the index, page by page; a bad item is reported; an interrupted run resumes at the
saved cursor; a feed that breaks the protocol gets a clear error."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.documents import Filters
from analytics.ingest.pipeline import Checkpoints, ingest_feed
from analytics.search.sqlite_index import SqliteIndex
from integrations.sinmungo.http_adapter import HttpComplaintFeed
from integrations.sinmungo.port import FeedPage, FeedUnavailable
from tests.support.postgres import free_port
from tests.support.shared import shared_dir

pytestmark = pytest.mark.integration


@pytest.fixture
def feed_url(tmp_path: Path) -> Iterator[str]:
    items = []
    with gzip.open(shared_dir() / "data" / "bluehouse_petitions_korkeep_2020-01to09.jsonl.gz", "rt") as handle:
        for n, line in enumerate(handle):
            row = json.loads(line)
            items.append({"id": f"S{n}", "received_at": row["begin"], "title": row["title"], "body": row["content"],
                          "category": row["category"]})  # fmt: skip
            if len(items) == 25:
                break
    items.insert(12, {"id": "bad", "received_at": "2020-02-30", "title": "날짜가 잘못된 민원"})
    data = tmp_path / "feed.jsonl"
    data.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items) + "\n", encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-m", "integrations.sinmungo.reference", str(data), "--port", str(port)]
    service = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert service.stdout is not None and "ready" in service.stdout.readline()
    yield f"http://127.0.0.1:{port}"
    service.terminate()
    service.wait(timeout=10)


class BreaksAfter:
    def __init__(self, feed: HttpComplaintFeed, pages: int) -> None:
        self.feed, self.pages = feed, pages

    def fetch(self, after: str, limit: int = 200) -> FeedPage:
        if self.pages == 0:
            raise FeedUnavailable("the feed did not answer: connection reset")
        self.pages -= 1
        return self.feed.fetch(after, limit)


def test_the_feed_is_ingested_page_by_page_and_resumes_after_an_interruption(feed_url: str, tmp_path: Path) -> None:
    index = SqliteIndex(tmp_path / "index.db")
    feed = HttpComplaintFeed(feed_url)
    with pytest.raises(FeedUnavailable):
        ingest_feed(BreaksAfter(feed, 1), index, source="sinmungo", checkpoints=Checkpoints(tmp_path / "cp.json"),
                    page_size=10)  # fmt: skip
    assert index.count(Filters()) == 10
    report = ingest_feed(feed, index, source="sinmungo", checkpoints=Checkpoints(tmp_path / "cp.json"), page_size=10)
    assert report.read == 16 and report.written == 15
    assert [e.reason.split(" (")[0] for e in report.errors] == ["no valid received time"]
    assert index.count(Filters()) == 25 and index.get("sinmungo:S24") is not None
    again = ingest_feed(feed, index, source="sinmungo", checkpoints=Checkpoints(tmp_path / "cp.json"), page_size=10)
    assert (again.read, index.count(Filters())) == (0, 25)


def test_a_feed_that_is_down_or_breaks_the_protocol_says_so(feed_url: str) -> None:
    with pytest.raises(FeedUnavailable, match="did not answer"):
        HttpComplaintFeed(f"http://127.0.0.1:{free_port()}", timeout=2).fetch("")
    with pytest.raises(FeedUnavailable, match="HTTP 404"):
        HttpComplaintFeed(feed_url + "/wrong").fetch("")
    with pytest.raises(FeedUnavailable, match="HTTP 400"):
        HttpComplaintFeed(feed_url).fetch("not-a-number")
    started = time.monotonic()
    page = HttpComplaintFeed(feed_url).fetch("", 5)
    assert len(page.items) == 5 and page.more and page.next_cursor == "5" and time.monotonic() - started < 5
