"""Overflow to partner centers after the queue's wait threshold; the home queue keeps the call."""

from __future__ import annotations

import datetime as dt

from telephony.acd import CallOffered, CallOverflowed, QueueConfig, QueueKey
from tests.unit.telephony.world import (
    GG_GENERAL,
    INCHEON_GENERAL,
    SEOUL_GENERAL,
    SEOUL_TRANSPORT,
    at,
    kst,
    make_acd,
    only,
    ready,
)

SECONDS_60 = dt.timedelta(seconds=60)


def queues(after: dt.timedelta | None = SECONDS_60) -> list[QueueConfig]:
    return [
        QueueConfig(SEOUL_GENERAL, overflow_after=after),
        QueueConfig(SEOUL_TRANSPORT, overflow_after=after),
        QueueConfig(GG_GENERAL),
        QueueConfig(INCHEON_GENERAL),
    ]


def test_overflow_happens_at_the_threshold_not_a_moment_before() -> None:
    acd = make_acd(queues())
    acd.call_arrived("c1", SEOUL_GENERAL, at(0))
    assert acd.next_wakeup(at(0)) == at(60)
    assert acd.tick(at(59.9)) == []
    events = acd.tick(at(60))
    # both partners, in the configured order (Gyeonggi, then Incheon, open on a Tuesday morning)
    assert only(events, CallOverflowed) == [
        CallOverflowed("c1", SEOUL_GENERAL, GG_GENERAL, 60.0),
        CallOverflowed("c1", SEOUL_GENERAL, INCHEON_GENERAL, 60.0),
    ]
    assert only(acd.tick(at(120)), CallOverflowed) == []  # once per partner
    assert acd.next_wakeup(at(120)) is None


def test_overflowed_call_goes_to_a_free_partner_agent() -> None:
    acd = make_acd(queues())
    ready(acd, "gg", "GYEONGGI120", {"general": 1}, at(0))
    acd.call_arrived("c1", SEOUL_GENERAL, at(1))
    assert acd.call("c1").agent_id is None  # the partner's agent is not offered it before the threshold
    events = acd.tick(at(61))
    assert only(events, CallOffered) == [CallOffered("c1", "gg", GG_GENERAL)]


def test_home_queue_keeps_the_call_after_overflow_whoever_frees_first() -> None:
    acd = make_acd(queues())
    acd.call_arrived("c1", SEOUL_GENERAL, at(0))
    acd.tick(at(60))
    assert [p.call_id for p in acd.positions(GG_GENERAL)] == ["c1"]
    assert [p.call_id for p in acd.positions(SEOUL_GENERAL)] == ["c1"]
    events = ready(acd, "seoul", "SEOUL120", {"general": 1}, at(70))
    assert only(events, CallOffered) == [CallOffered("c1", "seoul", SEOUL_GENERAL)]
    assert acd.positions(GG_GENERAL) == ()  # gone from the partner's queue too


def test_partner_own_callers_and_overflowed_callers_are_served_by_time_waited() -> None:
    acd = make_acd(queues())
    acd.call_arrived("seoul-caller", SEOUL_GENERAL, at(0))
    acd.call_arrived("gg-caller", GG_GENERAL, at(30))
    acd.tick(at(60))
    assert [p.call_id for p in acd.positions(GG_GENERAL)] == ["seoul-caller", "gg-caller"]


def test_no_overflow_to_a_partner_without_the_skill() -> None:
    acd = make_acd(queues())
    ready(acd, "gg", "GYEONGGI120", {"general": 1, "transport": 1}, at(0))
    acd.call_arrived("c1", SEOUL_TRANSPORT, at(0))
    assert only(acd.tick(at(600)), CallOverflowed) == []
    assert acd.call("c1").eligible == {SEOUL_TRANSPORT: at(0)}


def test_no_overflow_when_the_queue_has_no_threshold() -> None:
    acd = make_acd(queues(after=None))
    acd.call_arrived("c1", SEOUL_GENERAL, at(0))
    assert acd.tick(at(3600)) == []


def test_closed_partner_is_skipped_and_taken_once_it_opens() -> None:
    # Saturday 07:00 in Seoul: Seoul and Gyeonggi are 24/7, Incheon opens mon-fri 08:00-20:00 only.
    saturday = kst(2026, 3, 14, 7)
    acd = make_acd(queues())
    acd.call_arrived("c1", SEOUL_GENERAL, saturday)
    events = acd.tick(at(60, saturday))
    assert [e.to_queue for e in only(events, CallOverflowed)] == [GG_GENERAL]
    monday = kst(2026, 3, 16, 8)
    events = acd.tick(monday)
    assert [e.to_queue for e in only(events, CallOverflowed)] == [INCHEON_GENERAL]


def test_overflow_event_reports_the_wait() -> None:
    acd = make_acd(queues(after=dt.timedelta(seconds=45)))
    acd.call_arrived("c1", SEOUL_GENERAL, at(0))
    (first, _) = only(acd.tick(at(50)), CallOverflowed)
    assert first.waited_seconds == 50.0
    assert first.to_queue == QueueKey("GYEONGGI120", "general")
