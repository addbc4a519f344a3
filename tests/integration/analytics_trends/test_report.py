"""A trend report's numbers from a real index of real petition titles (tokenised by Kiwi), with a planted
surge on the last day and the same weeks a year earlier for the seasonal comparison."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest

from analytics.documents import DocChannel, Document
from analytics.search.sqlite_index import SqliteIndex
from analytics.text import shared_tokenizer
from analytics.trends.report import build_report
from kernel.calendar import SEOUL
from tests.support.shared import shared_dir

pytestmark = pytest.mark.integration
START = dt.date(2020, 3, 1)
DAYS = 40


def petitions(limit: int) -> list[dict[str, str]]:
    path = shared_dir() / "data" / "bluehouse_petitions_korkeep_2020-01to09.jsonl.gz"
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row.get("title") and row.get("category"):
                rows.append(row)
            if len(rows) >= limit:
                break
    return rows


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SqliteIndex:
    tokenizer = shared_tokenizer()
    built = SqliteIndex(tmp_path_factory.mktemp("report") / "index.db")
    rows = petitions(DAYS * 15)
    docs = []
    for n, row in enumerate(rows):
        for year in (2019, 2020):  # the same petitions a year earlier: the seasonal comparison has data
            day = START.replace(year=year) + dt.timedelta(days=n % DAYS)
            when = dt.datetime.combine(day, dt.time(10, n % 60), tzinfo=SEOUL)
            tokens = tuple(tokenizer.tokens(row["title"]))
            docs.append(Document(f"p{year}-{n}", DocChannel.TEXT, when, row["title"], row["title"], tokens,
                                 "petition", category=row["category"]))  # fmt: skip
    last = dt.datetime.combine(START + dt.timedelta(days=DAYS - 1), dt.time(15), tzinfo=SEOUL)
    for n in range(25):  # a surge on the last day: 재난지원금 in every one of them
        title = f"재난지원금 지급 지연 문의 {n}"
        docs.append(Document(f"s{n}", DocChannel.PHONE, last, title, title, tuple(tokenizer.tokens(title)),
                             "call", category="행정", center="ACRC110"))  # fmt: skip
    built.upsert(docs)
    return built


def test_the_report_counts_breaks_down_finds_the_surge_and_topics(index: SqliteIndex) -> None:
    report = build_report(index, START, START + dt.timedelta(days=DAYS))
    assert report.total == DAYS * 15 + 25
    assert len(report.by_day) == DAYS and sum(n for _, n in report.by_day) == report.total
    assert sum(n for _, n in report.breakdowns["category"]) == report.total
    assert dict(report.breakdowns["channel"]) == {"text": DAYS * 15, "phone": 25}
    assert report.surges, "the planted surge is found"
    top = report.surges[0]
    assert top.surge.token in {"재난지원금", "지연", "지급"} and top.surge.docs >= 25
    assert top.examples and "재난지원금" in top.examples[0][1]
    assert report.topics and all(t.keywords and t.examples for t in report.topics)
    assert sum(t.size for t in report.topics) <= report.total


def test_the_seasonal_comparison_uses_the_same_weeks_of_earlier_years(index: SqliteIndex) -> None:
    report = build_report(index, START, START + dt.timedelta(days=DAYS))
    rows = {r.category: r for r in report.seasonal}
    assert rows and all(2019 in r.earlier for r in rows.values())
    for row in rows.values():
        if row.category != "행정":  # 행정 also got the planted calls
            assert row.now == row.earlier[2019] and row.change == 0.0


def test_filters_by_center_and_channel(index: SqliteIndex) -> None:
    phone = build_report(index, START, START + dt.timedelta(days=DAYS), channel="phone", center="ACRC110")
    assert phone.total == 25 and phone.breakdowns["center"] == [("ACRC110", 25)]
