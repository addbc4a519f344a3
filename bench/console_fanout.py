"""Push fan-out of the agent console: N connected consoles (SSE clients, not browsers), one CTI event, the time
until every console has it; and the server's memory per open stream.

    .venv/bin/python -m bench.console_fanout                          # 2,000 consoles, 20 events, ~1.5 min
    .venv/bin/python -m bench.console_fanout --clients 200 --events 5 # small

The server is ``sori up``'s real service tree (``sori.runtime.build_services`` on a SQLite store, telephony off,
reactor in a thread of this process as in the other benchmarks), serving ``/console/stream`` over loopback TCP:
the console resource, its session check, ``console.stream.EventStream`` and the system's CTI bus. The consoles are
raw-socket SSE clients (``bench.console_fanout_client``) in ``--procs`` separate processes, so the server's
reactor does not share its core with the clients' parsing. Each connection carries its own ``sori_console``
cookie of a real agent row.

Sessions: a login through the form costs one argon2 hash; 2,000 of them would take minutes, so the sessions are
opened directly on the server's ``ConsoleSessions`` (the object the login form opens them on) with the viewer the
login would have given (the agent row's id, login, name, role and center), on the reactor thread. The API token
of such a session is a placeholder (the stream never uses it). The stream sees them exactly as logged-in agents.

The event: the scope rule (``console.stream_events.classify``) sends an event to a console only if it is the
agent's own or of the agent's center, so no single event reaches consoles of two centers. Two scenarios
(``--centers``, default ``1,8``):

* ``1`` — all consoles are agents of ACRC110 (110); each round publishes one ``queue-changed`` of ACRC110, which
  every console receives as a ``board`` event: exactly "one CTI event, time until all have it".
* ``8`` — the consoles spread evenly over 8 centers; each round publishes one ``queue-changed`` per center, back to
  back in one reactor turn (every stream also filters out the other 7): the time until every console has its
  center's event.

Per round: fan-out completion = the last console's receive time minus the publish time (``time.time()`` in both
processes, one machine; a client stamps bytes when its event loop hands them over, so the time includes its turn
through its other ready sockets); p50/p99/max over the rounds; also the distribution of every single delivery, and
how long the publish call itself ran on the reactor (the bus calls every stream's subscriber synchronously: filter,
frame, ``request.write``; the bytes leave in the reactor's next turns). One warm-up round is published first and
checked but not timed. Every console must receive every event of its center exactly once and nothing else
(counted per client; lost, duplicated and unexpected events printed).

Memory: the server process's RSS before opening the streams and after all are open (a heartbeat later), divided
by the streams; the sessions are opened before the first reading (a session exists without a stream), and kernel
socket buffers are not in RSS. Printed for the first scenario only: later ones reuse the memory the previous
scenario's streams freed. CPU: cores busy from all streams open to the last report, split into the server process,
the client processes and everything else on the machine (other work there skews every figure). Heartbeats run as
shipped (a ``ping`` every 2 s per stream, each checking the session), so 2,000 consoles also mean 1,000 pings/s.
Target: fan-out p99 under 500 ms at 2,000 consoles.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from bench.common import Latency, cpu_busy_seconds, database, emit_json, header, machine, make_system, say, workdir
from console.sessions import ConsoleSessions
from console.stream import EventStream
from console.web import ConsoleResource
from crm.agents.model import Agent
from crm.store import migrate
from kernel.accounts import Viewer
from kernel.actor import Role
from sori.seed.demo import CENTERS_FILE, seed_centers
from sori.wiring import System
from telephony.cti.bus import CtiKind
from tests.support import reactor as rt
from tests.support.api import RunningApi

P99_TARGET_MS = 500.0
MAIN_CENTER = "ACRC110"
SETTLE_S = 2.5  # after the last round, and after connecting: one heartbeat (2 s) and some


@dataclass
class Outcome:
    """One scenario's figures."""

    centers: int
    clients: int
    rounds: list[float]  # fan-out completion of each timed round, seconds
    publish: list[float]  # the publish call of each timed round on the reactor (every stream's filter and write)
    deliveries: list[float]  # every single delivery's latency, seconds
    checks: dict[str, int]
    rss_before_kb: int
    rss_after_kb: int
    open_streams: int
    connect_s: float
    cores: dict[str, float]  # CPU from all streams open to the last report: server, clients, the rest of the machine

    @property
    def per_connection_kb(self) -> float:
        return (self.rss_after_kb - self.rss_before_kb) / max(1, self.open_streams)


