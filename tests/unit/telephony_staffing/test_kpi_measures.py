"""The KPI module's measures over tallies, checked by hand, and the record-based measures agreeing with them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.door.tally import WAIT_EDGES_S, CallTally, StateTally
from telephony.acd import CallRecord, kpi
from telephony.acd.model import QueueKey

Q = QueueKey("NTS126", "tax")
T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def answered(wait: float, talk: float, wrap: float, hold: float = 0.0, outbound: bool = False) -> CallRecord:
    return CallRecord(
        "c", Q, at(0), answered_at=at(wait), ended_at=at(wait + talk + hold),
        wrapup_ended_at=at(wait + talk + hold + wrap), hold_seconds=hold, outbound=outbound,
    )  # fmt: skip


def abandoned(wait: float) -> CallRecord:
    return CallRecord("c", Q, at(0), abandoned_at=at(wait))


# 3 answered (waits 4, 12, 25 s; talk 100/200/60, hold 0/40/20, wrap-up 20/30/10), 2 abandoned (3 s, 50 s)
DAY = [
    answered(4, talk=100, wrap=20),
    answered(12, talk=200, wrap=30, hold=40),
    answered(25, talk=60, wrap=10, hold=20),
    abandoned(3),
    abandoned(50),
]


def test_the_tally_of_records_counts_what_the_history_counts() -> None:
    t = kpi.tally_records(DAY)
    assert (t.offered, t.answered, t.abandoned, t.abandoned_short, t.handled) == (5, 3, 2, 1, 3)
    assert t.answered_within_s(10) == 1 and t.answered_within_s(20) == 2 and t.answered_within_s(30) == 3
    assert (t.answered_wait_s, t.abandoned_wait_s) == (41, 53)
    assert (t.talk_s, t.hold_s, t.wrapup_s) == (360, 60, 60)


def test_average_talk_hold_and_after_call_time_per_handled_call() -> None:
    t = kpi.tally_records(DAY)
    assert kpi.tally_average_talk(t) == pytest.approx(360 / 3)  # (100 + 200 + 60) / 3
    assert kpi.tally_average_hold(t) == pytest.approx(20.0)  # (0 + 40 + 20) / 3
    assert kpi.tally_average_after_call(t) == pytest.approx(20.0)  # (20 + 30 + 10) / 3
    assert kpi.tally_aht(t) == pytest.approx(160.0)  # (360 + 60 + 60) / 3: talk + hold + after-call
    assert kpi.tally_average_talk(CallTally()) is None


def test_the_three_service_levels_by_hand() -> None:
    t = kpi.tally_records(DAY)
    # within 20 s: 2 (waits 4 and 12)
    assert kpi.tally_service_level(t, 20, kpi.SlVariant.ANSWERED_ONLY) == pytest.approx(2 / 3)
    assert kpi.tally_service_level(t, 20, kpi.SlVariant.ABANDONS_AGAINST) == pytest.approx(2 / 5)
    assert kpi.tally_service_level(t, 20, kpi.SlVariant.SHORT_ABANDONS_EXCLUDED) == pytest.approx(2 / 4)
    assert kpi.tally_abandonment_rate(t) == pytest.approx(1 / 4)  # the 50 s abandon over 3 + 1
    assert kpi.tally_asa(t) == pytest.approx(41 / 3)


def test_patience_is_waiting_time_over_abandons_short_ones_not_counted() -> None:
    # waiting time of every inbound caller 41 + 53 = 94 s; abandons 2 of which 1 short: 94 / 1
    assert kpi.tally_patience(kpi.tally_records(DAY)) == pytest.approx(94.0)
    assert kpi.tally_patience(kpi.tally_records([answered(4, 10, 0), abandoned(2)])) is None


def test_pause_time_by_reason_and_occupancy_from_state_time() -> None:
    states = StateTally.of(
        {"ready": 600, "on-call": 1500, "wrap-up": 300, "ringing": 100, "not-ready": 900},
        {"break": 600, "meal": 0, "none": 300},
    )
    assert kpi.tally_pause_by_reason(states) == {"break": 600, "none": 300, "meal": 0}
    assert list(kpi.tally_pause_by_reason(states)) == ["break", "none", "meal"]
    # busy (1500 + 300 + 100) / staffed (600 + 1900) = 1900 / 2500
    assert kpi.tally_occupancy(states) == pytest.approx(0.76)
    # handle-time occupancy: 480 s handled over 1800 s staffed
    assert kpi.handle_occupancy(kpi.tally_records(DAY), 1800) == pytest.approx(480 / 1800)


def test_transfer_rate_over_answered_and_callbacks() -> None:
    t = CallTally(answered=8, callbacks=2, transferred=3)
    assert kpi.tally_transfer_rate(t) == pytest.approx(0.3)
    assert kpi.tally_transfer_rate(CallTally()) is None


waits = st.floats(0, 200, allow_nan=False)
records = st.lists(
    st.one_of(
        st.builds(answered, waits, st.floats(1, 600), st.floats(0, 120), st.floats(0, 60), st.booleans()),
        st.builds(abandoned, waits),
    ),
    max_size=30,
)


@given(records, records)
def test_tallies_add_up(first: list[CallRecord], second: list[CallRecord]) -> None:
    together = kpi.tally_records(first + second)
    apart = kpi.tally_records(first) + kpi.tally_records(second)
    assert together.answered_within == apart.answered_within
    assert (together.offered, together.abandoned_short, together.handled) == (
        apart.offered, apart.abandoned_short, apart.handled,
    )  # fmt: skip
    assert together.handle_s == pytest.approx(apart.handle_s)


@given(records, st.sampled_from(WAIT_EDGES_S), st.sampled_from(list(kpi.SlVariant)))
def test_record_measures_are_the_tally_measures(rs: list[CallRecord], threshold: int, variant: kpi.SlVariant) -> None:
    t = kpi.tally_records(rs)
    assert kpi.service_level(rs, threshold, variant) == kpi.tally_service_level(t, threshold, variant)
    assert kpi.abandonment_rate(rs) == kpi.tally_abandonment_rate(t)
    assert kpi.average_speed_of_answer(rs) == kpi.tally_asa(t)
    assert kpi.average_handle_time(rs) == kpi.tally_aht(t)
    inbound_answered = [r for r in rs if r.answered and not r.outbound]
    if inbound_answered:  # and by first principles: within T over the answered
        within = sum(1 for r in inbound_answered if r.wait_seconds <= threshold)
        assert kpi.service_level(rs, threshold, kpi.SlVariant.ANSWERED_ONLY) == pytest.approx(
            within / len(inbound_answered)
        )
