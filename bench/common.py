"""What every benchmark shares: the machine report, latency summaries, throw-away databases, the system.

A benchmark database is a SQLite file in a temporary directory or a PostgreSQL
server started for the run by ``tests.support.postgres`` (as an unprivileged
user when running as root) and always stopped at the end, even on Ctrl-C or
SIGTERM.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import sqlalchemy
from sqlalchemy import Engine, create_engine, event, text

from sori.config import load_settings
from sori.wiring import System, build_system
from tests.support.postgres import PostgresServer, postgres_bin, start_postgres

BACKENDS = ("sqlite", "postgresql")
# A fixed test key: benchmark data is synthetic and the key is thrown away with it.
BENCH_RRN_KEY = "b0" * 32


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    memory_gb: float
    os: str
    python: str
    sqlite: str
    postgresql: str
    sqlalchemy: str
    busy_cores_at_start: float

    def lines(self) -> list[str]:
        return [
            f"machine    {self.cpu}, {self.cores} cores, {self.memory_gb:.0f} GB RAM, {self.os}",
            f"software   Python {self.python}, SQLite {self.sqlite}, PostgreSQL {self.postgresql}, "
            f"SQLAlchemy {self.sqlalchemy}",
        ]


def machine() -> Machine:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return Machine(
        cpu=cpu,
        cores=os.cpu_count() or 0,
        memory_gb=round(memory, 1),
        os=platform.platform(terse=True),
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
        postgresql=_postgres_version(),
        sqlalchemy=sqlalchemy.__version__,
        busy_cores_at_start=round(_busy_cores(), 2),
    )


def cpu_busy_seconds() -> float:
    """CPU seconds every process on the machine has used so far (from /proc/stat; 0 where there is none)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system_, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system_ + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _busy_cores(seconds: float = 1.0) -> float:
    before = cpu_busy_seconds()
    time.sleep(seconds)
    return (cpu_busy_seconds() - before) / seconds


def _postgres_version() -> str:
    bindir = postgres_bin()
    if bindir is None:
        return "not installed"
    done = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True)
    found = re.search(r"\(PostgreSQL\) (\S+)", done.stdout)
    return found.group(1) if found else "unknown"


@dataclass(frozen=True)
class Latency:
    """A latency distribution in milliseconds (nearest-rank percentiles)."""

    n: int
    mean_ms: float
    p50_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        ordered = sorted(seconds)
        if not ordered:
            return cls(0, math.nan, math.nan, math.nan, math.nan)

        def rank(q: float) -> float:
            return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000

        return cls(
            len(ordered),
            round(sum(ordered) / len(ordered) * 1000, 3),
            round(rank(0.50), 3),
            round(rank(0.99), 3),
            round(ordered[-1] * 1000, 3),
        )

    def text(self) -> str:
        return (
            f"p50 {self.p50_ms:7.2f} ms   p99 {self.p99_ms:7.2f} ms   mean {self.mean_ms:7.2f} ms   "
            f"max {self.max_ms:7.2f} ms   (n={self.n})"
        )

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class Database:
    backend: str
    url: str
    server_version: str
    durability: str
    data_dir: Path | None = None  # PostgreSQL's, to account for the server's CPU


@dataclass(frozen=True)
class CpuSample:
    """Cumulative CPU seconds: this process, the PostgreSQL server (all its processes), the whole machine."""

    process: float
    server: float
    machine: float

    def __sub__(self, other: CpuSample) -> CpuSample:
        return CpuSample(self.process - other.process, self.server - other.server, self.machine - other.machine)

    def cores(self, seconds: float) -> dict[str, float]:
        """Average cores busy over ``seconds``; ``other`` is everything else on the machine (interference)."""
        other = max(0.0, self.machine - self.process - self.server)
        return {
            "benchmark": round(self.process / seconds, 2),
            "postgresql": round(self.server / seconds, 2),
            "other": round(other / seconds, 2),
        }


def cpu_sample(db: Database) -> CpuSample:
    times = os.times()
    return CpuSample(times.user + times.system, _server_cpu(db.data_dir), cpu_busy_seconds())


