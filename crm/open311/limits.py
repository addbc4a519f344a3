"""A token-bucket rate limiter per key (an API key, a remote address), pure: the caller passes the clock.

Each key's bucket holds up to ``burst`` tokens and refills at ``rate_per_minute``; a request takes one. At
most ``max_keys`` buckets are kept, least recently used dropped first (a dropped key starts full again,
which only ever errs towards letting a request through).
"""

from __future__ import annotations

from collections import OrderedDict


class RateLimiter:
    def __init__(self, rate_per_minute: float, burst: int, max_keys: int = 10_000) -> None:
        if rate_per_minute <= 0 or burst < 1 or max_keys < 1:
            raise ValueError("rate_per_minute > 0, burst >= 1 and max_keys >= 1 are required")
        self.rate = rate_per_minute / 60.0  # tokens per second
        self.burst = float(burst)
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tokens, at)

    def check(self, key: str, now: float) -> float | None:
        """Take a token for ``key`` at ``now`` (seconds, any monotonic origin): None when allowed, else the
        seconds until one is available (the request is not counted)."""
        tokens, at = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + max(0.0, now - at) * self.rate)
        if tokens >= 1.0:
            self._store(key, tokens - 1.0, now)
            return None
        self._store(key, tokens, now)
        return (1.0 - tokens) / self.rate

    def __len__(self) -> int:
        return len(self._buckets)

    def _store(self, key: str, tokens: float, now: float) -> None:
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
