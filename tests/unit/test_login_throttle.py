"""The failed-login throttle (``crm.api.throttle``) on a moved clock: growing delays per (address, login),
a cap per address, no lock-out of a login from other addresses, burst alerts and a bounded memory."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from crm.api.throttle import LoginLimiter, Throttled
from sori.logs import JsonFormatter

T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def fail(limiter: LoginLimiter, times: int, login: str = "admin", remote: str = "10.0.0.9", now: float = 0) -> None:
    for _ in range(times):
        limiter.failed(login, remote, at(now))


def test_delays_grow_per_address_and_login_and_never_reach_other_addresses() -> None:
    limiter = LoginLimiter(5, 900, base_delay_s=1, max_delay_s=900)
    fail(limiter, 4)
    assert limiter.check("admin", "10.0.0.9", at(0)) is None, "the first failures cost nothing"
    fail(limiter, 1)
    assert limiter.check("admin", "10.0.0.9", at(0)) == Throttled(1, "address-login")
    assert limiter.check("admin", "10.0.0.10", at(0)) is None, "another address is not slowed"
    assert limiter.check("kim", "10.0.0.9", at(0)) is None, "another login from the address is not slowed"
    waits = []
    now = 0.0
    for _ in range(12):
        throttled = limiter.check("admin", "10.0.0.9", at(now))
        assert throttled is not None
        waits.append(throttled.retry_after)
        now += throttled.retry_after
        assert limiter.check("admin", "10.0.0.9", at(now)) is None
        fail(limiter, 1, now=now)
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900], "doubling, capped"
    limiter.succeeded("admin", "10.0.0.9")
    assert limiter.check("admin", "10.0.0.9", at(now)) is None, "the right password clears the pair"


def test_a_pair_is_forgotten_a_day_after_its_last_failure_not_when_its_delay_ends() -> None:
    limiter = LoginLimiter(2, 900, base_delay_s=10, max_delay_s=900, forget_s=86_400)
    fail(limiter, 3)
    assert limiter.check("admin", "10.0.0.9", at(25)) is None
    fail(limiter, 1, now=25)
    assert limiter.check("admin", "10.0.0.9", at(26)) == Throttled(39, "address-login"), "still counting: 20 s"
    fail(limiter, 1, now=3600 * 23)
    assert limiter.check("admin", "10.0.0.9", at(3600 * 23 + 1)) is not None, "an hour later it keeps growing"
    assert limiter.check("admin", "10.0.0.9", at(3600 * 48)) is None
    fail(limiter, 1, now=3600 * 48)
    assert limiter.check("admin", "10.0.0.9", at(3600 * 48)) is None, "a day of quiet: the count starts again"


def test_an_address_spraying_many_logins_is_capped() -> None:
    limiter = LoginLimiter(5, 900, address_free_failures=30, base_delay_s=1)
    for n in range(30):
        limiter.failed(f"agent{n}", "10.0.0.66", at(n))
    assert limiter.check("agent99", "10.0.0.66", at(29)) == Throttled(1, "address")
    assert limiter.check("agent99", "10.0.0.67", at(29)) is None
    limiter.succeeded("agent99", "10.0.0.66")
    assert limiter.check("agent99", "10.0.0.66", at(29)) is not None, "a success does not reset the address"
    assert limiter.check("agent99", "10.0.0.66", at(30)) is None, "the wait is over"
    limiter.failed("agent99", "10.0.0.66", at(30 + 900))
    assert limiter.check("agent98", "10.0.0.66", at(30 + 900)) == Throttled(2, "address"), "sitting out is no reset"
    assert limiter.stats()["refused"] == 3
    limiter.failed("agent0", "10.0.0.66", at(40 + 86_400 * 2))
    assert limiter.check("agent98", "10.0.0.66", at(40 + 86_400 * 2)) is None, "a day of quiet: forgotten"

    quiet = LoginLimiter(5, 900, address_free_failures=30)
    for n in range(29):
        quiet.failed(f"agent{n}", "10.0.0.66", at(n))
    quiet.failed("agent29", "10.0.0.66", at(28 + 901))
    assert quiet.check("agent99", "10.0.0.66", at(28 + 901)) is None, "never made to wait: forgotten after 15 min"


def test_many_addresses_against_one_login_alert_but_never_lock_it(caplog: pytest.LogCaptureFixture) -> None:
    limiter = LoginLimiter(5, 900, burst_failures=20)
    with caplog.at_level(logging.WARNING, logger="sori.auth"):
        for n in range(80):
            limiter.failed("admin", f"10.1.{n // 250}.{n % 250}", at(n))
    assert limiter.check("admin", "10.9.9.9", at(80)) is None
    bursts = [r for r in caplog.records if getattr(r, "event", None) == "login-failure-burst"]
    assert [(r.levelno, vars(r)["scope"], vars(r)["login"], vars(r)["failures"]) for r in bursts] == [
        (logging.WARNING, "login", "admin", 20),
        (logging.WARNING, "login", "admin", 40),
        (logging.WARNING, "login", "admin", 80),
    ], "one line at the threshold and at each doubling, not one per failure"
    assert limiter.stats()["bursts"] == 3 and limiter.stats()["failures"] == 80


def test_an_address_burst_is_one_warning_without_passwords(caplog: pytest.LogCaptureFixture) -> None:
    limiter = LoginLimiter(5, 900, burst_failures=10, address_free_failures=1000)
    with caplog.at_level(logging.WARNING, logger="sori.auth"):
        for n in range(15):
            limiter.failed(f"user{n}", "10.0.0.66", at(n))
    (burst,) = [r for r in caplog.records if getattr(r, "scope", None) == "address"]
    assert vars(burst)["address"] == "10.0.0.66" and vars(burst)["failures"] == 10
    assert vars(burst)["since"] == T0.isoformat()
    line = json.loads(JsonFormatter().format(burst))
    assert {k: line[k] for k in ("level", "logger", "event", "scope", "address", "failures", "bursts_total")} == {
        "level": "warning", "logger": "sori.auth", "event": "login-failure-burst", "scope": "address",
        "address": "10.0.0.66", "failures": 10, "bursts_total": 1,
    }  # fmt: skip


def test_memory_is_bounded_least_recently_failed_first_out() -> None:
    limiter = LoginLimiter(1, 900, max_keys=300)
    limiter.failed("admin", "10.0.0.1", at(0))
    assert limiter.check("admin", "10.0.0.1", at(0)) is not None
    for n in range(5000):
        limiter.failed(f"user{n}", f"10.2.{n // 250}.{n % 250}", at(0))
    stats = limiter.stats()
    assert stats["keys"] <= 300 and stats["evicted"] >= 5000 * 3 - 300
    assert limiter.check("admin", "10.0.0.1", at(0)) is None, "the oldest keys went first"
    limiter.failed("x" * 100_000, "10.0.0.2", at(0))
    assert all(len(part) <= 64 for key in limiter._entries for part in key), "keys stay small"


def test_login_names_are_one_key_whatever_their_case_or_spaces() -> None:
    limiter = LoginLimiter(2, 900)
    limiter.failed("Admin", "10.0.0.9", at(0))
    limiter.failed(" admin ", "10.0.0.9", at(0))
    assert limiter.check("ADMIN", "10.0.0.9", at(0)) is not None
