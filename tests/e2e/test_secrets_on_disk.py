"""`sori up --demo` as a user runs it, on PostgreSQL with a password in the database URL: no process it
starts carries a secret on its command line (public in ``ps``), and every file it creates is owner-only."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from sori.seed.demo_phones import read_demo_sip_passwords
from tests.support.postgres import PostgresServer, free_port, free_run

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
SORI = str(Path(sys.executable).with_name("sori"))
DB_SECRET = "pg-Secret-in-the-URL-4711"
# what each child is recognised by on its command line
CHILDREN = {
    "kamailio": b"/usr/sbin/kamailio",
    "media worker": b"telephony.media.worker",
    "indexer": b"analytics\0ingest",
    "transcriber": b"analytics\0transcriber",
}  # the demo's phones get their SIP passwords on stdin: tests/integration/telephony_phones/test_fleet.py


@pytest.fixture
def database(postgres: PostgresServer) -> Iterator[str]:
    """A fresh database, reached through a URL with a password (the test server trusts loopback)."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE sori_template"))
    try:
        yield postgres.url(name).replace("://sori@", f"://sori:{DB_SECRET}@")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def descendants(root: int) -> dict[int, bytes]:
    """Every live process below ``root``, with its command line (NUL-separated, as /proc keeps it)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found: dict[int, bytes] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                try:
                    found[pid] = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                frontier.append(pid)
    return found


def environ(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return b""


def test_no_secret_on_any_command_line_and_every_file_owner_only(database: str) -> None:
    root = Path(tempfile.mkdtemp(prefix="sori-sec-"))  # short: Unix socket paths live under it
    state = root / "state"
    http, sip = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SORI_")}
    env.update(
        SORI_DATABASE__URL=database,  # the operator's choice; `sori up`'s own argv is theirs to keep clean
        SORI_LOG__FILE=str(state / "sori.log"),
        SORI_ANALYTICS__DEMO_FILES="[]",  # no demo petitions for Kiwi to index beside this test
        SORI_TELEPHONY__WORKER_PORT_BASE=str(free_run(1)),
        SORI_TELEPHONY__WORKERS="1",
        SORI_TELEPHONY__SPARE_WORKERS="0",
        SORI_TELEPHONY__PROMPT_RATE="300",
        SORI_TELEPHONY__PROMPTS_DIR=str(Path(tempfile.gettempdir()) / "sori-e2e-prompts"),
    )
    old_umask = os.umask(0o022)  # what a user's shell usually has: Sori must tighten it itself
    try:
        process = subprocess.Popen(
            [SORI, "up", "--demo", "--no-simulation", "--port", str(http), "--sip-port", str(sip),
             "--state-dir", str(state)],
            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
    finally:
        os.umask(old_umask)
    seen: dict[int, bytes] = {}
    carried_url: set[str] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, (state / "sori.log").read_text()[-3000:]
            for pid, cmdline in descendants(process.pid).items():
                seen[pid] = cmdline
                for name in ("indexer", "transcriber"):
                    if CHILDREN[name] in cmdline and DB_SECRET.encode() in environ(pid):
                        carried_url.add(name)  # the URL did reach it, through the environment
            if all(any(mark in c for c in seen.values()) for mark in CHILDREN.values()) and len(carried_url) == 2:
                break
            time.sleep(0.2)
        missing = [name for name, mark in CHILDREN.items() if not any(mark in c for c in seen.values())]
        assert not missing, f"children never seen: {missing}"
        assert carried_url == {"indexer", "transcriber"}
        assert requests.get(f"http://127.0.0.1:{http}/healthz", timeout=5).status_code == 200

        phones = read_demo_sip_passwords(state)
        assert phones and all(len(p) >= 20 for p in phones.values())
        secrets = [DB_SECRET, *phones.values()]
        leaks = {pid: c.replace(b"\0", b" ").decode(errors="replace") for pid, c in seen.items()
                 if any(s.encode() in c for s in secrets)}  # fmt: skip
        assert leaks == {}
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    try:
        loose = {}
        for path in [state, *state.rglob("*")]:
            mode = path.lstat().st_mode
            if (stat.S_ISREG(mode) or stat.S_ISDIR(mode)) and stat.S_IMODE(mode) & 0o077:
                loose[str(path.relative_to(root))] = oct(stat.S_IMODE(mode))
        made = {p.relative_to(state).as_posix() for p in state.rglob("*")}
        # the database key, the demo phones' passwords, the edge's HA1s and registrations, logs, workers' state
        expected = {"secrets/rrn-hash.key", "secrets/demo-sip-passwords.json", "edge/db/subscriber",
                    "edge/db/location", "sori.log", "logs/indexer.log", "media"}  # fmt: skip
        assert expected <= made, sorted(made)
        assert loose == {}
    finally:
        shutil.rmtree(root, ignore_errors=True)
