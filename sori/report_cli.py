"""``sori report``: the trend report of a period as one self-contained Korean HTML file."""

from __future__ import annotations

import argparse
from pathlib import Path

from sori.config import Settings


def index_path(settings: Settings) -> Path:
    return settings.analytics.index_path or settings.state_dir / "analytics" / "search.db"


def report(args: argparse.Namespace, settings: Settings) -> int:
    """``sori report``: the trend report of [--from, --to] as one self-contained HTML file."""
    import datetime as dt
    import sys

    from analytics.report.html import render
    from analytics.search.sqlite_index import SqliteIndex
    from analytics.trends.report import build_report

    if args.end < args.start:
        print("sori report: --to is before --from", file=sys.stderr)
        return 2
    path = index_path(settings)
    if not path.exists():
        print(f"sori report: no analytics index at {path} (ingest documents first)", file=sys.stderr)
        return 2
    index = SqliteIndex(path)
    try:
        data = build_report(index, args.start, args.end + dt.timedelta(days=1), center=args.center,
                            channel=args.channel)  # fmt: skip
    finally:
        index.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(data, dt.datetime.now(dt.UTC).astimezone()), encoding="utf-8")
    print(f"{args.out}: {data.total:,} documents, {len(data.surges)} surging keywords, {len(data.topics)} topics")
    return 0
