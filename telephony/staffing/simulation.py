"""A discrete-event simulation of the queue Erlang C and Erlang A model, to check them (and nothing else).

Poisson arrivals, exponential handle times, N agents, one FCFS queue and, optionally, exponential patience.
With FCFS the simulation needs no event list: callers are taken in arrival order, each gets the agent that
frees first (a heap of the agents' free times) unless its patience runs out before, in which case it
abandons at arrival + patience and takes no agent (an abandoning caller never delays those behind it).
Pure: the randomness is a ``random.Random(seed)``, so a run is reproducible.

Every simulated caller is a real one (no misdials), so the service level is answered within T ÷ offered, as
``erlang_a`` reports it for the centers' variant. Callers arriving in the warm-up are simulated but not
counted; occupancy is busy agent-time ÷ available agent-time over the measured window.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class SimulationResult:
    offered: int
    answered: int
    answered_within: int  # answered with a wait ≤ the threshold
    abandoned: int
    wait_answered_s: float  # total wait of the answered callers
    busy_s: float  # agent-seconds busy within the measured window
    window_s: float
    agents: int

    @property
    def service_level(self) -> float:
        """Answered within the threshold ÷ offered."""
        return self.answered_within / self.offered if self.offered else math.nan

    @property
    def asa_seconds(self) -> float:
        return self.wait_answered_s / self.answered if self.answered else math.nan

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.offered if self.offered else math.nan

    @property
    def occupancy(self) -> float:
        return self.busy_s / (self.agents * self.window_s)


def simulate(
    calls_per_hour: float,
    aht_seconds: float,
    agents: int,
    threshold: float,
    hours: float,
    seed: int,
    patience_seconds: float | None = None,
    warmup_hours: float = 1.0,
) -> SimulationResult:
    """Simulate ``warmup_hours`` + ``hours`` of the queue and measure the last ``hours``.

    ``patience_seconds`` ``None``: callers never hang up (Erlang C's queue)."""
    if calls_per_hour <= 0 or aht_seconds <= 0 or agents < 1 or hours <= 0:
        raise ValueError("a positive call rate, AHT and duration and at least one agent are needed")
    rng = random.Random(seed)
    rate = calls_per_hour / 3600.0
    start, end = warmup_hours * 3600.0, (warmup_hours + hours) * 3600.0
    free = [0.0] * agents  # when each agent is next free (a heap)
    offered = answered = within = abandoned = 0
    wait_total = busy = 0.0
    now = 0.0
    while True:
        now += rng.expovariate(rate)
        if now >= end:
            break
        patience = rng.expovariate(1.0 / patience_seconds) if patience_seconds is not None else math.inf
        service = rng.expovariate(1.0 / aht_seconds)
        first_free = free[0]
        wait = max(0.0, first_free - now)
        counted = now >= start
        if wait > patience:
            abandoned += counted
            offered += counted
            continue
        begin = now + wait
        heapq.heapreplace(free, begin + service)
        # busy time is cut to the window whoever the caller was (a warm-up call still busy counts its part)
        busy += max(0.0, min(begin + service, end) - max(begin, start))
        if counted:
            offered += 1
            answered += 1
            within += wait <= threshold
            wait_total += wait
    return SimulationResult(offered, answered, within, abandoned, wait_total, busy, end - start, agents)
