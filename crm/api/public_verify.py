"""What the public forgery checks share (the API route ``routes_verify`` and the ``/verify`` page): a token
bucket per client address, and the reading of an issue number and verification code as people type them.

Anyone may check a certificate, without logging in, so the checks are rate-limited per address: a bucket of
``burst`` checks that refills at ``per_minute``; an empty bucket answers 429 with ``Retry-After``. Memory is
bounded (``max_addresses``, least recently seen dropped first). The buckets live in this process's memory: a
restart forgets them, which costs an attacker nothing they could not get by waiting a minute.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[\s\-–—.]")  # what people put between groups: spaces, hyphens, dots
_DIGITS = re.compile(r"[0-9]{16}")
_CODE = re.compile(r"[A-Z0-9]{8}")
MAX_PDF_BYTES = 190 * 1024  # an uploaded PDF (ours are ~40-90 KB); base64 of it fits the API's 256 KiB bodies


def issue_number(text: str) -> str | None:
    """``1234 5678 9012 3456`` / ``1234-5678-9012-3456`` → ``1234-5678-9012-3456``; None when it cannot be one."""
    digits = _SEPARATORS.sub("", text)
    if not _DIGITS.fullmatch(digits):
        return None
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def verification_code(text: str) -> str | None:
    """``ab3d-ef7h`` → ``AB3DEF7H``; None when it cannot be one."""
    code = _SEPARATORS.sub("", text).upper()
    return code if _CODE.fullmatch(code) else None


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """One token bucket per client address (thread-safe: the API checks on database threads)."""

    def __init__(
        self,
        burst: int = 10,
        per_minute: float = 10.0,
        *,
        max_addresses: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = burst
        self.rate = per_minute / 60.0
        self.max_addresses = max_addresses
        self.clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, address: str) -> int | None:
        """None when ``address`` may check now (one token taken); else the whole seconds until it may."""
        with self._lock:
            now = self.clock()
            bucket = self._buckets.get(address)
            if bucket is None:
                bucket = self._buckets[address] = _Bucket(float(self.burst), now)
                while len(self._buckets) > self.max_addresses:
                    self._buckets.popitem(last=False)
            self._buckets.move_to_end(address)
            bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return None
            return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))


def too_many_message(retry_after: int) -> str:
    return f"확인 요청이 너무 많습니다. {retry_after}초 후에 다시 시도해 주세요."
