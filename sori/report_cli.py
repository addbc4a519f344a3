"""``sori report``: the trend report of a period as one self-contained Korean HTML file."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from sori.config import Settings

if TYPE_CHECKING:
    from analytics.search.port import SearchIndex
    from analytics.trends.continuity import ContinuityMetrics


def index_path(settings: Settings) -> Path:
    return settings.analytics.index_path or settings.state_dir / "analytics" / "search.db"


def open_index(settings: Settings) -> SearchIndex:
    """The configured search index: embedded (SQLite FTS5, created if missing) or Elasticsearch (SORI_ES_URL)."""
    if settings.analytics.search == "elasticsearch":
        from analytics.search.es_index import ElasticIndex

        if settings.es_url is None:
            raise ValueError('analytics.search is "elasticsearch" but SORI_ES_URL is not set')
        return ElasticIndex(settings.es_url, prefix=settings.analytics.es_index_prefix)
    from analytics.search.sqlite_index import SqliteIndex

    return SqliteIndex(index_path(settings))


def report(args: argparse.Namespace, settings: Settings) -> int:
    """``sori report``: the trend report of [--from, --to] as one self-contained HTML file."""
    import sys

    from analytics.report.html import render
    from analytics.trends.report import build_report

    if args.end < args.start:
        print("sori report: --to is before --from", file=sys.stderr)
        return 2
    path = index_path(settings)
    if settings.analytics.search == "embedded" and not path.exists():
        print(f"sori report: no analytics index at {path} (ingest documents first)", file=sys.stderr)
        return 2
    end = args.end + dt.timedelta(days=1)
    continuity = None if args.channel == "text" else case_store_continuity(settings, args.start, end, args.center)
    try:
        index = open_index(settings)
    except ValueError as bad:
        print(f"sori report: {bad}", file=sys.stderr)
        return 2
    try:
        data = build_report(index, args.start, end, center=args.center, channel=args.channel,
                            continuity=continuity)  # fmt: skip
    finally:
        index.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(data, dt.datetime.now(dt.UTC).astimezone()), encoding="utf-8")
    print(f"{args.out}: {data.total:,} documents, {len(data.surges)} surging keywords, {len(data.topics)} topics")
    return 0


def case_store_continuity(
    settings: Settings, start: dt.date, end: dt.date, center: str | None
) -> ContinuityMetrics | None:
    """The case store's continuity figures for the report, or None when there is no case store to read."""
    from sqlalchemy import inspect

    from analytics.ingest.case_store import read_continuity
    from crm.store.engine import make_engine

    if settings.database.url is None and not (settings.state_dir / "sori.db").exists():
        return None
    engine = make_engine(settings.database_url)
    try:
        if not inspect(engine).has_table("interactions"):  # an empty database: nothing migrated yet
            return None
        return read_continuity(engine, start, end, center)
    finally:
        engine.dispose()
