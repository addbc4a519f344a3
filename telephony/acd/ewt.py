"""Expected wait time (EWT) announced to a caller in queue, and the handle-time average behind it.

Method: a caller at ``position`` waits for ``position`` agents to finish. With ``staffed`` agents
working the queue and handle times averaging ``aht`` seconds, completions come at about
``staffed / aht`` per second, so the wait is about::

    EWT = position × AHT ÷ staffed        (rounded up to whole seconds, never below a floor)

``staffed`` counts the queue's own agents who are logged in and not in not-ready (ready, ringing,
on call, wrap-up). AHT is the mean of the last N handle times of the queue (talk + hold + wrap-up),
seeded by the queue's configured default until calls have been handled.

Limits, said plainly: it is exact only for exponential handle times with every agent busy; it ignores
agents coming back from not-ready, overflow partners' agents (so it errs long for overflowing queues),
callers of higher priority who arrive later and jump ahead, and calls held for a continuing case's
agent. With nobody staffed there is no estimate (``None``): the IVR says "all agents are busy".
The floor keeps the IVR from promising "0 seconds".
"""

from __future__ import annotations

import math
from collections import deque


class HandleTimes:
    """Running mean of the last ``window`` handle times of one queue."""

    def __init__(self, default_seconds: float, window: int) -> None:
        self._default = default_seconds
        self._recent: deque[float] = deque(maxlen=window)

    def add(self, seconds: float) -> None:
        self._recent.append(max(0.0, seconds))

    @property
    def average(self) -> float:
        if not self._recent:
            return self._default
        return sum(self._recent) / len(self._recent)


def expected_wait(position: int, aht_seconds: float, staffed: int, floor_seconds: int) -> int | None:
    """EWT in whole seconds for the caller at ``position`` (1 = next); None when nobody is staffed."""
    if staffed <= 0:
        return None
    return max(floor_seconds, math.ceil(position * aht_seconds / staffed))
