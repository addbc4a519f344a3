"""What each played system gives the reference service: its routes, its state over the shared store, and the
words of its OpenAPI document (pure description; the process is ``main``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kernel.http.errors import STATUS as KERNEL_STATUS
from kernel.http.errors import StatusTable
from kernel.http.kit import Router


@dataclass(frozen=True)
class Options:
    """What a played system may need beyond its store and key."""

    verify_base_url: str  # where citizens check a certificate (printed in its QR code)
    state_dir: Path


@dataclass(frozen=True)
class Mount:
    """One played system at ``prefix`` with its key, its state and its router."""

    prefix: str
    router: Router
    api_key: str
    statuses: StatusTable
    state: Any  # what the handlers get as their second argument
    # Routes whose body is not JSON: (method, template) → media type (the handler reads ``req.body`` as bytes).
    raw_bodies: Mapping[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class PlayedSystem:
    name: str  # also its key file's name: keys/<name>-api.key
    prefix: str
    title: str
    description: str
    statuses: Mapping[str, int]  # its own error codes (the kernel's are added)
    routes: Callable[[Any], Router]  # state → its router (``None``: the routes alone, for the document)
    state: Callable[[sqlite3.Connection, Options], Any]
    raw_bodies: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # Routes whose 200 answer is not JSON: (method, template) → media type (the handler's Reply body is bytes).
    raw_responses: Mapping[tuple[str, str], str] = field(default_factory=dict)
    idempotent: frozenset[tuple[str, str]] = frozenset()  # (method, template) taking an Idempotency-Key
    # Header parameters every operation takes (OpenAPI parameter objects, e.g. the citizen a ledger is asked
    # about, kept out of URLs and so out of logs); the handlers read and check them.
    headers: tuple[Mapping[str, Any], ...] = ()

    @property
    def table(self) -> StatusTable:
        return StatusTable(KERNEL_STATUS, self.statuses)

    def describe(self) -> Mount:
        return Mount(self.prefix, self.routes(None), "", self.table, None, self.raw_bodies)

    def mount(self, store: sqlite3.Connection, api_key: str, options: Options) -> Mount:
        state = self.state(store, options)
        return Mount(self.prefix, self.routes(state), api_key, self.table, state, self.raw_bodies)
