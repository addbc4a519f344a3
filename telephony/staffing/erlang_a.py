"""Erlang A (M/M/N+M): Erlang C with callers who hang up, each after an exponential patience of mean 1/θ.

Arrivals Poisson (rate λ), handle times exponential (mean 1/μ = AHT), N agents, one FCFS queue, and each
waiting caller abandons at rate θ (mean patience 1/θ, estimated from the history by
``telephony.acd.kpi.tally_patience``). The model of Palm (1943), studied by Garnett, Mandelbaum and Reiman
(2002) and Mandelbaum and Zeltyn; here every measure is computed from the birth-death chain's stationary law.

With c = Nμ, a = c/θ, x = λ/θ, the chain above N has weights t_k = Π_{i=1..k} λ ÷ (c + iθ) (k callers
waiting), S = Σ_k t_k, and with B the Erlang B of R = λ/μ on N agents, π_N = B ÷ (1 + (S − 1)·B). An arrival
finds k waiting with probability π_N·t_k (PASTA) and then waits V_k, a sum of exponentials of rates c + iθ
(i = k..0) for a server, while its patience runs. Two facts give closed forms per k:
  - weighting by e^{−θV} (the chance patience outlasts the wait) turns the rates c + iθ into c + (i+1)θ with
    mass a ÷ (a + k + 1): P(served | k) = a ÷ (a + k + 1);
  - for rates θ(b + i), i = 1..m, e^{−θV} ~ Beta(b + 1, m), whose distribution function with an integer m
    is a finite negative-binomial sum: P(answered within T | k) and P(V_k > s) follow by recursion in k.
ASA uses E[V] = Σ_{i=1..k+1} 1 ÷ (c + iθ) under the same weighting. Everything runs in log space, so
thousands of agents and long patience neither overflow nor underflow; patience → ∞ gives Erlang C.

Short abandons (misdials, callers who heard the closed message) are outside the model: the patience is
estimated without them (``tally_patience``) and the forecast's calls leave them out, so every abandon of the
model is a real one. Hence the centers' service level (short abandons excluded, abandons counted against) is
P(answered within T) over the model's callers, the same as the abandons-against variant; the answered-only
variant divides by P(answered). ``abandon_rate`` is then the KPI's abandonment rate, P(abandon).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from telephony.acd.kpi import SlVariant
from telephony.staffing.erlang_c import MAX_AGENTS, SERVICE_LEVEL_SECONDS, erlang_b

#: The series over waiting callers stops when a term is this far (in log) below the running sum.
_TAIL_LOG = -40.0
#: More waiting-caller terms than this: a queue of about a million callers, where nobody is answered in time.
MAX_TERMS = 1_000_000


class TooFewAgents(ValueError):
    """The queue is so overloaded (and callers so patient) that the model's series would not settle."""


@dataclass(frozen=True)
class ErlangAResult:
    """Predicted measures of one queue with ``agents`` agents (fractions 0..1, seconds)."""

    agents: int
    p_wait: float  # an arriving caller finds every agent busy
    abandon_rate: float  # an arriving caller hangs up before an answer (the KPI's abandonment rate)
    p_answered_within: float  # answered within the threshold (no wait counts as within)
    service_level: float  # in the variant asked for
    asa_seconds: float  # mean wait of answered callers
    occupancy: float  # busy agents ÷ agents = R·(1 − P(abandon)) ÷ N


def _log_add(x: float, y: float) -> float:
    if x == -math.inf:
        return y
    if y == -math.inf:
        return x
    hi, lo = max(x, y), min(x, y)
    return hi + math.log1p(math.exp(lo - hi))


def _log_rate(threshold: float, theta: float) -> tuple[float, float]:
    """log y and log(1 − y) for y = e^{−θ·threshold}."""
    if threshold <= 0:
        return 0.0, -math.inf
    return -theta * threshold, math.log(-math.expm1(-theta * threshold))


class _NegBinCdf:
    """Running P(Beta(b, k + 1) ≤ y) for k = 0, 1, 2, ...: Σ_{j≤k} Γ(b + j) ÷ (Γ(b)·j!) · y^b · (1 − y)^j."""

    def __init__(self, b: float, log_y: float, log_1my: float) -> None:
        self.b, self.log_1my = b, log_1my
        self.log_w = b * log_y
        self.total = math.exp(self.log_w)
        self.j = 0

    def step(self) -> float:
        """Advance k by one; return the new value."""
        self.j += 1
        if self.log_1my == -math.inf:
            return self.total
        self.log_w += math.log((self.b + self.j - 1) * 1.0 / self.j) + self.log_1my
        self.total = min(1.0, self.total + math.exp(self.log_w))
        return self.total


