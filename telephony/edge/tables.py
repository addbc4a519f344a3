"""The data files Kamailio reads at start: the worker list (dispatcher) and db_text tables.

db_text keeps one file per table: a header line of typed columns, then one row
per line, fields separated by ``:``. Sori owns these files and rewrites them
whole; a running edge is told to reload the worker list over its control socket.
Phones' passwords are not stored: only HA1 = MD5(login:realm:password), which is
what digest authentication needs. Every file is written 0600 in a 0700 directory, whatever the umask.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from crm.door.calls import digest_ha1 as digest_ha1  # re-exported: one HA1 rule for the store and the edge

WORKER_SET = 1  # the dispatcher set of the media worker pool

LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

# Table versions Kamailio 5.6 checks at start (from its db_text schema).
TABLE_VERSIONS = {"subscriber": 7, "location": 9, "location_attrs": 1}

SUBSCRIBER_HEADER = "id(int,auto) username(string) domain(string) password(string,null) ha1(string) ha1b(string,null)"
LOCATION_HEADER = (
    "id(int,auto) ruid(string) username(string) domain(string,null) contact(string) received(string,null) "
    "path(string,null) expires(int) q(double) callid(string) cseq(int) last_modified(int) flags(int) cflags(int) "
    "user_agent(string) socket(string,null) methods(int,null) instance(string,null) reg_id(int) server_id(int) "
    "connection_id(int) keepalive(int) partition(int)"
)
LOCATION_ATTRS_HEADER = (
    "id(int,auto) ruid(string) username(string) domain(string,null) aname(string) atype(int) avalue(string) "
    "last_modified(int)"
)


@dataclass(frozen=True)
class WorkerAddress:
    """Where a media worker listens for SIP (always an explicit port: the edge keys its call count on it)."""

    host: str
    port: int

    @property
    def uri(self) -> str:
        return f"sip:{self.host}:{self.port}"

    @property
    def key(self) -> str:
        """The dialog-profile value the edge counts this worker's calls under."""
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Subscriber:
    """An agent's phone allowed to register: its login and password, or the stored digest HA1.

    The store keeps only HA1 = MD5(login:realm:password) (what SIP digest needs), never the password.
    """

    login: str
    password: str = ""
    stored_ha1: str | None = None

    def __post_init__(self) -> None:
        if not LOGIN.match(self.login):
            raise ValueError(f"agent login {self.login!r}: use lower-case letters, digits, '.', '_' or '-'")

    def ha1(self, realm: str) -> str:
        return self.stored_ha1 or digest_ha1(self.login, realm, self.password)


def dispatcher_list(workers: Iterable[WorkerAddress], standby: Iterable[WorkerAddress] = ()) -> str:
    """The dispatcher list file: ``setid destination flags priority attrs``, one worker a line.

    ``standby`` workers (ports the pool may grow into) start inactive (flag 1) until a worker says hello."""
    idle = {w.key for w in standby}
    lines = ["# Sori media workers (generated; rewritten when the pool changes)"]
    lines += [f"{WORKER_SET} {w.uri} {1 if w.key in idle else 0} 0 duid={w.key}" for w in workers]
    return "\n".join(lines) + "\n"


def subscriber_table(subscribers: Iterable[Subscriber], realm: str) -> str:
    rows = [f"{i}:{s.login}:{realm}::{s.ha1(realm)}:" for i, s in enumerate(subscribers, start=1)]
    return "\n".join([SUBSCRIBER_HEADER, *rows]) + "\n"


def version_table() -> str:
    rows = [f"{i}:{name}:{version}" for i, (name, version) in enumerate(TABLE_VERSIONS.items(), start=1)]
    return "\n".join(["id(int,auto) table_name(string) table_version(int)", *rows]) + "\n"


def write_tables(db_dir: Path, subscribers: Iterable[Subscriber], realm: str) -> None:
    """Write the db_text directory; an existing location table (registrations) is kept."""
    db_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    db_dir.chmod(0o700)  # an older state directory may have it wider
    _write(db_dir / "version", version_table())
    _write(db_dir / "subscriber", subscriber_table(subscribers, realm))
    for name, header in (("location", LOCATION_HEADER), ("location_attrs", LOCATION_ATTRS_HEADER)):
        if not (db_dir / name).exists():
            _write(db_dir / name, header + "\n")


def write_subscribers(db_dir: Path, subscribers: Iterable[Subscriber], realm: str) -> None:
    """Replace the subscriber table of a running edge. db_text notices a change by the file's modification
    time in whole seconds, so the new file's time is moved past the old one's when both fall in one second."""
    path = db_dir / "subscriber"
    before = int(path.stat().st_mtime) if path.exists() else None
    _write(path, subscriber_table(subscribers, realm))
    if before is not None and int(path.stat().st_mtime) <= before:
        os.utime(path, (before + 1, before + 1))


def _write(path: Path, text: str) -> None:
    # Replace atomically (Kamailio may read the file while Sori rewrites it), owner-only: HA1s are secrets.
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    tmp.replace(path)
