"""``sori cases export-category-choices``: agents' category choices (after the classifier's suggestions were
shown) as JSON lines, one per choice, oldest first: the labels retraining reads, joined to the masked case
text of the analytics index by case number."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # the commands' heavy imports (sqlalchemy, crm) wait until a command runs
    from sori.config import Settings
    from sori.wiring import System


def add_parsers(sub: Any, common: Any) -> None:
    cases = sub.add_parser("cases", help="case work")
    cases_sub = cases.add_subparsers(dest="cases_command", required=True)
    export = cases_sub.add_parser(
        "export-category-choices", help="agents' category choices as JSON lines, for retraining the classifier"
    )
    common(export)
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    export.add_argument("--since", type=dt.date.fromisoformat, help="only choices from this date (YYYY-MM-DD)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from crm.store import migrate
    from sori.wiring import build_system

    system = build_system(settings)
    try:
        migrate.upgrade(system.engine)
        since = dt.datetime.combine(args.since, dt.time(), dt.UTC) if args.since else None
        written = export_category_choices(system, args.out, since)
        print(f"{written} category choices", file=sys.stderr)
        return 0
    finally:
        system.engine.dispose()


def export_category_choices(system: System, out: Path | None, since: dt.datetime | None = None) -> int:
    """Write every choice (since ``since``) as a JSON line to ``out`` (stdout when None); returns how many."""
    from crm.store.case_work import category_choices

    with system.uow(readonly=True) as uow:
        assert uow.session is not None
        if out is None:
            return _write(category_choices(uow.session, since), sys.stdout)
        with out.open("w", encoding="utf-8") as f:
            return _write(category_choices(uow.session, since), f)


def _write(rows: Any, f: IO[str]) -> int:
    count = 0
    for row in rows:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count
