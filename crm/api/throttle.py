"""The failed-login throttle: growing delays per (address, login), a cap per address, alerts on bursts.

Why per pair and not per login: counting failures per login name lets anyone who reaches the port lock
every agent out (five wrong passwords each). Here a login is slowed only for the address that keeps failing
it, so the right password from any other address still works:

- **(address, login)**: the first ``free_failures`` failures cost nothing; after that every further attempt
  waits ``base_delay_s`` · 2^(failures − free), at most ``max_delay_s``. A success clears the pair; failures
  are forgotten ``forget_s`` after the last one.
- **address** (password spraying: few guesses each for many logins): past ``address_free_failures`` failures
  the whole address waits, with the same growth; forgotten ``window_s`` after its last failure, or, once it was
  made to wait, ``forget_s`` after its last wait. A success from the address does not clear it (an
  attacker's own account must not reset it).
- **login** across addresses: never blocks (that is the lock-out this module exists to avoid); it feeds the
  alerts only.

An address or login passing ``burst_failures`` failures, and each doubling after, writes one WARNING line
(``event: login-failure-burst``, counts, never a password) and counts in ``stats()``. Memory is bounded: at
most ``max_keys`` entries, least recently used first out; stale entries are dropped when met.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

log = logging.getLogger("sori.auth")
LOGIN_KEY_CHARS = 64  # longer names share a key: keys stay small whatever a client sends


@dataclass
class _Entry:
    failures: int
    first: dt.datetime
    last: dt.datetime
    until: dt.datetime | None = None
    alerted: int = 0  # the failure count of the last burst alert


@dataclass(frozen=True)
class Throttled:
    """An attempt refused before its password was checked."""

    retry_after: int  # whole seconds, at least 1
    scope: str  # "address-login" or "address"


class LoginLimiter:
    def __init__(
        self,
        free_failures: int = 5,
        window_s: int = 900,
        *,
        base_delay_s: float = 1.0,
        max_delay_s: float = 900.0,
        forget_s: int = 86_400,
        address_free_failures: int = 100,
        burst_failures: int = 20,
        max_keys: int = 100_000,
    ) -> None:
        self.free_failures = free_failures
        self.window = dt.timedelta(seconds=window_s)
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.forget = dt.timedelta(seconds=forget_s)
        self.address_free_failures = address_free_failures
        self.burst_failures = burst_failures
        self.max_keys = max_keys
        self._entries: OrderedDict[tuple[str, ...], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._counts = {"failures": 0, "refused": 0, "bursts": 0, "evicted": 0}

    # -- the three questions log_in asks -----------------------------------------------------------
    def check(self, login: str, remote: str, now: dt.datetime) -> Throttled | None:
        """None if this attempt may check a password; else how long to wait and why."""
        with self._lock:
            waits = []
            for key, scope in ((self._pair(remote, login), "address-login"), (("addr", remote), "address")):
                entry = self._get(key, now)
                if entry is not None and entry.until is not None and entry.until > now:
                    waits.append(Throttled(max(1, math.ceil((entry.until - now).total_seconds())), scope))
            if not waits:
                return None
            self._counts["refused"] += 1
            return max(waits, key=lambda w: w.retry_after)

    def failed(self, login: str, remote: str, now: dt.datetime) -> None:
        with self._lock:
            self._counts["failures"] += 1
            pair = self._bump(self._pair(remote, login), now)
            self._delay(pair, self.free_failures, now)
            address = self._bump(("addr", remote), now)
            self._delay(address, self.address_free_failures, now)
            account = self._bump(("login", self._name(login)), now)
            self._alert("address", remote, address)
            self._alert("login", self._name(login), account)

    def succeeded(self, login: str, remote: str) -> None:
        with self._lock:
            self._entries.pop(self._pair(remote, login), None)

    def stats(self) -> dict[str, int]:
        """Counters since start (failures, refused attempts, burst alerts, evicted keys) and keys held now."""
        with self._lock:
            return {**self._counts, "keys": len(self._entries), "max_keys": self.max_keys}

    # -- bookkeeping (under the lock) -------------------------------------------------------------
    def _pair(self, remote: str, login: str) -> tuple[str, ...]:
        return ("pair", remote, self._name(login))

    @staticmethod
    def _name(login: str) -> str:
        return login.strip().lower()[:LOGIN_KEY_CHARS]

    def _get(self, key: tuple[str, ...], now: dt.datetime) -> _Entry | None:
        """The key's entry, unless it was quiet long enough to be forgotten: a pair ``forget`` after its last
        failure or wait, an address ``window`` after its last failure — or ``forget`` once it was made to wait,
        so an address cannot win back its free failures by sitting out one wait."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        quiet_since = entry.last if entry.until is None else max(entry.last, entry.until)
        memory = self.forget if key[0] == "pair" or entry.until is not None else self.window
        if now - quiet_since > memory:
            del self._entries[key]
            return None
        return entry

    def _bump(self, key: tuple[str, ...], now: dt.datetime) -> _Entry:
        entry = self._get(key, now)
        if entry is None:
            entry = self._entries[key] = _Entry(0, now, now)
            while len(self._entries) > self.max_keys:
                self._entries.popitem(last=False)
                self._counts["evicted"] += 1
        self._entries.move_to_end(key)
        entry.failures += 1
        entry.last = now
        return entry

    def _delay(self, entry: _Entry, free: int, now: dt.datetime) -> None:
        over = entry.failures - free
        if over >= 0:
            seconds = min(self.max_delay_s, self.base_delay_s * 2.0 ** min(over, 40))
            entry.until = now + dt.timedelta(seconds=seconds)

    def _alert(self, scope: str, who: str, entry: _Entry) -> None:
        threshold = self.burst_failures if entry.alerted == 0 else entry.alerted * 2
        if entry.failures < threshold:
            return
        entry.alerted = entry.failures
        self._counts["bursts"] += 1
        log.warning(
            "login failure burst",
            extra={
                "event": "login-failure-burst",
                "scope": scope,
                scope: who,
                "failures": entry.failures,
                "since": entry.first.isoformat(),
                "bursts_total": self._counts["bursts"],
            },
        )
