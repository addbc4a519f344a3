"""``sori report``: the trend report of a period as one self-contained Korean HTML file."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from sqlalchemy import inspect

from analytics.report.html import render
from analytics.trends.continuity import ContinuityMetrics, read_continuity
from analytics.trends.report import build_report
from sori.config import Settings
from sori.wiring import build_system, index_path, open_index


def report(args: argparse.Namespace, settings: Settings) -> int:
    """``sori report``: the trend report of [--from, --to] as one self-contained HTML file."""
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
    if settings.database.url is None and not (settings.state_dir / "sori.db").exists():
        return None
    system = build_system(settings)
    try:
        if not inspect(system.engine).has_table("interactions"):  # an empty database: nothing migrated yet
            return None
        return read_continuity(system.contacts, start, end, center)
    finally:
        system.engine.dispose()