def center_codes(count: int) -> list[str]:
    """``count`` centers of the seed file, ACRC110 first."""
    with CENTERS_FILE.open(encoding="utf-8") as file:
        codes = [row["code"] for row in csv.DictReader(file)]
    codes.remove(MAIN_CENTER)
    return [MAIN_CENTER, *codes][:count]


def seed_agents(system: System, centers: list[str], count: int, tag: str) -> list[Viewer]:
    """``count`` real agent rows spread evenly over ``centers``, as the viewers a login would give."""
    made = []
    with system.uow() as uow:
        for n in range(count):
            login = f"bench.fan{tag}.{n}"
            agent = Agent(center_code=centers[n % len(centers)], login=login, display_name=f"상담사{n}",
                          role=Role.AGENT, password_hash="not-used", created_at=system.clock())  # fmt: skip
            uow.agents.add(agent)
            made.append(agent)
        uow.commit()
    with system.uow(readonly=True) as uow:
        agents = [uow.agents.by_login(a.login) for a in made]
    return [Viewer(a.id, a.login, a.display_name, str(a.role), a.center_code) for a in agents if a and a.id]


def console_of(api: RunningApi) -> ConsoleResource:
    """The console resource the service tree mounted at /console (its sessions, its stream)."""
    site = api.root.getServiceNamed("http").args[1]
    return cast(ConsoleResource, site.resource.children[b"console"])


def open_sessions(console: ConsoleResource, viewers: list[Viewer]) -> list[tuple[str, str]]:
    """One console session per viewer, opened on the server's own ``ConsoleSessions`` (reactor thread)."""

    def opening() -> list[tuple[str, str]]:
        sessions: ConsoleSessions = console.sessions
        now = console.clock()
        return [(sessions.open(f"bench-placeholder-{v.agent_id}", v, now).session_id, v.center) for v in viewers]

    return cast(list[tuple[str, str]], rt.call(opening))


