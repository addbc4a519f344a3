"""Erlang C against published values and hand arithmetic (the functions moved here from ``telephony.acd.kpi``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telephony.acd import kpi
from telephony.staffing import erlang_c as c


def test_probability_of_waiting_for_ten_erlangs_on_eleven_to_fifteen_agents() -> None:
    # Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example" (A = 100 calls per
    # 30 minutes × 180 s ÷ 1800 s = 10 erlangs): P(wait) 68.2 % with 11 agents ... 17.4 % with 14 agents;
    # the values between follow from the formula A^N/N! · N/(N − A) ÷ (Σ_{k<N} A^k/k! + A^N/N! · N/(N − A)).
    expected = {11: 0.6821, 12: 0.4494, 13: 0.2853, 14: 0.1741, 15: 0.1020}
    assert {n: round(c.erlang_c(10, n), 4) for n in expected} == expected


def test_table_c_traffic_for_a_given_delay_probability() -> None:
    # An Erlang C table (Table C, "probability of queue", as used for trunked TETRA channels): 8 channels
    # carry 3.87 erlangs at P(queue) = 5 %, 10 channels 4.08 erlangs at 1 % (A is tabulated to 2 decimals).
    assert c.erlang_c(3.87, 8) == pytest.approx(0.05, abs=2e-4)
    assert c.erlang_c(4.08, 10) == pytest.approx(0.01, abs=1e-4)


def test_textbook_exercise_six_erlangs_on_ten_servers_waits_about_one_in_ten() -> None:
    # 120 customers per hour, 3 minutes each, 10 assistants: A = 6 erlangs, "from the Erlang C curve, the
    # probability of waiting is about 0.10" (a queueing-theory exercise, Mathematics Stack Exchange).
    assert c.erlang_c(6, 10) == pytest.approx(0.10, abs=0.002)


def test_service_level_asa_and_occupancy_of_the_worked_example() -> None:
    # 14 agents: SL = 1 − 0.1741 × e^(−4 × 20/180) = 1 − 0.1741 × 0.6412 = 0.8884; ASA = 0.1741 × 180 / 4 = 7.8 s
    traffic = c.traffic_erlangs(100, 1800, 180)
    assert c.erlang_service_level(traffic, 14, 180, 20) == pytest.approx(0.8884, abs=1e-4)
    assert c.erlang_asa(traffic, 14, 180) == pytest.approx(7.84, abs=0.01)
    assert c.erlang_occupancy(traffic, 14) == pytest.approx(10 / 14)
    assert c.agents_needed(100, 1800, 180, 0.8, 20) == 14


def test_erlang_b_by_hand() -> None:
    # B(2, 1) = (1/2) / (1 + 1 + 1/2) = 0.2
    assert c.erlang_b(1, 2) == pytest.approx(0.2)


def test_kpi_still_offers_the_erlang_c_names() -> None:
    assert kpi.erlang_c is c.erlang_c and kpi.agents_needed is c.agents_needed


def test_too_many_agents_needed_is_refused() -> None:
    with pytest.raises(ValueError, match="agents needed"):
        c.agents_needed(2_000_000, 3600, 1800, max_agents=10_000)


@given(
    traffic=st.floats(0.1, 200),
    aht=st.floats(10, 1200),
    threshold=st.floats(0, 120),
    extra=st.integers(1, 30),
)
def test_service_level_grows_and_asa_falls_with_agents(
    traffic: float, aht: float, threshold: float, extra: int
) -> None:
    n = int(traffic) + extra
    assert c.erlang_service_level(traffic, n + 1, aht, threshold) >= c.erlang_service_level(traffic, n, aht, threshold)
    assert c.erlang_asa(traffic, n + 1, aht) <= c.erlang_asa(traffic, n, aht)
    assert 0.0 <= c.erlang_c(traffic, n) <= 1.0
