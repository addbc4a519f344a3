"""Finished-contact ingest with group commit: interactions plus their case events, committed, per second.

    .venv/bin/python -m bench.group_ingest            # both backends, batch sizes 1, 10, 100, 500
    .venv/bin/python -m bench.group_ingest --quick

The high-volume path (IVR self-service and abandoned calls, legacy call logs,
신문고 texts): ``crm.store.ingest.ingest_contacts`` writes a batch of finished
contacts in one transaction — one interaction each, and for the 60% that belong
to a case a ``contact-added`` event and a touch of the case — and commits once
per batch. Batch size 1 is one commit per contact, the figure to compare with.
Agent-handled contacts, four service calls each, are measured by ``bench.ingest``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.common import (
    BACKENDS,
    Database,
    database,
    emit_json,
    header,
    machine,
    make_system,
    revision,
    say,
    stop_on_sigterm,
    workdir,
)
from bench.dataset import load
from crm.cases.ingest import FinishedContact
from crm.cases.model import Channel, Disposition
from crm.store import tables
from crm.store.ingest import ingest_contacts
from sori.wiring import System

TARGETS = {"sqlite": 1000.0, "postgresql": 2000.0}


def contacts_for(system: System, count: int, rng: random.Random) -> list[FinishedContact]:
    with system.engine.connect() as conn:
        cases = conn.execute(
            select(tables.cases.c.number, tables.cases.c.citizen_id, tables.cases.c.owner_center)
            .order_by(tables.cases.c.id.desc()).limit(20_000)
        ).all()
        centers = list(conn.execute(select(tables.centers.c.code)).scalars())
    now = dt.datetime.now(dt.UTC)
    made = []
    for i in range(count):
        start = now - dt.timedelta(seconds=rng.randint(60, 3600))
        end = start + dt.timedelta(seconds=rng.randint(20, 300))
        if rng.random() < 0.6:
            number, citizen_id, center = rng.choice(cases)
            made.append(FinishedContact(
                channel=Channel.IVR_SELF_SERVICE, center_code=center, started_at=start, ended_at=end,
                disposition=Disposition.SELF_SERVICE_COMPLETED, citizen_id=citizen_id, case_number=number,
                sip_call_id=f"bench-{i}@edge", caller_masked="010-****-0000", notes="자동응답 고지서 조회 완료"))
        else:
            made.append(FinishedContact(
                channel=Channel.INBOUND_CALL, center_code=rng.choice(centers), started_at=start, ended_at=end,
                disposition=rng.choice([Disposition.ABANDONED_BEFORE_MENU, Disposition.ABANDONED_IN_QUEUE]),
                queued_at=start, sip_call_id=f"bench-{i}@edge", caller_masked="02-***-0000"))
    return made


def measure(system: System, contacts: list[FinishedContact], batch: int) -> dict[str, Any]:
    latencies = []
    started = time.perf_counter()
    for offset in range(0, len(contacts), batch):
        chunk = contacts[offset:offset + batch]
        t0 = time.perf_counter()
        with system.uow() as uow:
            assert uow.session is not None
            result = ingest_contacts(uow.session, chunk)
            uow.commit()
        latencies.append(time.perf_counter() - t0)
        assert not result.rejected, result.rejected[:3]
    seconds = time.perf_counter() - started
    latencies.sort()
    return {"batch": batch, "contacts": len(contacts), "seconds": round(seconds, 3),
            "contacts_per_s": round(len(contacts) / seconds, 1),
            "commit_p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
            "commit_p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, 2)}


def run_backend(db: Database, directory: Path, args: argparse.Namespace) -> dict[str, Any]:
    say(f"\n-- {db.backend} {db.server_version} ({db.durability}) --")
    system = make_system(db, directory / "state")
    try:
        dataset = load(system, args.citizens, args.interactions, seed=args.seed)
        say(f"preloaded {dataset.citizens:,} citizens, {dataset.interactions:,} interactions")
        rng = random.Random(args.seed)
        result: dict[str, Any] = {"server_version": db.server_version, "durability": db.durability,
                                  "target_contacts_per_s": TARGETS[db.backend], "runs": []}
        measure(system, contacts_for(system, 500, rng), 50)  # warm-up
        for batch in args.batches:
            count = args.contacts if batch > 1 else min(args.contacts, 2000)
            figures = measure(system, contacts_for(system, count, rng), batch)
            result["runs"].append(figures)
            say(f"  batch {batch:4d}: {figures['contacts_per_s']:9,.1f} contacts/s  "
                f"(commit p50 {figures['commit_p50_ms']} ms, p99 {figures['commit_p99_ms']} ms)")
        with system.engine.connect() as conn:
            result["events_total"] = conn.execute(select(func.count()).select_from(tables.case_events)).scalar()
        best = max(r["contacts_per_s"] for r in result["runs"])
        result["best_contacts_per_s"] = best
        result["target_met"] = best >= TARGETS[db.backend]
        say(f"  best {best:,.0f}/s against {TARGETS[db.backend]:,.0f}/s: {'met' if result['target_met'] else 'MISSED'}")
        return result
    finally:
        system.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.group_ingest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 10, 100, 500])
    parser.add_argument("--contacts", type=int, default=20_000, help="contacts per measured run")
    parser.add_argument("--citizens", type=int, default=50_000)
    parser.add_argument("--interactions", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pg-durability", choices=["production", "test"], default="production")
    parser.add_argument("--quick", action="store_true", help="10,000 citizens, 30,000 interactions, 5,000 contacts")
    args = parser.parse_args(argv)
    if args.quick:
        args.citizens, args.interactions, args.contacts = 10_000, 30_000, 5000
    info = machine()
    params = vars(args)
    header("finished-contact ingest (group commit)", info, params)
    results: dict[str, Any] = {}
    with stop_on_sigterm():
        for backend in (list(BACKENDS) if args.backend == "both" else [args.backend]):
            with workdir(f"sori-bench-{backend}-") as directory, database(backend, directory, args.pg_durability) as db:
                results[backend] = run_backend(db, directory, args)
    emit_json({"benchmark": "group_ingest", "revision": revision(), "machine": vars(info), "params": params,
               "results": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