def _server_cpu(data_dir: Path | None) -> float:
    if data_dir is None:
        return 0.0
    try:
        postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == postmaster or ppid == postmaster:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into SystemExit so ``finally`` blocks stop the servers this run started."""

    def _exit(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def workdir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        yield Path(name)


@contextmanager
def database(backend: str, directory: Path, pg_durability: str = "production") -> Iterator[Database]:
    """A fresh, empty database for one run; PostgreSQL is started here and stopped on the way out.

    ``pg_durability``: ``production`` restarts the server with PostgreSQL's stock
    durability (fsync, synchronous_commit, full_page_writes on); ``test`` keeps
    the test suite's settings (all three off), which flatter every commit.
    """
    if backend == "sqlite":
        # WAL with synchronous=NORMAL, exactly as crm.store.engine configures production.
        url = f"sqlite:///{directory / 'sori.db'}"
        yield Database("sqlite", url, sqlite3.sqlite_version, "WAL, synchronous=NORMAL")
        return
    if backend != "postgresql":
        raise ValueError(f"unknown backend {backend}")
    server = start_postgres()
    try:
        if pg_durability == "production":
            _restart_with_stock_durability(server)
        admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE sori_bench"))
            version = str(conn.execute(text("SHOW server_version")).scalar_one())
            settings = ", ".join(
                f"{name}={conn.execute(text(f'SHOW {name}')).scalar_one()}"
                for name in ("fsync", "synchronous_commit", "full_page_writes", "shared_buffers")
            )
        admin.dispose()
        yield Database("postgresql", server.url("sori_bench"), version, settings, server.root / "data")
    finally:
        server.stop()


def _restart_with_stock_durability(server: PostgresServer) -> None:
    # tests/support/postgres.py turns durability off on the command line (which outranks
    # ALTER SYSTEM), so restart with the same options minus those three.
    data = server.root / "data"
    options = f"-p {server.port} -k {server.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
    command = server._cmd(
        "pg_ctl", "-D", str(data), "-o", options, "-l", str(server.root / "log"), "-w", "-t", "60", "restart"
    )
    subprocess.run(command, check=True, capture_output=True)


def make_system(db: Database, state_dir: Path, threads: int = 8, tools: dict[str, Any] | None = None) -> System:
    """The system ``sori up`` would build for this database (real clock), HTTP on a free loopback port;
    the agent tools off unless ``tools`` configures them (``tests.support.refsvc.tool_settings``)."""
    settings = load_settings(
        state_dir=state_dir,
        database={"url": db.url, "threads": threads},
        privacy={"rrn_hash_key": BENCH_RRN_KEY},
        http={"host": "127.0.0.1", "port": 0},
        telephony={"enabled": False},
        analytics={"index_calls": False},  # no indexer child either (see below: its exit would never be seen)
        # No SMS reference child beside the measured API: nothing here sends codes, and a child of a reactor that
        # runs off the main thread (tests/support/reactor.py, no SIGCHLD handler) may never be seen to exit, so
        # stopping the API could wait for it forever (the screen-pop run hung at its first API's stop).
        # The agent tools likewise: no reference-service child unless the benchmark starts one and points them at it.
        integrations={
            "sms": {"enabled": False},
            **(tools or {name: {"enabled": False} for name in ("public_services", "certificates", "bills")}),
        },
    )
    return build_system(settings)


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


def say(message: str) -> None:
    print(message, flush=True)


def revision() -> str:
    """The commit measured, ``-dirty`` if files outside bench/ differ from it."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", ".", ":!bench"], cwd=root, capture_output=True, text=True
        )
    except OSError:
        return "unknown"
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "") if head.returncode == 0 else "unknown"


def header(title: str, machine_info: Machine, params: dict[str, Any]) -> None:
    say(f"== {title} ==")
    for line in machine_info.lines():
        say(line)
    say(f"code       {revision()}")
    say("parameters " + ", ".join(f"{k}={v}" for k, v in params.items()))
    busy = machine_info.busy_cores_at_start
    say(
        f"load       {busy:.2f} cores busy at start (1-s sample)"
        + ("  WARNING: other work is running; figures will be pessimistic" if busy > 0.3 else "")
    )


def emit_json(payload: dict[str, Any]) -> None:
    """The one machine-readable line every benchmark ends with."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str) + "\n")
    sys.stdout.flush()


class StatementLog:
    """Counts (and keeps) the SQL statements an engine sends while attached: the N+1s show up here."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[tuple[str, Any]] = []

    def _record(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        self.statements.append((statement, parameters))

    def __enter__(self) -> StatementLog:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)


class SqlTimer:
    """Time spent inside the driver's execute calls (all threads), to split database from Python time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seconds = 0.0
        self.count = 0

    def _before(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        self.seconds += time.perf_counter() - conn.info["bench_started"].pop()  # GIL-atomic enough for a share
        self.count += 1

    def __enter__(self) -> SqlTimer:
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)
