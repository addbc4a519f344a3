"""KPIs over hand-made call records, each checked against arithmetic written out in the comments."""

from __future__ import annotations

import math

import pytest

from telephony.acd import CallRecord, kpi
from tests.unit.telephony.world import TAX, at


def answered(wait: float, talk: float, wrap: float, hold: float = 0.0, outbound: bool = False) -> CallRecord:
    start = at(0)
    return CallRecord(
        "c",
        TAX,
        start,
        answered_at=at(wait),
        ended_at=at(wait + talk + hold),
        wrapup_ended_at=at(wait + talk + hold + wrap),
        hold_seconds=hold,
        outbound=outbound,
    )


def abandoned(wait: float) -> CallRecord:
    return CallRecord("c", TAX, at(0), abandoned_at=at(wait))


# Ten calls: 6 answered (waits 5, 10, 20, 21, 40, 60 s), 4 abandoned (2 s, 4.9 s, 5.1 s, 30 s).
DAY = [
    answered(5, talk=100, wrap=20),
    answered(10, talk=200, wrap=30, hold=30),
    answered(20, talk=150, wrap=10),
    answered(21, talk=90, wrap=0),
    answered(40, talk=300, wrap=60, hold=60),
    answered(60, talk=60, wrap=40),
    abandoned(2),
    abandoned(4.9),
    abandoned(5.1),
    abandoned(30),
]


def test_service_level_counts_answers_within_t_over_answered_plus_long_abandons() -> None:
    # answered within 20 s (inclusive): waits 5, 10, 20 -> 3
    # denominator: 6 answered + 2 abandoned at >= 5 s (5.1, 30) = 8; the 2 s and 4.9 s abandons are left out
    # SL = 3 / 8 = 0.375
    assert kpi.service_level(DAY) == pytest.approx(0.375)


def test_service_level_threshold_is_per_queue() -> None:
    # T = 10: waits 5, 10 -> 2 / 8 = 0.25; T = 60: all 6 answered -> 6 / 8 = 0.75
    assert kpi.service_level(DAY, threshold=10) == pytest.approx(0.25)
    assert kpi.service_level(DAY, threshold=60) == pytest.approx(0.75)


def test_service_level_of_nothing_is_unknown() -> None:
    assert kpi.service_level([]) is None
    assert kpi.service_level([abandoned(1), abandoned(4.99)]) is None


def test_asa_averages_waits_of_answered_calls_only() -> None:
    # (5 + 10 + 20 + 21 + 40 + 60) / 6 = 156 / 6 = 26
    assert kpi.average_speed_of_answer(DAY) == pytest.approx(26.0)
    assert kpi.average_speed_of_answer([abandoned(30)]) is None


def test_aht_is_talk_plus_hold_plus_wrapup() -> None:
    # handle times: 100+0+20=120, 200+30+30=260, 150+0+10=160, 90+0+0=90, 300+60+60=420, 60+0+40=100
    # sum = 1150, AHT = 1150 / 6 = 191.666...
    assert kpi.average_handle_time(DAY) == pytest.approx(1150 / 6)
    record = answered(3, talk=200, wrap=30, hold=30)
    assert (record.talk_seconds, record.hold_seconds, record.wrapup_seconds) == (200, 30, 30)


def test_aht_leaves_out_calls_not_yet_wrapped_up() -> None:
    open_wrapup = CallRecord("c", TAX, at(0), answered_at=at(1), ended_at=at(100))
    assert kpi.average_handle_time([open_wrapup]) is None


def test_abandonment_rate_excludes_short_abandons_from_both_terms() -> None:
    # long abandons: 5.1 s and 30 s -> 2; denominator 6 answered + 2 = 8; rate = 2 / 8 = 0.25
    assert kpi.abandonment_rate(DAY) == pytest.approx(0.25)
    # the service level with every abandon counted against: 3 within 20 s / (6 + 4) = 0.3; answered only: 3 / 6
    assert kpi.service_level(DAY, variant=kpi.SlVariant.ABANDONS_AGAINST) == pytest.approx(0.3)
    assert kpi.service_level(DAY, variant=kpi.SlVariant.ANSWERED_ONLY) == pytest.approx(0.5)
    assert kpi.abandonment_rate([]) is None


