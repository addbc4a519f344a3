"""Erlang A against hand-solved cases, a brute-force birth-death chain, and its Erlang C limit."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telephony.acd.kpi import SlVariant
from telephony.staffing import erlang_c as c
from telephony.staffing.erlang_a import agents_needed_a, erlang_a


def brute_force(lam: float, mu: float, theta: float, n: int, states: int = 3000) -> tuple[float, float]:
    """P(wait) and P(abandon) from the chain truncated at ``states``: π_j ∝ Π λ ÷ death rate; P(ab) = θ·E[Q] ÷ λ."""
    weights = [1.0]
    for j in range(1, states):
        death = min(j, n) * mu + max(0, j - n) * theta
        weights.append(weights[-1] * lam / death)
    total = sum(weights)
    p_wait = sum(weights[n:]) / total
    queue = sum((j - n) * w for j, w in enumerate(weights) if j > n) / total
    return p_wait, theta * queue / lam


def test_one_agent_as_fast_as_patience_is_an_infinite_server_queue() -> None:
    # λ = μ = θ = 1, N = 1: every caller leaves at rate 1 whether served or not, so the number in the system
    # is Poisson(1): P(wait) = P(N ≥ 1) = 1 − 1/e = 0.6321; P(abandon) = E[(N − 1)⁺] = E[N] − P(N ≥ 1) = 1/e.
    result = erlang_a(1, 1, 1, 1, 1)
    assert result.p_wait == pytest.approx(1 - 1 / math.e)
    assert result.abandon_rate == pytest.approx(1 / math.e)
    # occupancy = R·(1 − P(ab)) ÷ N = 1 − 1/e
    assert result.occupancy == pytest.approx(1 - 1 / math.e)


@pytest.mark.parametrize(
    ("calls_per_hour", "aht", "patience", "agents"),
    [(200, 180, 120, 10), (200, 180, 120, 8), (600, 300, 60, 40), (30, 240, 600, 2)],
)
def test_waiting_and_abandonment_agree_with_the_chain_solved_by_brute_force(
    calls_per_hour: float, aht: float, patience: float, agents: int
) -> None:
    result = erlang_a(calls_per_hour, 3600, aht, patience, agents)
    p_wait, p_abandon = brute_force(calls_per_hour / 3600, 1 / aht, 1 / patience, agents)
    assert result.p_wait == pytest.approx(p_wait, rel=1e-9)
    assert result.abandon_rate == pytest.approx(p_abandon, rel=1e-9)


@pytest.mark.parametrize("agents", [11, 12, 13, 14, 15])
def test_erlang_a_tends_to_erlang_c_as_patience_grows(agents: int) -> None:
    # 10 erlangs (100 calls per 30 minutes, 180 s): with a patience of 10⁹ s nobody abandons in practice.
    result = erlang_a(100, 1800, 180, 1e9, agents, 20, SlVariant.ABANDONS_AGAINST)
    assert result.p_wait == pytest.approx(c.erlang_c(10, agents), rel=1e-5)
    assert result.service_level == pytest.approx(c.erlang_service_level(10, agents, 180, 20), rel=1e-5)
    assert result.asa_seconds == pytest.approx(c.erlang_asa(10, agents, 180), rel=1e-5)
    assert result.abandon_rate < 1e-5


def test_impatient_callers_need_fewer_agents_than_erlang_c_says() -> None:
    # The Erlang C answer of the worked example is 14; callers who hang up after 2 minutes on average leave
    # the queue shorter, so fewer agents reach 80 % within 20 s (abandons counted against).
    assert c.agents_needed(100, 1800, 180, 0.8, 20) == 14
    needed = agents_needed_a(100, 1800, 180, 120, 0.8, 20)
    assert needed < 14
    assert erlang_a(100, 1800, 180, 120, needed, 20).service_level >= 0.8
    assert erlang_a(100, 1800, 180, 120, needed - 1, 20).service_level < 0.8


def test_an_overloaded_queue_still_has_an_answer() -> None:
    # 300 erlangs on 50 agents with 5-hour patience: nearly everyone who is not served abandons, so the
    # share abandoning tends to 1 − N/R = 1 − 50/300 = 0.8333 (the fluid limit).
    result = erlang_a(3600, 3600, 300, 5 * 3600, 50)
    assert result.abandon_rate == pytest.approx(1 - 50 / 300, abs=1e-4)
    assert result.occupancy == pytest.approx(1.0, abs=1e-3)


def test_thousands_of_agents_neither_overflow_nor_underflow() -> None:
    # 10,000 calls per 15 minutes × 300 s = 3,333 erlangs
    needed = agents_needed_a(10_000, 900, 300, 90, 0.9, 20)
    result = erlang_a(10_000, 900, 300, 90, needed, 20)
    assert 3000 < needed < 3600
    assert 0.9 <= result.service_level < 1
    assert all(math.isfinite(x) for x in (result.p_wait, result.asa_seconds, result.abandon_rate))


def test_answered_only_divides_by_the_answered() -> None:
    against = erlang_a(200, 3600, 180, 120, 9, 20, SlVariant.ABANDONS_AGAINST)
    answered = erlang_a(200, 3600, 180, 120, 9, 20, SlVariant.ANSWERED_ONLY)
    assert answered.service_level == pytest.approx(against.p_answered_within / (1 - against.abandon_rate))
    assert against.service_level == against.p_answered_within


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        erlang_a(100, 1800, 180, 0, 10)
    with pytest.raises(ValueError):
        agents_needed_a(100, 1800, 180, 120, target=1.0)


@settings(max_examples=40, deadline=None)
@given(
    calls=st.floats(1, 2000),
    aht=st.floats(30, 900),
    patience=st.floats(5, 3600),
    agents=st.integers(1, 80),
    threshold=st.sampled_from([0, 10, 20, 60]),
    variant=st.sampled_from(list(SlVariant)),
)
def test_more_agents_never_lower_the_service_level_or_raise_abandonment(
    calls: float, aht: float, patience: float, agents: int, threshold: int, variant: SlVariant
) -> None:
    fewer = erlang_a(calls, 3600, aht, patience, agents, threshold, variant)
    more = erlang_a(calls, 3600, aht, patience, agents + 1, threshold, variant)
    assert more.service_level >= fewer.service_level - 1e-9
    assert more.abandon_rate <= fewer.abandon_rate + 1e-9
    assert 0 <= fewer.abandon_rate <= fewer.p_wait <= 1


@settings(max_examples=25, deadline=None)
@given(
    calls=st.floats(1, 400),
    aht=st.floats(60, 600),
    patience=st.floats(10, 1200),
    target=st.sampled_from([0.5, 0.8, 0.95]),
    threshold=st.sampled_from([0, 20, 60]),
    variant=st.sampled_from(list(SlVariant)),
)
def test_the_agents_search_finds_what_a_plain_scan_finds(
    calls: float, aht: float, patience: float, target: float, threshold: int, variant: SlVariant
) -> None:
    found = agents_needed_a(calls, 900, aht, patience, target, threshold, variant)
    scan = next(
        n for n in range(1, 2000) if erlang_a(calls, 900, aht, patience, n, threshold, variant).service_level >= target
    )
    assert found == scan
