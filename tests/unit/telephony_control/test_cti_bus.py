"""The CTI event bus: numbering, filtering by center, bounded memory, live subscribers."""

from __future__ import annotations

import datetime as dt

from telephony.cti.bus import CtiBus, CtiEvent, CtiKind

NOW = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)


def test_events_are_numbered_and_read_after_a_sequence() -> None:
    bus = CtiBus(lambda: NOW)
    first = bus.publish(CtiKind.CALL_OFFERED, "NTS126", "a@edge", dialled="126")
    second = bus.publish(CtiKind.CALL_ENDED, "ACRC110", "b@edge", disposition="answered")
    assert (first.seq, second.seq) == (1, 2)
    assert bus.since(0) == ([first, second], 2)
    assert bus.since(1) == ([second], 2)
    assert bus.since(0, centers={"NTS126"}) == ([first], 2)
    assert bus.since(2) == ([], 2)
    assert bus.since(0, limit=1) == ([first], 2)


def test_the_log_is_bounded_but_numbering_goes_on() -> None:
    bus = CtiBus(lambda: NOW, capacity=3)
    for _ in range(5):
        bus.publish(CtiKind.QUEUE_CHANGED, "NTS126")
    events, last = bus.since(0)
    assert [e.seq for e in events] == [3, 4, 5] and last == 5


def test_subscribers_get_every_event_until_they_leave() -> None:
    bus = CtiBus(lambda: NOW)
    seen: list[CtiEvent] = []
    leave = bus.subscribe(seen.append)
    bus.publish(CtiKind.AGENT_STATE_CHANGED, "NTS126", agent_id=7, state="ready")
    leave()
    bus.publish(CtiKind.AGENT_STATE_CHANGED, "NTS126", agent_id=7, state="not-ready")
    assert [e.data["state"] for e in seen] == ["ready"]


def test_the_oldest_event_held_is_known() -> None:
    bus = CtiBus(lambda: NOW, capacity=3)
    assert bus.oldest() == 1  # nothing held yet: the next number
    for _ in range(2):
        bus.publish(CtiKind.QUEUE_CHANGED, "NTS126")
    assert bus.oldest() == 1
    for _ in range(3):
        bus.publish(CtiKind.QUEUE_CHANGED, "NTS126")
    assert bus.oldest() == 3 and [e.seq for e in bus.since(bus.oldest() - 1)[0]] == [3, 4, 5]