def test_abandon_at_exactly_five_seconds_counts_as_long() -> None:
    # 1 answered in 3 s, 1 abandon at 5.0 s: SL = 1 / 2, abandonment = 1 / 2
    records = [answered(3, talk=10, wrap=0), abandoned(5.0)]
    assert kpi.service_level(records) == pytest.approx(0.5)
    assert kpi.abandonment_rate(records) == pytest.approx(0.5)


def test_callbacks_count_in_handle_time_not_in_inbound_measures() -> None:
    # inbound: 1 answered at 30 s -> SL 0 / 1 = 0, ASA 30; outbound wait is ignored
    # AHT over both: (10 + 0) + (50 + 10) = 70 / 2 = 35
    records = [answered(30, talk=10, wrap=0), answered(0, talk=50, wrap=10, outbound=True)]
    assert kpi.service_level(records) == 0.0
    assert kpi.average_speed_of_answer(records) == 30.0
    assert kpi.average_handle_time(records) == pytest.approx(35.0)


def test_occupancy_is_handle_time_over_staffed_time() -> None:
    # 1150 s handled over 2 agents × 1800 s staffed = 1150 / 3600
    assert kpi.occupancy(DAY, staffed_seconds=3600) == pytest.approx(1150 / 3600)
    assert kpi.occupancy(DAY, staffed_seconds=0) is None


# --- Erlang C ---------------------------------------------------------------------------------------------
# Worked example from Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example":
# 100 calls per 30 minutes, AHT 180 s, target 80 % within 20 s. A = 100 × 180 / 1800 = 10 erlangs.


def test_traffic_intensity() -> None:
    assert kpi.traffic_erlangs(100, 1800, 180) == pytest.approx(10.0)


def test_erlang_c_by_hand_for_eleven_agents() -> None:
    # A^N / N! × N / (N − A) = 10^11 / 39,916,800 × 11 / 1 = 2505.21 × 11 = 27,557.3
    # Σ_{k=0}^{10} 10^k / k! = 1 + 10 + 50 + 166.67 + 416.67 + 833.33 + 1388.89 + 1984.13 + 2480.16
    #                          + 2755.73 + 2755.73 = 12,842.31
    # C = 27,557.3 / (12,842.31 + 27,557.3) = 0.6821
    assert kpi.erlang_c(10, 11) == pytest.approx(0.6821, abs=1e-4)
    # SL = 1 − 0.6821 × e^(−(11 − 10) × 20 / 180) = 1 − 0.6821 × 0.89484 = 0.3896
    assert kpi.erlang_service_level(10, 11, 180, 20) == pytest.approx(0.3896, abs=1e-4)
    # ASA = 0.6821 × 180 / (11 − 10) = 122.8 s
    assert kpi.erlang_asa(10, 11, 180) == pytest.approx(122.8, abs=0.1)


def test_published_example_needs_fourteen_agents() -> None:
    # The article arrives at 14 raw agents: P(wait) 17.4 %, service level 88.9 %, ASA 7.8 s.
    # 13 agents fall just short: 1 − 0.2853 × e^(−3 × 20 / 180) = 1 − 0.2853 × 0.7165 = 0.7956 < 0.8.
    assert kpi.erlang_service_level(10, 13, 180, 20) == pytest.approx(0.7956, abs=1e-4)
    assert kpi.erlang_c(10, 14) == pytest.approx(0.1741, abs=1e-4)
    assert kpi.erlang_service_level(10, 14, 180, 20) == pytest.approx(0.8884, abs=1e-4)
    assert kpi.erlang_asa(10, 14, 180) == pytest.approx(7.8, abs=0.05)
    assert kpi.agents_needed(100, 1800, 180, target=0.8, threshold=20) == 14


def test_erlang_c_limits() -> None:
    # one agent, A = 0.5: C = ρ = 0.5 (M/M/1)
    assert kpi.erlang_c(0.5, 1) == pytest.approx(0.5)
    assert kpi.erlang_c(10, 10) == 1.0
    assert kpi.erlang_service_level(10, 9, 180, 20) == 0.0
    assert math.isinf(kpi.erlang_asa(10, 10, 180))
    assert kpi.agents_needed(0, 1800, 180) == 0


def test_agents_needed_grows_with_the_target() -> None:
    needs = [kpi.agents_needed(100, 1800, 180, target=t) for t in (0.5, 0.8, 0.9, 0.99)]
    assert needs == sorted(needs)
    assert needs[0] >= 11
