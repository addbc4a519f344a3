"""``sori analytics …``: configuration turned into arguments for the analytics commands, which are imported
on use (Kiwi, scikit-learn and CTranslate2 load only for the command that needs them)."""

from __future__ import annotations

import argparse

from sori.config import Settings


def run(args: argparse.Namespace, settings: Settings) -> int:
    analytics = settings.analytics
    command = args.analytics_command
    if command == "pii-eval":
        from analytics.pii.evaluate import main as pii_eval

        return pii_eval(args.sample)
    if command == "setup-models":
        from analytics.stt.models import setup_models

        return setup_models(analytics.whisper_model_dir or settings.state_dir / "models" / "whisper-base")
    if command == "ingest":
        return ingest(args, settings)
    raise AssertionError(f"unknown analytics command {command}")


def ingest(args: argparse.Namespace, settings: Settings) -> int:
    """``sori analytics ingest``: files and/or the case store into the index; bad rows listed, one JSON line."""
    import json
    import sys

    from tqdm import tqdm

    from analytics.ingest.pipeline import Checkpoints, ingest_case_store, ingest_file
    from analytics.search.sqlite_index import SqliteIndex
    from sori.report_cli import index_path

    if not args.files and not args.case_store and not args.feed:
        print("sori analytics ingest: name files, --feed URL or --case-store", file=sys.stderr)
        return 2
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        print(f"sori analytics ingest: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    index = SqliteIndex(index_path(settings))
    checkpoints = Checkpoints(settings.state_dir / "analytics" / "checkpoints.json")
    summary: dict[str, object] = {}
    try:
        for path in args.files:
            with tqdm(desc=path.name, unit="건", file=sys.stderr) as bar:
                report = ingest_file(path, index, source=args.source, checkpoints=checkpoints,
                                     workers=max(1, args.workers), progress=bar.update)  # fmt: skip
            for error in report.errors[:50]:
                print(f"{path}:{error.line}: {error.reason}")
            if len(report.errors) > 50:
                print(f"{path}: … and {len(report.errors) - 50} more rows refused")
            summary[str(path)] = {"read": report.read, "written": report.written, "refused": len(report.errors),
                                  "resumed_from_line": report.resumed_from}  # fmt: skip
        if args.feed:
            from analytics.ingest.pipeline import ingest_feed
            from integrations.sinmungo.http_adapter import HttpComplaintFeed
            from integrations.sinmungo.port import FeedUnavailable

            try:
                report = ingest_feed(HttpComplaintFeed(args.feed), index, source=args.source, checkpoints=checkpoints)
            except FeedUnavailable as down:
                print(f"sori analytics ingest: {down}; what was read so far is kept", file=sys.stderr)
                return 1
            for refused in report.errors[:50]:
                print(f"{args.feed}: item {refused.line}: {refused.reason}")
            summary[args.feed] = {"read": report.read, "written": report.written, "refused": len(report.errors)}
        if args.case_store:
            from sori.wiring import build_system

            system = build_system(settings)
            report = ingest_case_store(system.engine, index, checkpoints=checkpoints)
            summary["case-store"] = {"read": report.read, "written": report.written}
            system.engine.dispose()
    finally:
        index.close()
    print(json.dumps(summary, ensure_ascii=False))
    return 0
