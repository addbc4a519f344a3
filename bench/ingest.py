"""Interaction ingest: contacts, with their case events, committed per second, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.ingest                     # both backends, 1 thread then 4 threads
    .venv/bin/python -m bench.ingest --quick --profile   # small run, with a cProfile of the 1-thread run

One contact is one unit of work and one commit, through the real domain services:
``start_interaction`` (caller matched by number: 80% known citizens, 20% new
numbers, which register a citizen), then ``continue_case`` when the citizen has a
case touched in the last week or else ``open_case``, then ``end_interaction`` and
``wrap_up`` — an interaction plus 3-4 case events. One contact in ten is
abandoned in queue instead (an interaction, no case, no event). Agents are real
agents of their center; each thread works its own agents. The store is preloaded
(default 50,000 citizens, 200,000 interactions) so lookups and index inserts
are not into empty tables.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import itertools
import pstats
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from bench.common import (
    BACKENDS,
    CpuSample,
    Database,
    Latency,
    SqlTimer,
    StatementLog,
    Stopwatch,
    cpu_sample,
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
from bench.dataset import TOPICS, load, phone_display
from crm.cases import contacts, services
from crm.cases.model import Channel, Disposition
from crm.store import tables
from kernel.actor import Actor, Role
from sori.wiring import System

SQLITE_TARGET = 1000.0
POSTGRES_TARGET = 2000.0


@dataclass(frozen=True)
class AgentSeat:
    actor: Actor


class Caller:
    """Calling numbers: mostly citizens on record, some first-time callers (numbers never used before)."""

    def __init__(self, citizens: int) -> None:
        self.citizens = citizens
        self._new = itertools.count(citizens + 1)  # next() on itertools.count is atomic under the GIL

    def phone(self, rng: random.Random) -> str:
        if rng.random() < 0.8:
            return phone_display(rng.randint(1, self.citizens))
        return phone_display(next(self._new))


def one_contact(system: System, seat: AgentSeat, phone: str, rng: random.Random) -> float:
    """One contact, start to wrap-up, in one unit of work; returns the seconds spent in ``commit``."""
    now = system.clock()
    actor = seat.actor
    center = actor.center_code
    assert center is not None
    with system.uow() as uow:
        if rng.random() < 0.1:
            acd = Actor.system("acd")
            interaction, _, _ = contacts.start_interaction(
                uow, acd, now, system.policy, channel=Channel.INBOUND_CALL, center_code=center, phone=phone,
                sip_call_id=f"{rng.getrandbits(64):x}@edge.sori.local", queued_at=now - dt.timedelta(seconds=45))
            assert interaction.id is not None
            contacts.end_interaction(uow, acd, now, system.policy, interaction_id=interaction.id,
                                     disposition=Disposition.ABANDONED_IN_QUEUE)
        else:
            interaction, candidates, offered = contacts.start_interaction(
                uow, actor, now, system.policy, channel=Channel.INBOUND_CALL, center_code=center, phone=phone,
                sip_call_id=f"{rng.getrandbits(64):x}@edge.sori.local", queued_at=now - dt.timedelta(seconds=20))
            assert interaction.id is not None
            if interaction.citizen_id is None:
                contacts.assign_citizen(uow, actor, interaction_id=interaction.id, citizen_id=candidates[0])
            category, summary = TOPICS[rng.randrange(len(TOPICS))]
            own = [case for case in offered if case.owner_center == center]  # a center continues only its own
            if own:
                services.continue_case(uow, actor, now, interaction_id=interaction.id, number=own[0].number,
                                       policy=system.policy)
            else:
                services.open_case(uow, actor, now, citizen_id=interaction.citizen_id or candidates[0],
                                   center_code=center, channel=Channel.INBOUND_CALL, category=category,
                                   summary=summary, interaction_id=interaction.id)
            contacts.end_interaction(uow, actor, now, system.policy, interaction_id=interaction.id,
                                     disposition=Disposition.ANSWERED, talk_seconds=rng.randint(40, 900))
            contacts.wrap_up(uow, actor, now, interaction_id=interaction.id, notes=f"{summary}. 안내 완료.",
                            wrap_up_code="informed")
        started = time.perf_counter()
        uow.commit()
        return time.perf_counter() - started


def core_contact(system: System, seat: AgentSeat, phone: str, rng: random.Random) -> float:
    """Baseline: the same rows as an answered contact that opens a case, written with Core statements.

    One transaction and one commit, no ORM and no domain rules: what the store
    itself can take, against which the real path is quoted.
    """
    actor = seat.actor
    center = actor.center_code
    now = system.clock()
    t = tables
    digits = phone.replace("-", "")
    with system.engine.connect() as conn:
        conn.begin()
        citizen_id = conn.execute(select(t.citizen_phones.c.citizen_id).where(t.citizen_phones.c.digits == digits)
                                  ).scalar()
        if citizen_id is None:
            citizen_id = conn.execute(t.citizens.insert().values(created_at=now, updated_at=now, version=1)
                                      .returning(t.citizens.c.id)).scalar_one()
            conn.execute(t.citizen_phones.insert().values(citizen_id=citizen_id, digits=digits, kind="mobile",
                                                          added_at=now))
        interaction_id = conn.execute(t.interactions.insert().values(
            channel=Channel.INBOUND_CALL, center_code=center, started_at=now, citizen_id=citizen_id,
            agent_id=actor.agent_id, caller_masked=phone, queued_at=now, answered_at=now, wait_seconds=20,
            sip_call_id=f"{rng.getrandbits(64):x}@edge.sori.local").returning(t.interactions.c.id)).scalar_one()
        sequence = conn.execute(text(
            "INSERT INTO case_sequences (center_code, year, last_value) VALUES (:c, :y, 1) ON CONFLICT "
            "(center_code, year) DO UPDATE SET last_value = case_sequences.last_value + 1 RETURNING last_value"),
            {"c": center, "y": now.year}).scalar_one()
        category, summary = TOPICS[rng.randrange(len(TOPICS))]
        case_id = conn.execute(t.cases.insert().values(
            number=f"{now.year}-{center}-{sequence}", citizen_id=citizen_id, origin_channel=Channel.INBOUND_CALL,
            owner_center=center, owner_agent_id=actor.agent_id, status="open", category=category, summary=summary,
            created_at=now, updated_at=now, version=1).returning(t.cases.c.id)).scalar_one()
        conn.execute(t.case_events.insert(), [
            {"case_id": case_id, "at": now, "kind": kind, "actor_agent_id": actor.agent_id, "actor": actor.login,
             "before": None, "after": {"interaction_id": interaction_id}}
            for kind in ("created", "contact-added", "updated", "updated")])
        conn.execute(t.interactions.update().where(t.interactions.c.id == interaction_id).values(
            case_id=case_id, ended_at=now, completed_at=now, talk_seconds=rng.randint(40, 900), wrapup_seconds=0,
            disposition=Disposition.ANSWERED, notes=f"{summary}. 안내 완료."))
        started = time.perf_counter()
        conn.commit()
        return time.perf_counter() - started


Contact = Callable[[System, AgentSeat, str, random.Random], float]


@dataclass
class RunResult:
    threads: int
    contacts: int
    seconds: float
    latency: Latency
    commit_seconds: float
    sql_seconds: float
    statements: int
    retries: int
    interactions: int
    case_events: int
    cpu: CpuSample

    @property
    def per_second(self) -> float:
        return self.contacts / self.seconds

    def share(self, seconds: float) -> float:
        """A fraction of the threads' wall time."""
        return seconds / self.seconds / self.threads

    def as_dict(self) -> dict[str, Any]:
        return {
            "threads": self.threads, "contacts": self.contacts, "seconds": round(self.seconds, 3),
            "contacts_per_s": round(self.per_second, 1),
            "interactions_per_s": round(self.interactions / self.seconds, 1),
            "case_events_per_s": round(self.case_events / self.seconds, 1), "latency": self.latency.as_dict(),
            "statements_per_contact": round(self.statements / self.contacts, 1),
            "sql_share": round(self.share(self.sql_seconds), 3),
            "commit_share": round(self.share(self.commit_seconds), 3), "retries": self.retries,
            "cpu_cores": self.cpu.cores(self.seconds),
        }

    def text(self) -> str:
        return (f"{self.threads} thread(s): {self.per_second:7.1f} contacts/s "
                f"({self.interactions / self.seconds:,.0f} interactions/s, "
                f"{self.case_events / self.seconds:,.0f} case events/s); per contact "
                f"p50 {self.latency.p50_ms:.2f} ms, p99 {self.latency.p99_ms:.2f} ms; "
                f"{self.statements / self.contacts:.1f} SQL statements/contact; time in SQL execute "
                f"{self.share(self.sql_seconds):.0%}, in commit {self.share(self.commit_seconds):.0%}; "
                f"cores busy: {', '.join(f'{k} {v:.2f}' for k, v in self.cpu.cores(self.seconds).items())}; "
                f"retries {self.retries}")


