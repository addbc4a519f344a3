"""Screen-pop lookup latency: the repository call and the full HTTP request, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.screen_pop            # 200,000 citizens, 1,000,000 interactions, both backends
    .venv/bin/python -m bench.screen_pop --quick    # small store, a minute or so

(a) repository: in a read unit of work, ``citizens.by_phone`` and, for each
citizen found, ``interactions.recent_for_citizen(id, 20)`` — the store's part of
a screen-pop. (b) HTTP: ``GET /api/v1/citizens?phone=…&reason=…`` as a logged-in
agent against the real service tree of ``sori up`` (twisted.web, the database
thread pool, access-log rows committed), from a ``requests.Session``. In
between, as a diagnostic, the service: ``crm.access.views.screen_pop`` and its
commit without HTTP. Each is quoted with a baseline measured in the same run (a
one-row read unit of work; ``GET /api/v1/me``). Phones are drawn uniformly over
citizens, so about 1% of lookups hit a frequent caller and the p99 sits on that
boundary; frequent callers are then measured on their own.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import Engine, func, select

from bench.common import (
    BACKENDS,
    Database,
    Latency,
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
from bench.dataset import BENCH_PASSWORD, Dataset, load, phone_digits, phone_display
from crm.access import views
from crm.store import tables
from kernel.actor import Actor
from sori.wiring import System
from tests.support import reactor as rt
from tests.support.api import RunningApi

REPOSITORY_TARGET_P99_MS = 20.0
HTTP_TARGET_P99_MS = 50.0
CONTACTS = 20
REASON = "민원 처리 이력 확인"
HTTP_AGENT = "bench.acrc110.0"  # an agent of the busiest center


def repository_lookup(system: System, digits: str) -> int:
    """The store's part of a screen-pop; returns the number of contacts read."""
    read = 0
    with system.uow(readonly=True) as uow:
        for citizen in uow.citizens.by_phone(digits):
            assert citizen.id is not None
            read += len(uow.interactions.recent_for_citizen(citizen.id, CONTACTS))
    return read


def service_lookup(system: System, actor: Actor, phone: str) -> int:
    """The domain read model behind the endpoint: decided, filtered, access-logged and committed, no HTTP."""
    with system.uow() as uow:
        found = views.screen_pop(uow, actor, system.clock(), phone=phone, requested=None, reason=REASON,
                                 via="GET /api/v1/citizens", limit=CONTACTS)
        uow.commit()
    return sum(len(v.contacts) + v.hidden_contacts for v in found)


def repository_baseline(system: System, _digits: str) -> int:
    with system.uow(readonly=True) as uow:
        return 1 if uow.centers.get("ACRC110") is not None else 0


def timed(call: Callable[[str], int], keys: list[str], warmup: int) -> tuple[Latency, list[int]]:
    for key in keys[:warmup]:
        call(key)
    samples: list[float] = []
    sizes: list[int] = []
    for key in keys:
        started = time.perf_counter()
        sizes.append(call(key))
        samples.append(time.perf_counter() - started)
    return Latency.of(samples), sizes


def explain(engine: Engine, statements: list[tuple[str, Any]]) -> list[str]:
    """The plans of the distinct SELECTs among ``statements``, as the database will run them."""
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    lines: list[str] = []
    times = Counter(statement for statement, _ in statements)
    seen: set[str] = set()
    with engine.connect() as conn:
        for statement, parameters in statements:
            if not statement.lstrip().upper().startswith("SELECT") or statement in seen:
                continue
            seen.add(statement)
            lines.append(f"  x{times[statement]}  " + " ".join(statement.split())[:150])
            for row in conn.exec_driver_sql(prefix + statement, parameters):
                lines.append("      " + str(row[-1]))
    return lines


class HttpScreenPop:
    def __init__(self, api: RunningApi, token: str) -> None:
        self.base = api.base
        self.session = requests.Session()
        self.session.headers["authorization"] = f"Bearer {token}"
        self.failures = 0

    def lookup(self, phone: str) -> int:
        response = self.session.get(f"{self.base}/api/v1/citizens", params={"phone": phone, "reason": REASON},
                                    timeout=30)
        if response.status_code != 200:
            self.failures += 1
            if self.failures <= 3:
                say(f"    {response.status_code} for {phone}: {response.text[:200]}")
            return 0
        return sum(len(c["contacts"]) + c["hidden_contacts"] for c in response.json()["citizens"])

    def me(self, _phone: str) -> int:
        response = self.session.get(f"{self.base}/api/v1/me", timeout=30)
        if response.status_code != 200:
            self.failures += 1
        return 1


def login(api: RunningApi) -> str:
    response = requests.post(f"{api.base}/api/v1/auth/login", json={"login": HTTP_AGENT, "password": BENCH_PASSWORD},
                             timeout=30)
    response.raise_for_status()
    return str(response.json()["token"])


