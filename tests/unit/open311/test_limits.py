"""The token-bucket limiter: burst, refill, retry-after, per key, bounded memory."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.open311.limits import RateLimiter


def test_a_burst_passes_then_the_next_waits_for_a_refill() -> None:
    limiter = RateLimiter(rate_per_minute=6, burst=3)
    assert [limiter.check("k", 0.0) for _ in range(3)] == [None, None, None]
    assert limiter.check("k", 0.0) == pytest.approx(10.0)  # 6 a minute: one every 10 s
    assert limiter.check("k", 5.0) == pytest.approx(5.0)
    assert limiter.check("k", 10.0) is None
    assert limiter.check("k", 10.0) == pytest.approx(10.0)


def test_keys_have_their_own_buckets_and_refill_caps_at_the_burst() -> None:
    limiter = RateLimiter(rate_per_minute=60, burst=2)
    assert limiter.check("a", 0.0) is None and limiter.check("a", 0.0) is None
    assert limiter.check("a", 0.0) is not None
    assert limiter.check("b", 0.0) is None
    assert limiter.check("a", 1000.0) is None and limiter.check("a", 1000.0) is None
    assert limiter.check("a", 1000.0) is not None


def test_the_least_recently_used_keys_are_dropped_past_the_bound() -> None:
    limiter = RateLimiter(rate_per_minute=1, burst=1, max_keys=3)
    for key in "abcd":
        assert limiter.check(key, 0.0) is None
    assert len(limiter) == 3
    assert limiter.check("a", 0.0) is None, "dropped: starts full again"
    assert limiter.check("d", 0.0) is not None


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        RateLimiter(rate_per_minute=0, burst=1)
    with pytest.raises(ValueError):
        RateLimiter(rate_per_minute=1, burst=0)


@given(st.lists(st.floats(0, 3600), min_size=1, max_size=200), st.integers(1, 10), st.floats(1, 600))
def test_never_more_than_burst_plus_refill_pass(times: list[float], burst: int, rate: float) -> None:
    limiter = RateLimiter(rate_per_minute=rate, burst=burst)
    moments = sorted(times)
    passed = sum(limiter.check("k", now) is None for now in moments)
    assert passed <= burst + (moments[-1] - moments[0]) * rate / 60 + 1e-9
    wait = limiter.check("k", moments[-1])
    assert wait is None or 0 < wait <= 60 / rate + 1e-9
