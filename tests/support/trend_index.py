"""A small trend index for report and dashboard tests: March 2026, two channels, one surge on the 30th.

Each of the 30 days has 6 documents (even n: 종합소득세/세금, odd n: 주민등록등본/행정; n % 3 == 0 is a phone
contact at ACRC110, the rest are text complaints); on 2026-03-30 twelve more phone contacts about
재난지원금 지연 (행정, ACRC110) make it surge. Totals: 192 documents, 72 of them phone contacts.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from analytics.documents import DocChannel, Document
from analytics.search.sqlite_index import SqliteIndex
from kernel.calendar import SEOUL

TOTAL, PHONE, SURGE = 192, 72, 12


def build_index(path: Path) -> None:
    index = SqliteIndex(path)
    docs = []
    for day in range(30):
        when = dt.datetime(2026, 3, 1 + day, 11, tzinfo=SEOUL)
        for n in range(6):
            words = ("주민등록등본", "발급", "문의") if n % 2 else ("종합소득세", "신고", "기한")
            channel = DocChannel.TEXT if n % 3 else DocChannel.PHONE
            category, center = ("행정" if n % 2 else "세금"), ("ACRC110" if n % 3 == 0 else None)
            title = f"{words[0]} {words[2]} <b>{n}</b>"
            docs.append(Document(f"d{day}-{n}", channel, when, title, " ".join(words), words, "test",
                                 category=category, center=center))  # fmt: skip
    last = dt.datetime(2026, 3, 30, 15, tzinfo=SEOUL)
    words = ("재난지원금", "지연")
    docs += [Document(f"s{n}", DocChannel.PHONE, last, f"재난지원금 지연 {n}", "재난지원금 지연", words, "test",
                      category="행정", center="ACRC110") for n in range(12)]  # fmt: skip
    index.upsert(docs)
    index.close()
