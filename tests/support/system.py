"""Building a Sori system on a throw-away database (SQLite file or PostgreSQL clone) for a test."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from integrations.sms.memory import InMemorySmsGateway
from sori.config import load_settings
from sori.wiring import System, build_system

TEST_KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"


@dataclass
class FakeClock:
    """A settable clock: tests move time instead of sleeping."""

    now: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC))

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


def make_system(url: str, state_dir: Path, clock: FakeClock | None = None, **overrides: object) -> System:
    # Telephony is off unless a test asks for it (with free ports): never the default SIP ports.
    options: dict[str, object] = {
        "http": {"host": "127.0.0.1", "port": 0},
        "telephony": {"enabled": False},
        "analytics": {"index_calls": False},  # no indexer process beside every test API
        # no reference-service process beside every test API (tests/integration/tools start one and configure it)
        "integrations": {name: {"enabled": False} for name in ("public_services", "certificates", "bills")},
        **overrides,
    }
    settings = load_settings(state_dir=state_dir, database={"url": url}, privacy={"rrn_hash_key": TEST_KEY}, **options)
    system = build_system(settings, clock=clock or FakeClock())
    system.sms = InMemorySmsGateway(system.clock)  # no reference-service process beside every test API
    system.cti.strict = True  # a CTI event with a key outside its vocabulary fails the test that caused it
    return system