def server_cpu_s() -> float:
    """CPU seconds of this process: the server (its reactor thread; the orchestrating thread mostly sleeps)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_kb() -> int:
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def start_clients(port: int, cookies: list[tuple[str, str]], procs: int) -> list[subprocess.Popen[str]]:
    children = []
    for part in range(procs):
        child = subprocess.Popen(
            [sys.executable, "-m", "bench.console_fanout_client", "--port", str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        assert child.stdin is not None
        child.stdin.write(json.dumps(cookies[part::procs]) + "\n")
        child.stdin.flush()
        children.append(child)
    return children


def ask(child: subprocess.Popen[str], line: str | None = None) -> dict[str, Any]:
    assert child.stdin is not None and child.stdout is not None
    if line is not None:
        child.stdin.write(line + "\n")
        child.stdin.flush()
    answer = child.stdout.readline()
    if not answer:
        raise RuntimeError(f"client process {child.pid} ended early (exit {child.wait()})")
    return cast(dict[str, Any], json.loads(answer))


Round = tuple[float, float, dict[str, str]]


def publish_round(system: System, centers: list[str], epoch: str, n: int) -> Round:
    """One ``queue-changed`` per center, on the reactor thread as the desk publishes; (publish time, seconds the
    publish calls took — every subscribed stream's filter, frame and write —, event id of each center)."""

    def publishing() -> Round:
        started = time.time()
        seqs = [
            system.cti.publish(CtiKind.QUEUE_CHANGED, code, skill="general", waiting=n % 7, longest_wait_s=float(n)).seq
            for code in centers
        ]
        took = time.time() - started
        return started, took, {code: f"{epoch}.{seq}" for code, seq in zip(centers, seqs, strict=True)}

    return cast(Round, rt.call(publishing))


def scenario(api: RunningApi, viewers: list[Viewer], centers: list[str], events: int, procs: int,
             gap_s: float, settle_s: float) -> Outcome:  # fmt: skip
    """Open one stream per viewer from ``procs`` client processes, publish 1 + ``events`` rounds, collect."""
    console = console_of(api)
    stream = console.stream
    assert isinstance(stream, EventStream)
    port = int(api.base.rsplit(":", 1)[1])
    cookies = open_sessions(console, viewers)
    before = rss_kb()
    started = time.perf_counter()
    children = start_clients(port, cookies, procs)
    try:
        ready = [ask(child) for child in children]
        connect_s = time.perf_counter() - started
        failed = sum(r["failed"] for r in ready)
        if failed:
            raise RuntimeError(f"{failed} streams did not open: {[r['statuses'] for r in ready]}")
        cpu0, machine0, wall0 = server_cpu_s(), cpu_busy_seconds(), time.perf_counter()
        time.sleep(settle_s)
        after = rss_kb()
        open_streams = int(rt.call(lambda: len(stream.streams)))
        published: list[Round] = []
        for n in range(events + 1):  # round 0 warms up
            published.append(publish_round(api.system, centers, stream.epoch, n))
            time.sleep(gap_s)
        time.sleep(settle_s)
        expected = {code: [ids[code] for _, _, ids in published] for code in centers}
        reports = [ask(child, json.dumps({"expected": expected})) for child in children]
        server, total, wall = server_cpu_s() - cpu0, cpu_busy_seconds() - machine0, time.perf_counter() - wall0
    finally:
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
    times: dict[str, list[float]] = {eid: [] for ids in expected.values() for eid in ids}
    for report in reports:
        for eid, received in report["times"].items():
            times[eid].extend(received)
    rounds, deliveries = [], []
    for at, _, ids in published[1:]:
        received = [t - at for eid in ids.values() for t in times[eid]]
        deliveries.extend(received)
        rounds.append(max(received) if received else float("nan"))
    keys = ("clients", "lost", "duplicated", "unexpected", "exactly_once_clients", "pings", "closed_early")
    checks = {key: sum(int(r[key]) for r in reports) for key in keys}
    checks["events_per_client"] = events + 1
    clients = sum(report["cpu_s"] - start["cpu_s"] for report, start in zip(reports, ready, strict=True))
    cores = {"server": server / wall, "clients": clients / wall, "other": max(0.0, total - server - clients) / wall}
    # closing the streams: wait until the server has let them go before the next scenario
    deadline = time.monotonic() + 30
    while rt.call(lambda: len(stream.streams)) and time.monotonic() < deadline:
        time.sleep(0.2)
    publish = [took for _, took, _ in published[1:]]
    return Outcome(len(centers), len(viewers), rounds, publish, deliveries, checks, before, after, open_streams,
                   connect_s, cores)  # fmt: skip


def figures(outcome: Outcome, first: bool) -> dict[str, Any]:
    """The JSON figures of one scenario (memory only for the first: see ``describe``)."""
    return {
        "centers": outcome.centers,
        "clients": outcome.clients,
        "fanout": Latency.of(outcome.rounds).as_dict(),
        "delivery": Latency.of(outcome.deliveries).as_dict(),
        "rss_before_kb": outcome.rss_before_kb,
        "rss_after_kb": outcome.rss_after_kb,
        "kb_per_connection": round(outcome.per_connection_kb, 2) if first else None,
        "publish": Latency.of(outcome.publish).as_dict(),
        "cores": {k: round(v, 2) for k, v in outcome.cores.items()},
        "connect_s": round(outcome.connect_s, 2),
        "checks": outcome.checks,
        "met": Latency.of(outcome.rounds).p99_ms < P99_TARGET_MS,
    }


def describe(outcome: Outcome, first: bool) -> None:
    fan, single = Latency.of(outcome.rounds), Latency.of(outcome.deliveries)
    c = outcome.checks
    what = "one event of their center" if outcome.centers == 1 else f"one event per center ({outcome.centers})"
    say(f"-- {outcome.clients} consoles over {outcome.centers} center(s), {what} per round --")
    say(f"   streams open on the server {outcome.open_streams}, opened in {outcome.connect_s:.1f} s")
    say(f"   fan-out completion (last console)  {fan.text()}  target p99 {P99_TARGET_MS:.0f}")
    say(f"   every single delivery              {single.text()}")
    memory = (
        f"   server RSS {outcome.rss_before_kb / 1024:.1f} MB before, {outcome.rss_after_kb / 1024:.1f} MB with the "
    )
    if first:
        say(memory + f"streams open: {outcome.per_connection_kb:.1f} kB per connection")
    else:  # the allocator keeps what the previous scenario's streams freed and hands it out again
        say(memory + "streams open (reusing the memory of the previous scenario's streams: no per-connection figure)")
    say(f"   publish call on the reactor        {Latency.of(outcome.publish).text()}")
    cores = outcome.cores
    say(
        f"   cores busy (all open, heartbeats included): server {cores['server']:.2f}, client processes "
        f"{cores['clients']:.2f}, everything else on the machine {cores['other']:.2f}"
    )
    say(
        f"   delivery check: {c['exactly_once_clients']}/{c['clients']} consoles got the "
        f"{c['events_per_client']} events of their center, each exactly once, and nothing else; "
        f"lost {c['lost']}, duplicated {c['duplicated']}, unexpected {c['unexpected']}, "
        f"closed early {c['closed_early']}; pings {c['pings']}"
    )


def run(clients: int, events: int, centers: list[int], procs: int, gap_s: float,
        settle_s: float = SETTLE_S, quiet: bool = False) -> list[Outcome]:  # fmt: skip
    """The scenarios on one fresh system (its store in a temporary directory); their outcomes. ``settle_s``: the
    wait after connecting (before the memory reading) and after the last round (for its last deliveries)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    outcomes = []
    with workdir("sori-bench-fanout-") as work, database("sqlite", work) as db:
        system = make_system(db, work / "state", threads=4)
        migrate.upgrade(system.engine)
        seed_centers(system)
        api = RunningApi(system)
        try:
            for count in centers:
                codes = center_codes(count)
                viewers = seed_agents(system, codes, clients, str(count))
                outcomes.append(scenario(api, viewers, codes, events, procs, gap_s, settle_s))
                if not quiet:
                    describe(outcomes[-1], first=len(outcomes) == 1)
        finally:
            api.stop()
            system.engine.dispose()
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=2000, help="consoles (SSE connections)")
    parser.add_argument("--events", type=int, default=20, help="timed rounds (one warm-up round is added)")
    parser.add_argument("--centers", default="1,8", help="scenarios: centers the consoles spread over")
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--gap", type=float, default=1.0, help="seconds between rounds")
    args = parser.parse_args()
    centers = [int(c) for c in args.centers.split(",")]
    params = {"clients": args.clients, "events": args.events, "centers": centers, "client processes": args.procs,
              "gap s": args.gap}  # fmt: skip
    header("Console push fan-out (SSE, /console/stream of sori up's service tree)", machine(), params)
    say("sessions opened directly on the server's ConsoleSessions (no argon2 login per console), real agent rows")
    outcomes = run(args.clients, args.events, centers, args.procs, args.gap)
    scenarios = [figures(o, first=n == 0) for n, o in enumerate(outcomes)]
    emit_json({"bench": "console_fanout", "targets": {"fanout_p99_ms": P99_TARGET_MS}, "scenarios": scenarios})


if __name__ == "__main__":
    main()
