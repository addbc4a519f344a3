"""``sori analytics …``: configuration turned into arguments for the analytics commands, with the case store
reached through the composition root (``sori.wiring``). Kiwi, scikit-learn and CTranslate2 load only for the
command that uses them (the analytics modules defer them themselves)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from typing import Any

from tqdm import tqdm

from analytics.classify import Classifier
from analytics.classify.cli import train
from analytics.classify.store import ModelMismatch, ModelNotFound
from analytics.ingest.pipeline import Checkpoints, ingest_case_store, ingest_feed, ingest_file
from analytics.pii.evaluate import main as pii_eval
from analytics.stt.models import model_problems, setup_models
from analytics.stt.postcall import PostCallTranscriber
from analytics.stt.whisper import WhisperTranscriber
from crm.door.ports import PhoneContacts
from integrations.sinmungo.http_adapter import HttpComplaintFeed
from integrations.sinmungo.port import FeedUnavailable
from sori.children import CANNOT_RUN, exit_with_parent
from sori.config import Settings
from sori.logs import configure_logging
from sori.wiring import System, build_system, open_index, recordings_dir

log = logging.getLogger("sori.analytics")


def run(args: argparse.Namespace, settings: Settings) -> int:
    analytics = settings.analytics
    command = args.analytics_command
    if command == "pii-eval":
        return pii_eval(args.sample)
    if command == "setup-models":
        return setup_models(analytics.whisper_model_dir or settings.state_dir / "models" / "whisper-base")
    if command == "ingest":
        return ingest(args, settings)
    if command == "transcriber":
        return transcriber(args, settings)
    if command == "train":
        model_dir = analytics.model_dir or settings.state_dir / "analytics" / "models"
        return train(data=list(args.data), label=args.label, name=args.name or args.label, folds=args.folds,
                     test_data=list(args.test_data or []), model_dir=model_dir)  # fmt: skip
    raise AssertionError(f"unknown analytics command {command}")


def ingest(args: argparse.Namespace, settings: Settings) -> int:
    """``sori analytics ingest``: files and/or the case store into the index; bad rows listed, one JSON line."""
    if not args.files and not args.case_store and not args.feed:
        print("sori analytics ingest: name files, --feed URL or --case-store", file=sys.stderr)
        return 2
    if args.follow and not (args.case_store or args.feed):
        print("sori analytics ingest: --follow needs --case-store or --feed (files are read once)", file=sys.stderr)
        return 2
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        print(f"sori analytics ingest: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        index = open_index(settings)
    except ValueError as bad:
        print(f"sori analytics ingest: {bad}", file=sys.stderr)
        return 2
    stop = threading.Event()
    if args.follow:  # under `sori up`: a killed supervisor ends this too, even during the first files
        exit_with_parent(stop)
    checkpoints = Checkpoints(settings.state_dir / "analytics" / "checkpoints.json")
    classifier = category_model(settings)
    suggest = classifier.batch_suggester(settings.analytics.category_min_score) if classifier is not None else None
    summary: dict[str, object] = {}
    system: System | None = None
    try:
        if args.case_store:  # first: a few contacts, while files may take minutes (the demo's petitions)
            system = build_system(settings)
            calls = ingest_case_store(system.contacts, index, checkpoints=checkpoints, suggest=suggest)
            summary["case-store"] = {"read": calls.read, "written": calls.written}
        for path in args.files:
            with tqdm(desc=path.name, unit="건", file=sys.stderr, disable=args.follow) as bar:
                report = ingest_file(path, index, source=args.source, checkpoints=checkpoints,
                                     workers=max(1, args.workers), progress=bar.update, suggest=suggest)  # fmt: skip
            for error in report.errors[:50]:
                print(f"{path}:{error.line}: {error.reason}")
            if len(report.errors) > 50:
                print(f"{path}: … and {len(report.errors) - 50} more rows refused")
            summary[str(path)] = {"read": report.read, "written": report.written, "refused": len(report.errors),
                                  "resumed_from_line": report.resumed_from}  # fmt: skip
        if args.feed and not feed_once(args, index, checkpoints, suggest, summary) and not args.follow:
            return 1
        if args.follow:
            print(json.dumps(summary, ensure_ascii=False), flush=True)
            contacts = system.contacts if system is not None else None
            follow(args, settings, contacts, index, checkpoints, suggest, stop)
    finally:
        index.close()
        if system is not None:
            system.engine.dispose()
    if not args.follow:  # a follower printed it before following
        print(json.dumps(summary, ensure_ascii=False))
    return 0


def feed_once(args: argparse.Namespace, index: Any, checkpoints: Any, suggest: Any, summary: dict[str, object]) -> bool:
    """One pass over the live 신문고 feed; False when it is unreachable (what was read is kept)."""
    try:
        report = ingest_feed(HttpComplaintFeed(args.feed), index, source=args.source, checkpoints=checkpoints,
                             suggest=suggest)  # fmt: skip
    except FeedUnavailable as down:
        print(f"sori analytics ingest: {down}; what was read so far is kept", file=sys.stderr, flush=True)
        return False
    for refused in report.errors[:50]:
        print(f"{args.feed}: item {refused.line}: {refused.reason}")
    summary[args.feed] = {"read": report.read, "written": report.written, "refused": len(report.errors)}
    return True


def follow(args: argparse.Namespace, settings: Settings, contacts: PhoneContacts | None, index: Any,
           checkpoints: Any, suggest: Any, stop: threading.Event) -> None:  # fmt: skip
    """Index new phone contacts (and feed items) every ``analytics.index_interval_s`` until SIGTERM/SIGINT, at
    ``analytics.index_nice``; a pass that fails is logged and retried at the next interval."""
    configure_logging(settings.log.level, settings.log.file)
    analytics = settings.analytics
    os.nice(analytics.index_nice)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    log.info("indexer following", extra={"interval_s": analytics.index_interval_s, "case_store": contacts is not None,
                                         "feed": args.feed})  # fmt: skip
    while not stop.wait(analytics.index_interval_s):
        summary: dict[str, object] = {}
        try:
            if args.feed:
                feed_once(args, index, checkpoints, suggest, summary)
            if contacts is not None:
                report = ingest_case_store(contacts, index, checkpoints=checkpoints, suggest=suggest)
                summary["case-store"] = {"read": report.read, "written": report.written}
        except Exception:  # the next pass retries; the checkpoint only moves past what was written
            log.exception("indexing pass failed")
            continue
        if any(isinstance(v, dict) and v.get("written") for v in summary.values()):
            log.info("indexed", extra={"sources": summary})


def transcriber(args: argparse.Namespace, settings: Settings) -> int:
    """``sori analytics transcriber``: drain the post-call transcription queue (until SIGTERM, or ``--once``)."""
    analytics = settings.analytics
    configure_logging(settings.log.level, settings.log.file)
    system = build_system(settings)
    model_dir = analytics.whisper_model_dir or settings.state_dir / "models" / "whisper-base"
    stt = WhisperTranscriber(model_dir, cpu_threads=analytics.transcription_threads,
                             workers=analytics.transcription_workers, nice=analytics.transcription_nice)  # fmt: skip
    classifier = category_model(settings)
    suggest = classifier.suggester(analytics.category_min_score) if classifier is not None else None
    worker = PostCallTranscriber(system.transcriptions, stt, recordings_dir(settings), system.clock, suggest=suggest)
    try:
        if args.status:
            print(json.dumps(worker.backlog(), ensure_ascii=False))
            return 0
        problems = model_problems(model_dir)
        if problems:
            hint = "run `sori analytics setup-models`, or set analytics.whisper_model_dir"
            print(f"sori analytics transcriber: no usable Whisper model in {model_dir}: {'; '.join(problems)} ({hint})",
                  file=sys.stderr)  # fmt: skip
            return CANNOT_RUN
        os.nice(analytics.transcription_nice)
        if args.once:
            worker.recover()
            worker.sweep()
            outcomes = []
            while (outcome := worker.run_once()) is not None:
                outcomes.append(outcome)
            done = {str(o.state): sum(1 for x in outcomes if x.state == o.state) for o in outcomes}
            print(json.dumps({"jobs": len(outcomes), "by_state": done,
                              "contacts": sum(o.contacts for o in outcomes)}, ensure_ascii=False))  # fmt: skip
            return 0
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        exit_with_parent(stop)
        worker.run(stop, workers=analytics.transcription_workers, poll_s=analytics.transcription_poll_s)
        return 0
    finally:
        system.engine.dispose()


def category_model(settings: Settings) -> Classifier | None:
    """The trained ``category`` classifier (``sori analytics train --name category``), or None without one:
    complaints and calls then get no suggested category."""
    model_dir = settings.analytics.model_dir or settings.state_dir / "analytics" / "models"
    try:
        return Classifier.load(model_dir, "category")
    except (ModelNotFound, ModelMismatch) as missing:
        log.info("no category suggestions: %s", missing)
        return None
