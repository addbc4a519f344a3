"""The reference service's process: ``sori refsvc`` (or ``python -m integrations.refsvc``).

``--state-dir DIR`` holds its SQLite store (``refsvc.sqlite3``, 0600) and ``DIR/keys/<system>-api.key`` (one
API key per played system, each readable by its owner only; never on the command line). It prints
``ready http://host:port`` once it listens; supervised by ``sori up`` (``--exit-with-stdin``) it stops when
its supervisor's pipe closes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from twisted.internet import protocol, stdio
from twisted.internet import reactor as default_reactor
from twisted.python import failure

from integrations.http_status import STATUS as INTEGRATION_STATUS
from integrations.refsvc.system import Options, PlayedSystem
from integrations.refsvc.web import QuietSite, ReferenceResource
from kernel.http.errors import STATUS as KERNEL_STATUS
from kernel.http.errors import StatusTable

CANNOT_RUN = 2


def systems() -> dict[str, PlayedSystem]:
    """The played systems by name (``keys/<name>-api.key`` is each one's key file)."""
    from integrations.bills.reference_api import SYSTEM as BILLS
    from integrations.certificates.reference_api import SYSTEM as CERTIFICATES
    from integrations.public_services.reference_api import SYSTEM as PUBLIC_SERVICES

    return {system.name: system for system in (PUBLIC_SERVICES, CERTIFICATES, BILLS)}


def open_store(path: Path) -> sqlite3.Connection:
    """The service's SQLite store, created readable by its owner only (it holds demo citizens' records)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


def read_key(path: Path) -> str:
    """An API key from a file only its owner may read; ``SystemExit`` naming the problem otherwise."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise SystemExit(f"{path} is missing: write the system's API key there (mode 600)") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SystemExit(f"{path} must be readable by its owner only (chmod 600)")
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 16:
        raise SystemExit(f"{path}: an API key of at least 16 characters is needed")
    return key


def build_resource(
    state_dir: Path, verify_base_url: str, only: list[str] | None = None
) -> tuple[ReferenceResource, sqlite3.Connection]:
    """Every played system (or ``only`` those) mounted over one store; keys from ``state_dir/keys``."""
    store = open_store(state_dir / "refsvc.sqlite3")
    options = Options(verify_base_url=verify_base_url.rstrip("/"), state_dir=state_dir)
    mounts = [
        system.mount(store, read_key(state_dir / "keys" / f"{name}-api.key"), options)
        for name, system in systems().items()
        if only is None or name in only
    ]
    fallback = StatusTable(KERNEL_STATUS, INTEGRATION_STATUS)
    return ReferenceResource(mounts, lambda: dt.datetime.now(dt.UTC), fallback), store


class _StopWhenStdinCloses(protocol.Protocol):
    def __init__(self, stop: Callable[[], None]) -> None:
        self.stop = stop

    def connectionLost(self, reason: failure.Failure = protocol.connectionDone) -> None:
        self.stop()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state-dir", type=Path, required=True, help="its store and keys/<system>-api.key")
    parser.add_argument("--verify-base-url", default=None, help="base URL of the public /verify page")
    parser.add_argument("--only", nargs="*", choices=sorted(systems()), help="play only these systems")
    parser.add_argument("--exit-with-stdin", action="store_true", help="stop when stdin closes (supervised)")


def run(args: argparse.Namespace) -> int:
    verify = args.verify_base_url or f"http://{args.host}:{args.port}"
    try:
        site_root, _store = build_resource(args.state_dir, verify, args.only)
    except (SystemExit, OSError, sqlite3.Error) as error:
        print(f"cannot start: {error}", file=sys.stderr, flush=True)
        return CANNOT_RUN
    reactor: Any = default_reactor
    reactor.listenTCP(args.port, QuietSite(site_root), interface=args.host)
    if args.exit_with_stdin:
        stdio.StandardIO(_StopWhenStdinCloses(lambda: reactor.stop() if reactor.running else None))
    print(f"ready http://{args.host}:{args.port}", flush=True)
    reactor.run()
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="sori refsvc", description="the bundled reference government systems")
    add_arguments(parser)
    raise SystemExit(run(parser.parse_args(argv)))