def most_frequent_caller(system: System) -> int:
    c = tables.interactions.c
    query = select(c.citizen_id).where(c.citizen_id.is_not(None)).group_by(c.citizen_id)
    with system.engine.connect() as conn:
        return int(conn.execute(query.order_by(func.count().desc()).limit(1)).scalar_one())


def access_log_rows(system: System) -> int:
    with system.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(tables.access_log)).scalar_one())


def run_backend(db: Database, directory: Path, args: argparse.Namespace) -> dict[str, Any]:
    say(f"\n-- {db.backend} {db.server_version} ({db.durability}) --")
    system = make_system(db, directory / "state")
    try:
        say(f"loading {args.citizens:,} citizens and {args.interactions:,} interactions ...")
        dataset = load(system, args.citizens, args.interactions, seed=args.seed)
        say(f"loaded in {dataset.total_load_seconds} s: " +
            ", ".join(f"{k} {v} s" for k, v in dataset.load_seconds.items()))
        rng = random.Random(args.seed + 1)
        ids = [rng.randint(1, args.citizens) for _ in range(max(args.lookups, args.http_lookups))]
        result: dict[str, Any] = {"server_version": db.server_version, "durability": db.durability,
                                  "load": _load_figures(dataset)}
        cpu, watch = cpu_sample(db), Stopwatch()
        result.update(_measure_repository(system, ids[: args.lookups], args))
        result.update(_measure_service(system, ids[: args.http_lookups], args))
        result.update(_measure_http(system, ids[: args.http_lookups], args))
        if dataset.frequent_callers:
            result["frequent_callers"] = _measure_frequent(system, dataset.frequent_callers[: args.frequent], args)
        result["cpu_cores"] = (cpu_sample(db) - cpu).cores(watch.seconds)
        say("cores busy while measuring: " + ", ".join(f"{k} {v:.2f}" for k, v in result["cpu_cores"].items()))
        return result
    finally:
        system.engine.dispose()


def _load_figures(dataset: Dataset) -> dict[str, Any]:
    return {"seconds": dataset.total_load_seconds, "steps": dataset.load_seconds, "citizens": dataset.citizens,
            "interactions": dataset.interactions, "cases": dataset.cases, "case_events": dataset.case_events}


def _measure_frequent(system: System, ids: list[int], args: argparse.Namespace) -> dict[str, Any]:
    """The tail on purpose: only frequent callers (about 100 contacts and 90 cases each at full size)."""
    with system.engine.connect() as conn:
        cases = conn.execute(select(func.count()).select_from(tables.cases)
                             .where(tables.cases.c.citizen_id.in_(ids))).scalar_one()
    say(f"frequent callers only ({len(ids)} citizens, {cases / len(ids):.0f} cases each on average):")
    warmup = min(args.warmup, 10)
    repository, _ = timed(lambda d: repository_lookup(system, d), [phone_digits(i) for i in ids], warmup)
    actor = _http_actor(system)
    phones = [phone_display(i) for i in ids]
    service, _ = timed(lambda p: service_lookup(system, actor, p), phones, warmup)
    api = RunningApi(system)
    try:
        client = HttpScreenPop(api, login(api))
        http, _ = timed(client.lookup, phones, warmup)
    finally:
        api.stop()
    say(f"    repository  {repository.text()}")
    say(f"    service     {service.text()}")
    say(f"    HTTP        {http.text()}")
    return {"citizens": len(ids), "cases_per_citizen": round(cases / len(ids), 1),
            "repository": repository.as_dict(), "service": service.as_dict(), "http": http.as_dict()}


def _http_actor(system: System) -> Actor:
    with system.uow(readonly=True) as uow:
        agent = uow.agents.by_login(HTTP_AGENT)
        assert agent is not None
        return Actor(center_code=agent.center_code, role=agent.role, login=agent.login, agent_id=agent.id)


def _measure_repository(system: System, ids: list[int], args: argparse.Namespace) -> dict[str, Any]:
    digits = [phone_digits(i) for i in ids]
    if args.explain:
        say("query plans of one repository lookup (the most frequent caller):")
        frequent = phone_digits(most_frequent_caller(system))
        with StatementLog(system.engine) as log:
            repository_lookup(system, frequent)
        for line in explain(system.engine, log.statements):
            say(line)
    with StatementLog(system.engine) as log:
        repository_lookup(system, digits[0])
    baseline, _ = timed(lambda d: repository_baseline(system, d), digits[: min(len(digits), 1000)], args.warmup)
    latency, sizes = timed(lambda d: repository_lookup(system, d), digits, args.warmup)
    say(f"repository baseline (read UoW, one row)   {baseline.text()}")
    say(f"repository screen-pop ({log.count} statements)   {latency.text()}")
    say(f"    contacts read per lookup: mean {sum(sizes) / len(sizes):.1f}; "
        f"p50 ratio to baseline {latency.p50_ms / baseline.p50_ms:.1f}x; "
        f"p99 target {REPOSITORY_TARGET_P99_MS:.0f} ms: {_verdict(latency.p99_ms, REPOSITORY_TARGET_P99_MS)}")
    return {"repository": latency.as_dict(), "repository_baseline": baseline.as_dict(),
            "repository_statements": log.count,
            "repository_target_met": latency.p99_ms < REPOSITORY_TARGET_P99_MS}