def erlang_a(
    calls: float,
    period_seconds: float,
    aht_seconds: float,
    patience_seconds: float,
    agents: int,
    threshold: float = SERVICE_LEVEL_SECONDS,
    variant: SlVariant = SlVariant.SHORT_ABANDONS_EXCLUDED,
) -> ErlangAResult:
    """Erlang A measures for ``calls`` arrivals per ``period_seconds``, handle time ``aht_seconds``, mean
    patience ``patience_seconds`` and ``agents`` agents; service level within ``threshold`` seconds."""
    if calls < 0 or period_seconds <= 0 or aht_seconds <= 0 or patience_seconds <= 0 or agents < 1:
        raise ValueError("calls ≥ 0, a positive period, AHT and patience, and at least one agent are needed")
    lam, mu, theta = calls / period_seconds, 1.0 / aht_seconds, 1.0 / patience_seconds
    traffic = lam / mu
    if lam == 0:
        return ErlangAResult(agents, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0)
    c = agents * mu
    a = c / theta
    if (lam - c) / theta > MAX_TERMS:  # the terms grow until k ≈ x − a: known too long before summing them
        raise TooFewAgents("so few agents for such patient callers that the queue holds about a million")
    log_lam = math.log(lam)
    log_yt, log_1myt = _log_rate(threshold, theta)
    within_t = _NegBinCdf(a + 1, log_yt, log_1myt)  # P(Beta(a + 1, k + 1) ≤ e^{−θT})
    cdf_t = within_t.total
    log_t, log_s = 0.0, -math.inf
    harmonic = 0.0  # Σ_{i=1..k+1} 1 ÷ (c + iθ)
    terms: list[tuple[float, float, float, float]] = []
    k = 0
    while True:
        q = a / (a + k + 1)  # P(served | k waiting ahead)
        harmonic += 1.0 / (c + (k + 1) * theta)
        terms.append((log_t, q, q * (1.0 - cdf_t), q * harmonic))
        log_s = _log_add(log_s, log_t)
        k += 1
        if k > MAX_TERMS:
            raise TooFewAgents("so few agents for such patient callers that the queue holds about a million")
        log_t += log_lam - math.log(c + k * theta)
        if log_lam < math.log(c + k * theta) and log_t - log_s < _TAIL_LOG:
            break
        cdf_t = within_t.step()

    b = erlang_b(traffic, agents)
    # π_N = 1 ÷ (1/B − 1 + S); B = 0: so many agents for so little traffic that nobody ever waits
    log_pi = -math.inf if b == 0.0 else -_log_add(math.log1p(-b) - math.log(b) if b < 1 else -math.inf, log_s)
    p_wait = math.exp(log_pi + log_s) if log_pi > -math.inf else 0.0
    sums = [0.0, 0.0, 0.0]
    if p_wait > 0:
        for log_tk, *values in terms:
            weight = math.exp(log_pi + log_tk)
            for i, value in enumerate(values):
                sums[i] += weight * value
    served_waiting, answered_within_waiting, wait_served = sums
    p_abandon = min(1.0, max(0.0, p_wait - served_waiting))
    p_answered = 1.0 - p_abandon
    p_within = (1.0 - p_wait) + answered_within_waiting
    asa = wait_served / p_answered if p_answered > 0 else math.inf
    denominator = p_answered if variant is SlVariant.ANSWERED_ONLY else 1.0
    return ErlangAResult(
        agents=agents,
        p_wait=p_wait,
        abandon_rate=p_abandon,
        p_answered_within=p_within,
        service_level=min(1.0, p_within / denominator) if denominator > 0 else 0.0,
        asa_seconds=asa,
        occupancy=min(1.0, traffic * p_answered / agents),
    )


def agents_needed_a(
    calls: float,
    period_seconds: float,
    aht_seconds: float,
    patience_seconds: float,
    target: float = 0.8,
    threshold: float = SERVICE_LEVEL_SECONDS,
    variant: SlVariant = SlVariant.SHORT_ABANDONS_EXCLUDED,
    max_agents: int = MAX_AGENTS,
) -> int:
    """Fewest agents whose Erlang A service level reaches ``target`` (the service level grows with agents,
    so growing steps from a lower bound, then a bisection, find it). Raw agents: no shrinkage added."""
    if not 0 < target < 1:
        raise ValueError("the target service level must be between 0 and 1 (exclusive)")
    if calls <= 0:
        return 0

    def enough(n: int) -> bool:
        try:
            result = erlang_a(calls, period_seconds, aht_seconds, patience_seconds, n, threshold, variant)
        except TooFewAgents:  # a queue of a million callers answers nobody within any sensible threshold
            return False
        return result.service_level >= target

    # enough(low) is False: with no agent nobody is answered; and, counting abandons against, the service level
    # is at most P(answered) ≤ N ÷ R (occupancy ≤ 1), so fewer than target·R agents cannot reach the target.
    low = 0
    if variant is not SlVariant.ANSWERED_ONLY:
        low = max(0, math.ceil(target * calls * aht_seconds / period_seconds) - 1)
    step = 1
    high = low + step
    while not enough(high):
        low, step = high, step * 2
        high = low + step
        if low > max_agents:
            raise ValueError(f"more than {max_agents} agents needed")
    while high - low > 1:
        middle = (low + high) // 2
        if enough(middle):
            high = middle
        else:
            low = middle
    return high
