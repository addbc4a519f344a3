"""Erlang C (M/M/N): Poisson arrivals, exponential handle times, N agents, callers who never hang up.

The classic staffing model: the probability that a caller waits, the service level within T, ASA and
occupancy, and the fewest agents for a target. It overstates the agents needed where callers do hang up
(``erlang_a`` models them); the planner shows both. Traffic ``A`` is in erlangs (calls × AHT ÷ period).
"""

from __future__ import annotations

import math

SERVICE_LEVEL_SECONDS = 20.0
MAX_AGENTS = 10_000


def traffic_erlangs(calls: float, period_seconds: float, aht_seconds: float) -> float:
    """Offered traffic A = calls × AHT ÷ period length (in erlangs)."""
    return calls * aht_seconds / period_seconds


def erlang_b(traffic: float, agents: int) -> float:
    """Blocking probability of M/M/N/N by the stable recursion B(0) = 1, B(k) = A·B(k−1) ÷ (k + A·B(k−1))."""
    b = 1.0
    for k in range(1, agents + 1):
        b = traffic * b / (k + traffic * b)
    return b


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that a caller must wait, with ``agents`` agents and ``traffic`` erlangs (M/M/N).

    Computed from Erlang B: C = N·B ÷ (N − A·(1 − B)). With N ≤ A the queue grows without bound: C = 1.
    """
    if agents <= traffic:
        return 1.0
    b = erlang_b(traffic, agents)
    return agents * b / (agents - traffic * (1 - b))


def erlang_service_level(traffic: float, agents: int, aht_seconds: float, threshold: float) -> float:
    """Predicted service level (answered within T ÷ offered; nobody abandons): 1 − C(A, N) · e^(−(N − A) · T ÷ AHT)."""
    if agents <= traffic:
        return 0.0
    return 1 - erlang_c(traffic, agents) * math.exp(-(agents - traffic) * threshold / aht_seconds)


def erlang_asa(traffic: float, agents: int, aht_seconds: float) -> float:
    """Predicted ASA in seconds: C(A, N) · AHT ÷ (N − A); infinite when N ≤ A."""
    if agents <= traffic:
        return math.inf
    return erlang_c(traffic, agents) * aht_seconds / (agents - traffic)


def erlang_occupancy(traffic: float, agents: int) -> float:
    """Predicted occupancy A ÷ N (1 when N ≤ A: every agent always busy)."""
    if agents <= 0:
        return 1.0
    return min(1.0, traffic / agents)


def agents_needed(
    calls: float,
    period_seconds: float,
    aht_seconds: float,
    target: float = 0.8,
    threshold: float = SERVICE_LEVEL_SECONDS,
    max_agents: int = MAX_AGENTS,
) -> int:
    """Fewest agents on the phones for ``target`` service level (fraction) within ``threshold`` seconds.

    Raw agents: no shrinkage (breaks, training, absence) is added; divide by (1 − shrinkage) to roster.
    """
    if calls <= 0:
        return 0
    traffic = traffic_erlangs(calls, period_seconds, aht_seconds)
    agents = max(1, math.floor(traffic) + 1)
    if agents > max_agents:
        raise ValueError(f"more than {max_agents} agents needed")
    while erlang_service_level(traffic, agents, aht_seconds, threshold) < target:
        agents += 1
        if agents > max_agents:
            raise ValueError(f"more than {max_agents} agents needed")
    return agents