def _measure_service(system: System, ids: list[int], args: argparse.Namespace) -> dict[str, Any]:
    actor = _http_actor(system)
    latency, _ = timed(lambda p: service_lookup(system, actor, p), [phone_display(i) for i in ids], args.warmup)
    say(f"service screen-pop (views.screen_pop+commit) {latency.text()}")
    return {"service": latency.as_dict()}


def _measure_http(system: System, ids: list[int], args: argparse.Namespace) -> dict[str, Any]:
    api = RunningApi(system)
    try:
        client = HttpScreenPop(api, login(api))
        phones = [phone_display(i) for i in ids]
        logged_before = access_log_rows(system)
        baseline, _ = timed(client.me, phones[: min(len(phones), 500)], args.warmup)
        latency, sizes = timed(client.lookup, phones, args.warmup)
        logged = access_log_rows(system) - logged_before
        worst = _statements_per_request(system, client, phones)
        if args.explain:
            frequent = phone_display(most_frequent_caller(system))
            with StatementLog(system.engine) as log:
                client.lookup(frequent)
            say("query plans of one HTTP screen-pop (the most frequent caller):")
            for line in explain(system.engine, log.statements):
                say(line)
    finally:
        api.stop()
    say(f"HTTP baseline (GET /api/v1/me)            {baseline.text()}")
    say(f"HTTP screen-pop (GET /api/v1/citizens)    {latency.text()}")
    say(f"    contacts per response: mean {sum(sizes) / len(sizes):.1f}; access-log rows written {logged:,}; "
        f"failures {client.failures}; SQL statements per request: typical {worst[0]}, largest citizen {worst[1]}")
    say(f"    p50 ratio to baseline {latency.p50_ms / baseline.p50_ms:.1f}x; "
        f"p99 target {HTTP_TARGET_P99_MS:.0f} ms: {_verdict(latency.p99_ms, HTTP_TARGET_P99_MS)}")
    return {"http": latency.as_dict(), "http_baseline": baseline.as_dict(), "http_failures": client.failures,
            "http_access_log_rows": logged, "http_statements_typical": worst[0],
            "http_statements_largest": worst[1], "http_target_met": latency.p99_ms < HTTP_TARGET_P99_MS}


def _pair(latency: dict[str, float]) -> str:
    return f"{latency['p50_ms']:7.2f} / {latency['p99_ms']:7.2f}"


def _verdict(p99_ms: float, target_ms: float) -> str:
    return "met" if p99_ms < target_ms else "MISSED"


def _statements_per_request(system: System, client: HttpScreenPop, phones: list[str]) -> tuple[int, int]:
    """SQL statements behind one screen-pop request, for the first phone and for the largest citizen seen."""
    counts = []
    for phone in phones[:200]:
        with StatementLog(system.engine) as log:
            client.lookup(phone)
        counts.append(log.count)
    return counts[0], max(counts)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.screen_pop", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--citizens", type=int, default=200_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2000, help="repository lookups measured")
    parser.add_argument("--http-lookups", type=int, default=1000, help="HTTP requests measured")
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--frequent", type=int, default=200, help="frequent callers measured on their own")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pg-durability", choices=["production", "test"], default="production")
    parser.add_argument("--explain", action="store_true", help="print the query plans of a lookup")
    parser.add_argument("--quick", action="store_true",
                        help="20,000 citizens, 100,000 interactions, 500 + 300 lookups")
    args = parser.parse_args(argv)
    if args.quick:
        args.citizens, args.interactions, args.lookups, args.http_lookups = 20_000, 100_000, 500, 300
        args.frequent = min(args.frequent, 100)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    backends = list(BACKENDS) if args.backend == "both" else [args.backend]
    info = machine()
    params = {k: v for k, v in vars(args).items() if k not in ("explain",)}
    header("screen-pop lookup", info, params)
    results: dict[str, Any] = {}
    with stop_on_sigterm():
        try:
            for backend in backends:
                with workdir(f"sori-bench-{backend}-") as directory, \
                        database(backend, directory, args.pg_durability) as db:
                    results[backend] = run_backend(db, directory, args)
        finally:
            rt.stop()
    say("\nsummary, ms        repository p50 / p99    service p50 / p99    HTTP p50 / p99")
    for backend, f in results.items():
        say(f"  {backend:12s}    {_pair(f['repository'])}         {_pair(f['service'])}      {_pair(f['http'])}")
    say(f"  p99 target           {'':8s}{REPOSITORY_TARGET_P99_MS:8.1f}   {'':28s}{HTTP_TARGET_P99_MS:8.1f}")
    emit_json({"benchmark": "screen_pop", "revision": revision(), "machine": vars(info), "params": params,
               "results": results,
               "targets_ms": {"repository_p99": REPOSITORY_TARGET_P99_MS, "http_p99": HTTP_TARGET_P99_MS}})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