def counts(system: System) -> tuple[int, int]:
    with system.engine.connect() as conn:
        interactions = conn.execute(select(func.count()).select_from(tables.interactions)).scalar_one()
        events = conn.execute(select(func.count()).select_from(tables.case_events)).scalar_one()
    return int(interactions), int(events)


def run(system: System, db: Database, seats: list[AgentSeat], caller: Caller, total: int, threads: int, seed: int,
        contact: Contact = one_contact) -> RunResult:
    latencies: list[float] = []
    commit_time = [0.0]
    retries = [0]
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        mine = seats[index::threads]
        local: list[float] = []
        local_commit = 0.0
        local_retries = 0
        start.wait()
        for n in range(total // threads):
            seat = mine[n % len(mine)]
            phone = caller.phone(rng)
            began = time.perf_counter()
            while True:
                try:
                    local_commit += contact(system, seat, phone, rng)
                    break
                except (StaleDataError, IntegrityError, OperationalError):
                    local_retries += 1  # a concurrent contact changed the same case: redo it, as the API client would
            local.append(time.perf_counter() - began)
        with lock:
            latencies.extend(local)
            commit_time[0] += local_commit
            retries[0] += local_retries

    before = counts(system)
    pool = [threading.Thread(target=worker, args=(i,), name=f"ingest-{i}") for i in range(threads)]
    for thread in pool:
        thread.start()
    with SqlTimer(system.engine) as sql, StatementLog(system.engine) as log:
        start.wait()
        watch = Stopwatch()
        cpu = cpu_sample(db)
        for thread in pool:
            thread.join()
        seconds = watch.seconds
        cpu = cpu_sample(db) - cpu
    after = counts(system)
    return RunResult(threads, len(latencies), seconds, Latency.of(latencies), commit_time[0], sql.seconds,
                     log.count, retries[0], after[0] - before[0], after[1] - before[1], cpu)


def seats_of(system: System) -> list[AgentSeat]:
    with system.uow(readonly=True) as uow:
        agents = [a for a in uow.agents.list() if a.role is Role.AGENT and a.active]
    return [AgentSeat(Actor(center_code=a.center_code, role=a.role, login=a.login, agent_id=a.id)) for a in agents]


def weighted_seats(seats: list[AgentSeat], rng: random.Random, count: int) -> list[AgentSeat]:
    """Agents drawn as calls arrive: busy centers (first in the centers file) get most calls."""
    order: dict[str, int] = {}
    for seat in seats:
        order.setdefault(seat.actor.center_code or "", len(order))
    weights = [1 / (order[s.actor.center_code or ""] + 1) ** 0.9 for s in seats]
    return rng.choices(seats, weights=weights, k=count)


def profile_contacts(system: System, seats: list[AgentSeat], caller: Caller, count: int, seed: int) -> str:
    rng = random.Random(seed)
    profiler = cProfile.Profile()
    profiler.enable()
    for n in range(count):
        one_contact(system, seats[n % len(seats)], caller.phone(rng), rng)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(35)
    return out.getvalue()


def run_backend(db: Database, directory: Path, args: argparse.Namespace) -> dict[str, Any]:
    say(f"\n-- {db.backend} {db.server_version} ({db.durability}) --")
    system = make_system(db, directory / "state", threads=max(8, args.threads))
    try:
        dataset = load(system, args.citizens, args.interactions, seed=args.seed)
        say(f"preloaded {dataset.citizens:,} citizens, {dataset.interactions:,} interactions, {dataset.cases:,} cases "
            f"in {dataset.total_load_seconds} s")
        rng = random.Random(args.seed)
        seats = weighted_seats(seats_of(system), rng, 4000)
        caller = Caller(args.citizens)
        run(system, db, seats, caller, args.warmup, 1, args.seed)
        target = SQLITE_TARGET if db.backend == "sqlite" else POSTGRES_TARGET
        result: dict[str, Any] = {"server_version": db.server_version, "durability": db.durability,
                                  "target_contacts_per_s": target}
        for threads in sorted({1, args.threads}):
            baseline = run(system, db, seats, caller, args.contacts, threads, args.seed + 50 + threads, core_contact)
            say("baseline (same rows, Core, no ORM) " + baseline.text())
            result[f"baseline_threads_{threads}"] = baseline.as_dict()
            figures = run(system, db, seats, caller, args.contacts, threads, args.seed + threads)
            say("domain services + ORM             " + figures.text())
            say(f"    ratio to baseline {figures.per_second / baseline.per_second:.2f}")
            result[f"threads_{threads}"] = figures.as_dict()
        best = max(v["contacts_per_s"] for k, v in result.items() if k.startswith("threads_"))
        result["best_contacts_per_s"] = best
        result["target_met"] = best >= target
        say(f"best {best:,.0f} contacts/s against a target of {target:,.0f}/s: {'met' if best >= target else 'MISSED'}")
        if args.profile:
            say(f"cProfile of {args.profile_contacts} contacts, one thread:")
            say(profile_contacts(system, seats, caller, args.profile_contacts, args.seed + 99))
        return result
    finally:
        system.engine.dispose()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--contacts", type=int, default=4000, help="contacts per measured run")
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--citizens", type=int, default=50_000, help="citizens preloaded")
    parser.add_argument("--interactions", type=int, default=200_000, help="interactions preloaded")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pg-durability", choices=["production", "test"], default="production")
    parser.add_argument("--profile", action="store_true", help="cProfile a single-threaded run and print it")
    parser.add_argument("--profile-contacts", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="10,000 citizens, 30,000 interactions, 1,000 contacts")
    args = parser.parse_args(argv)
    if args.quick:
        args.citizens, args.interactions, args.contacts, args.warmup = 10_000, 30_000, 1000, 100
        args.profile_contacts = min(args.profile_contacts, 500)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    backends = list(BACKENDS) if args.backend == "both" else [args.backend]
    info = machine()
    params = {k: v for k, v in vars(args).items() if k not in ("profile", "profile_contacts")}
    header("interaction ingest", info, params)
    results: dict[str, Any] = {}
    with stop_on_sigterm():
        for backend in backends:
            with workdir(f"sori-bench-{backend}-") as directory, \
                    database(backend, directory, args.pg_durability) as db:
                results[backend] = run_backend(db, directory, args)
    say("\nsummary (contacts/s)        1 thread   " + f"{args.threads} threads   target")
    for backend, figures in results.items():
        many = figures.get(f"threads_{args.threads}", figures["threads_1"])
        say(f"  {backend:12s}          {figures['threads_1']['contacts_per_s']:8.1f}   {many['contacts_per_s']:9.1f}"
            f"   {figures['target_contacts_per_s']:6.0f}")
    emit_json({"benchmark": "ingest", "revision": revision(), "machine": vars(info), "params": params,
               "results": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
