"""The supervisors' history over a simulated year, and what keeping its rollups costs the call path.

    .venv/bin/python -m bench.call_history                    # both backends: 20 M calls (PostgreSQL), 1 M (SQLite)
    .venv/bin/python -m bench.call_history --quick            # 200,000 / 100,000 calls, 10 s of writes
    .venv/bin/python -m bench.call_history --backend sqlite --calls 1000000

(a) **Reports**: the year of ``bench.call_history_data`` (156 centers, ~2,000 agents, records by COPY, rollups
from the same tallies), then ``sori.supervisor_wiring.SqlHistoryData`` — the adapter the history page calls — for
a center's day by 15-minute interval (per queue, and per center with agents' states), a month by day for all
centers, a year by month per institution, and a center's day of abandoned calls. Each report runs on several
different days or months; the first run of each kind is reported apart (cold).
(b) **Writes**: finished calls at a steady 50 per second (half of the answered ones already written once, as the
contact's end writes them, so their second write merges), each through ``AgentContacts.call_finished`` — the desk's
call — and one agent state change per call, on the loaded store; each write picks at random whether the rollups
are kept (the shipped code) or not (``call_rollups``' functions replaced by no-ops), so both see the same store
and the same moment. The figure: p99 with rollups minus p99 without. Target: (a) under 2 s; (b) under 5 ms.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import time
from pathlib import Path
from typing import Any

from bench.call_history_data import Loaded, World, load_year, make_world
from bench.common import (
    BACKENDS,
    Database,
    Latency,
    Stopwatch,
    database,
    emit_json,
    header,
    machine,
    make_system,
    say,
    stop_on_sigterm,
    workdir,
)
from crm.calls.model import AgentStateChange, CallKind, FinishedCall
from crm.door.sql_desk import AgentContacts
from crm.store import call_rollups
from dashboard.supervisor_ports import Granularity, GroupBy, HistoryQuery, Scope
from kernel.calendar import to_seoul
from sori.seed.demo import seed_centers
from sori.supervisor_wiring import SqlHistoryData
from sori.wiring import System

FULL = {"postgresql": 20_000_000, "sqlite": 1_000_000}
QUICK = {"postgresql": 200_000, "sqlite": 100_000}
TARGET_S = 2.0
TARGET_EXTRA_MS = 5.0


def measure_reports(system: System, world: World, days: int, repeats: int) -> dict[str, Any]:
    """Each report ``repeats`` times on different periods; the first (cold) apart."""
    history = SqlHistoryData(system)
    today = to_seoul(system.clock()).date()
    weekdays = [today - dt.timedelta(days=n) for n in range(1, min(days, 28)) if
                (today - dt.timedelta(days=n)).weekday() < 5][:repeats]  # fmt: skip
    busiest = max(world.centers, key=lambda c: world.shares[c])
    first_month = (today - dt.timedelta(days=days)).replace(day=1) + dt.timedelta(days=32)
    months = []
    for n in range(repeats):
        start = (first_month + dt.timedelta(days=31 * n)).replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        if end < today:
            months.append((start, end))
    scope = Scope(None)
    mine = Scope(frozenset({busiest}))
    reports: dict[str, list[tuple[float, int]]] = {}

    def timed(name: str, run: Any) -> None:
        watch = Stopwatch()
        rows = run()
        reports.setdefault(name, []).append((watch.seconds, len(rows)))

    only = frozenset({busiest})
    for day in weekdays:
        timed("center day by 15 min, per queue", lambda d=day: history.history(
            HistoryQuery(d, d, Granularity.MIN15, GroupBy.QUEUE, centers=only), mine))  # fmt: skip
        timed("center day by 15 min, per center with states", lambda d=day: history.history(
            HistoryQuery(d, d, Granularity.MIN15, GroupBy.CENTER, centers=only), mine))  # fmt: skip
        timed("center day, abandoned-call list", lambda d=day: history.abandoned(
            HistoryQuery(d, d, Granularity.MIN15, GroupBy.CENTER, centers=only), mine))  # fmt: skip
    for start, end in months or [(today - dt.timedelta(days=min(days, 30)), today - dt.timedelta(days=1))]:
        timed("month by day, all centers, per center", lambda s=start, e=end: history.history(
            HistoryQuery(s, e, Granularity.DAY, GroupBy.CENTER), scope))  # fmt: skip
    for _ in range(min(repeats, 3)):
        timed("year by month, all centers, per institution", lambda: history.history(
            HistoryQuery(today - dt.timedelta(days=days), today, Granularity.MONTH, GroupBy.GROUP), scope))  # fmt: skip
    out: dict[str, Any] = {}
    for name, runs in reports.items():
        warm = [s for s, _ in runs[1:]] or [runs[0][0]]
        out[name] = {"cold_ms": round(runs[0][0] * 1000, 1), "warm": Latency.of(warm).as_dict(),
                     "rows": runs[0][1], "runs": len(runs)}  # fmt: skip
        say(f"  {name:48s} cold {runs[0][0] * 1000:8.1f} ms   warm {Latency.of(warm).text()}   rows {runs[0][1]}")
    return out


def _no_rollups(*args: Any, **kw: Any) -> None:
    return None


def measure_writes(system: System, world: World, seconds: float, rate: float, seed: int) -> dict[str, Any]:
    """Finished calls at ``rate`` per second for ``seconds``, rollups on or off per write at random."""
    store = AgentContacts(system.uow, system.policy, system.calendar)
    rng = random.Random(seed)
    shipped = (call_rollups.call_written, call_rollups.keep_abandoned_caller, call_rollups.state_changed)
    timings: dict[tuple[str, bool], list[float]] = {}
    count = int(seconds * rate)
    started = time.perf_counter()
    for n in range(count):
        due = started + n / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        code = rng.choice(world.centers)
        now = dt.datetime.now(dt.UTC)
        enqueued = now - dt.timedelta(seconds=rng.uniform(60, 400))
        agent = rng.choice(world.agents[code])
        call = FinishedCall(f"w{seed}-{n}", CallKind.INBOUND, code, "general", enqueued, dialled_center=code)
        if rng.random() < 0.1:
            call = dataclasses.replace(call, abandoned_at=enqueued + dt.timedelta(seconds=30))
        else:
            answered = enqueued + dt.timedelta(seconds=10)
            ended = answered + dt.timedelta(seconds=150)
            call = dataclasses.replace(call, answered_center=code, agent_id=agent, answered_at=answered,
                                       ended_at=ended, wrapup_ended_at=ended + dt.timedelta(seconds=30))  # fmt: skip
            if rng.random() < 0.5:  # the contact's end wrote it first (not measured)
                store.call_finished(dataclasses.replace(call, wrapup_ended_at=None))
        keep = rng.random() < 0.5
        if not keep:
            call_rollups.call_written = call_rollups.keep_abandoned_caller = _no_rollups
            call_rollups.state_changed = _no_rollups
        try:
            watch = Stopwatch()
            store.call_finished(call, caller_digits="01012345678" if call.abandoned else None)
            timings.setdefault(("call_finished", keep), []).append(watch.seconds)
            change = AgentStateChange(agent, code, now, rng.choice(["ready", "on-call", "wrap-up"]), "ready")
            watch = Stopwatch()
            store.agent_state_changed(change)
            timings.setdefault(("agent_state_changed", keep), []).append(watch.seconds)
        finally:
            call_rollups.call_written, call_rollups.keep_abandoned_caller, call_rollups.state_changed = shipped
    achieved = count / (time.perf_counter() - started)
    out: dict[str, Any] = {"rate_per_s": round(achieved, 1)}
    for kind in ("call_finished", "agent_state_changed"):
        with_, without = Latency.of(timings.get((kind, True), [])), Latency.of(timings.get((kind, False), []))
        extra = round(with_.p99_ms - without.p99_ms, 3)
        out[kind] = {"with_rollups": with_.as_dict(), "without": without.as_dict(), "extra_p99_ms": extra}
        say(f"  {kind:20s} with rollups    {with_.text()}")
        say(f"  {kind:20s} without         {without.text()}")
        say(f"  {kind:20s} extra p99 {extra:.2f} ms (target {TARGET_EXTRA_MS} ms)")
    return out


def run_backend(db: Database, directory: Path, calls: int, days: int, agents: int, write_seconds: float,
                repeats: int, seed: int) -> dict[str, Any]:  # fmt: skip
    from crm.store import migrate

    system = make_system(db, directory / "state")
    try:
        migrate.upgrade(system.engine)
        seed_centers(system)
        watch = Stopwatch()
        last = [0.0]

        def progress(day: dt.date, loaded: Loaded) -> None:
            if watch.seconds - last[0] > 30:
                last[0] = watch.seconds
                say(f"  … {day}: {loaded.calls:,} calls in {watch.seconds:.0f} s")

        with system.engine.begin() as conn:
            world = make_world(system, conn, agents)
            loaded = load_year(system, conn, world, calls, days, seed, progress=progress)
        load_s = watch.seconds
        with system.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
        say(f"  loaded {loaded.calls:,} calls over {days} days in {load_s:.0f} s: {loaded.call_rollup_rows:,} "
            f"interval rollup rows, {loaded.daily_rollup_rows:,} daily, {loaded.daily_state_rows:,} daily state rows, "
            f"{loaded.state_rollup_rows:,} interval state rows (last 14 days)")  # fmt: skip
        reports = measure_reports(system, world, days, repeats)
        worst = max(r["warm"]["p99_ms"] for r in reports.values())
        say(f"  worst warm p99 {worst:.1f} ms (target {TARGET_S * 1000:.0f} ms)")
        writes = measure_writes(system, world, write_seconds, 50.0, seed) if write_seconds > 0 else {}
        return {"backend": db.backend, "server": db.server_version, "durability": db.durability,
                "loaded": dataclasses.asdict(loaded), "load_s": round(load_s, 1), "reports": reports,
                "worst_warm_p99_ms": worst, "writes": writes}  # fmt: skip
    finally:
        system.engine.dispose()


def main(argv: list[str] | None = None) -> int:
    import argparse as _argparse

    parser = argparse.ArgumentParser(prog="python -m bench.call_history", description=__doc__,
                                     formatter_class=_argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--calls", type=int, help="calls over the year (default 20 M PostgreSQL, 1 M SQLite)")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--write-seconds", type=float, default=60.0, help="seconds of writes at 50 calls/s")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pg-durability", choices=["production", "test"], default="production")
    parser.add_argument("--quick", action="store_true", help="200,000 / 100,000 calls, 10 s of writes")
    args = parser.parse_args(argv)
    backends = list(BACKENDS) if args.backend == "both" else [args.backend]
    if args.quick:
        args.write_seconds = min(args.write_seconds, 10.0)
    params = {"backends": backends, "days": args.days, "agents": args.agents, "write_seconds": args.write_seconds,
              "quick": args.quick, "seed": args.seed}  # fmt: skip
    header("call history: reports over a year, rollup cost on the call path", machine(), params)
    results = []
    with stop_on_sigterm():
        for backend in backends:
            calls = args.calls or (QUICK if args.quick else FULL)[backend]
            say(f"-- {backend}: {calls:,} calls")
            with workdir("sori-bench-history-") as directory, database(backend, directory, args.pg_durability) as db:
                results.append(run_backend(db, directory, calls, args.days, args.agents, args.write_seconds,
                                           args.repeats, args.seed))  # fmt: skip
    emit_json({"benchmark": "call_history", "params": params, "results": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
