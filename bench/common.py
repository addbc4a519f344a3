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
        cpu=cpu, cores=os.cpu_count() or 0, memory_gb=round(memory, 1), os=platform.platform(terse=True),
        python=platform.python_version(), sqlite=sqlite3.sqlite_version, postgresql=_postgres_version(),
        sqlalchemy=sqlalchemy.__version__,
    )


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

        return cls(len(ordered), round(sum(ordered) / len(ordered) * 1000, 3), round(rank(0.50), 3),
                   round(rank(0.99), 3), round(ordered[-1] * 1000, 3))

    def text(self) -> str:
        return (f"p50 {self.p50_ms:7.2f} ms   p99 {self.p99_ms:7.2f} ms   mean {self.mean_ms:7.2f} ms   "
                f"max {self.max_ms:7.2f} ms   (n={self.n})")

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class Database:
    backend: str
    url: str
    server_version: str
    durability: str


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
        yield Database("sqlite", f"sqlite:///{directory / 'sori.db'}", sqlite3.sqlite_version, "WAL, synchronous=NORMAL")
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
        yield Database("postgresql", server.url("sori_bench"), version, settings)
    finally:
        server.stop()


def _restart_with_stock_durability(server: PostgresServer) -> None:
    # tests/support/postgres.py turns durability off on the command line (which outranks
    # ALTER SYSTEM), so restart with the same options minus those three.
    data = server.root / "data"
    options = f"-p {server.port} -k {server.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
    command = server._cmd("pg_ctl", "-D", str(data), "-o", options, "-l", str(server.root / "log"), "-w",
                          "-t", "60", "restart")
    subprocess.run(command, check=True, capture_output=True)


def make_system(db: Database, state_dir: Path, threads: int = 8) -> System:
    """The system ``sori up`` would build for this database (real clock), HTTP on a free loopback port."""
    settings = load_settings(
        state_dir=state_dir, database={"url": db.url, "threads": threads}, privacy={"rrn_hash_key": BENCH_RRN_KEY},
        http={"host": "127.0.0.1", "port": 0},
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


def header(title: str, machine_info: Machine, params: dict[str, Any]) -> None:
    say(f"== {title} ==")
    for line in machine_info.lines():
        say(line)
    say("parameters " + ", ".join(f"{k}={v}" for k, v in params.items()))


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
