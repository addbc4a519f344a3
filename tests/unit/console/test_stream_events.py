"""The console stream's pure rules: who sees which CTI event, as what, with which id, and where a reconnect resumes."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from console.stream_events import (
    Identity,
    SseType,
    classify,
    event_id,
    frame,
    parse_event_id,
    payload,
    resume_after,
)
from telephony.cti.bus import CtiEvent, CtiKind

AT = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)
ME = Identity(agent_id=7, center="ACRC110", role="agent")


def ev(kind: CtiKind, center: str | None, agent_id: int | None = None, call_id: str | None = "c1", **data: object
       ) -> CtiEvent:  # fmt: skip
    return CtiEvent(1, AT, kind, center, call_id, agent_id, dict(data))


@pytest.mark.parametrize(("event", "expected"), [
    # 1. the viewer's own state and calls, whatever the center
    (ev(CtiKind.AGENT_STATE_CHANGED, "ACRC110", 7, None, state="ready", previous="not-ready"), SseType.STATE),
    (ev(CtiKind.CALL_OFFERED, "ACRC110", 7, to_agent_id=7, consult=False), SseType.CALL),
    (ev(CtiKind.CALL_OFFERED, "NTS126", 9, to_agent_id=7, consult=True), SseType.CALL),  # consulted by another center
    (ev(CtiKind.CALL_TRANSFERRED, "NTS126", 9, mode="warm", consult_agent_id=7), SseType.CALL),
    (ev(CtiKind.CALL_HELD, "ACRC110", 7, held=True), SseType.CALL),
    (ev(CtiKind.CALL_FINISHED, "NTS126", 7, disposition="answered"), SseType.CALL),
    # 2. the viewer's center: no agent, or the board's kinds about a colleague
    (ev(CtiKind.QUEUE_CHANGED, "ACRC110", None, None, skill="general", waiting=3), SseType.BOARD),
    (ev(CtiKind.CALL_QUEUED, "ACRC110", None, skill="general"), SseType.BOARD),
    (ev(CtiKind.CALL_ENDED, "ACRC110", None, disposition="abandoned"), SseType.BOARD),
    (ev(CtiKind.AGENT_STATE_CHANGED, "ACRC110", 8, None, state="on-call"), SseType.BOARD),
    (ev(CtiKind.CALL_FINISHED, "ACRC110", 8, disposition="answered"), SseType.BOARD),
    # a colleague's call events are not sent
    (ev(CtiKind.CALL_OFFERED, "ACRC110", 8, to_agent_id=8), None),
    (ev(CtiKind.CALL_HELD, "ACRC110", 8, held=True), None),
    # 3. never another center's, never a center-less event that is not the viewer's
    (ev(CtiKind.QUEUE_CHANGED, "NTS126", None, None, skill="general", waiting=3), None),
    (ev(CtiKind.AGENT_STATE_CHANGED, "NTS126", 9, None, state="ready"), None),
    (ev(CtiKind.CALL_FINISHED, "NTS126", 9), None),
    (ev(CtiKind.CALL_OFFERED, "NTS126", None), None),
    (ev(CtiKind.AGENT_STATE_CHANGED, None, None, None, state="ready"), None),
    # another agent's state never shows as the viewer's own, even when it names them
    (ev(CtiKind.AGENT_STATE_CHANGED, "NTS126", 9, None, state="ready", to_agent_id=7), None),
])  # fmt: skip
def test_the_filter(event: CtiEvent, expected: SseType | None) -> None:
    assert classify(event, ME) == expected


def test_a_supervisor_follows_the_same_rule() -> None:
    boss = Identity(agent_id=1, center="ACRC110", role="supervisor")
    assert classify(ev(CtiKind.CALL_OFFERED, "ACRC110", 8, to_agent_id=8), boss) is None
    assert classify(ev(CtiKind.QUEUE_CHANGED, "NTS126", None, None), boss) is None


def test_state_payload_is_the_state_and_its_reason_code() -> None:
    event = ev(CtiKind.AGENT_STATE_CHANGED, "ACRC110", 7, None, state="not-ready", previous="ready", reason="meal")
    assert payload(event, SseType.STATE) == {"agent_id": 7, "state": "not-ready", "reason": "meal",
                                             "previous": "ready", "since": AT.isoformat()}  # fmt: skip


def test_call_payload_keeps_ids_and_kinds_only() -> None:
    event = ev(CtiKind.CALL_ANSWERED, "ACRC110", 7, by="agent", interaction_id=41, case_number="C-2026-1",
               handoff=True)  # fmt: skip
    assert payload(event, SseType.CALL) == {
        "call_id": "c1", "kind": "call-answered", "phase": "answered", "center": "ACRC110", "agent_id": 7,
        "at": AT.isoformat(), "data": {"by": "agent", "interaction_id": 41, "case_number": "C-2026-1", "handoff": True},
    }  # fmt: skip
    finished = ev(CtiKind.CALL_FINISHED, "ACRC110", 7, disposition="answered", talk_s=61.5, waited_s=3.0)
    assert payload(finished, SseType.CALL)["data"] == {"disposition": "answered"}  # figures: from the API


@pytest.mark.parametrize(("held", "phase"), [(True, "held"), (False, "resumed")])
def test_hold_and_resume_are_phases(held: bool, phase: str) -> None:
    assert payload(ev(CtiKind.CALL_HELD, "ACRC110", 7, held=held), SseType.CALL)["phase"] == phase


def test_board_payload_has_no_figures() -> None:
    event = ev(CtiKind.QUEUE_CHANGED, "ACRC110", None, None, skill="general", waiting=3, longest_wait_s=12.0)
    assert payload(event, SseType.BOARD) == {"kind": "queue-changed", "center": "ACRC110", "at": AT.isoformat(),
                                             "skill": "general"}  # fmt: skip
    agent = ev(CtiKind.AGENT_STATE_CHANGED, "ACRC110", 8, None, state="on-call", reason=None)
    assert payload(agent, SseType.BOARD) == {"kind": "agent-state-changed", "center": "ACRC110",
                                             "at": AT.isoformat(), "agent_id": 8, "state": "on-call"}  # fmt: skip


def test_ids_round_trip_and_garbage_is_refused() -> None:
    assert event_id("a1b2", 42) == "a1b2.42"
    assert parse_event_id("a1b2.42") == ("a1b2", 42)
    assert parse_event_id(" a1b2.42 ") == ("a1b2", 42)
    for bad in (None, "", "42", "a1b2.", ".42", "a1b2.-1", "a1b2.4x", "a b.1", "a1b2.1" + "0" * 30, "é.1",
                "x" * 70 + ".1"):  # fmt: skip
        assert parse_event_id(bad) is None, bad


@pytest.mark.parametrize(("last_id", "oldest", "last", "expected"), [
    ("ep.10", 1, 20, 10),  # within memory: replay 11..20
    ("ep.20", 1, 20, 20),  # nothing missed
    ("ep.10", 11, 20, 10),  # exactly the oldest held is the next one
    ("ep.9", 11, 20, None),  # event 10 is gone: snapshot
    ("ep.0", 1, 20, 0),
    ("ep.21", 1, 20, None),  # from the future: not this bus
    ("other.10", 1, 20, None),  # another epoch: the server restarted
    ("garbage", 1, 20, None),
    (None, 1, 20, None),  # first connection: snapshot
    ("ep.5", 6, 5, 5),  # an empty bus after 5 events (all evicted), nothing missed
])  # fmt: skip
def test_the_resume_decision(last_id: str | None, oldest: int, last: int, expected: int | None) -> None:
    assert resume_after(last_id, "ep", oldest, last) == expected


def test_a_frame_is_one_sse_event_on_one_data_line() -> None:
    raw = frame(SseType.CALL, {"note": "a\nb", "센터": "ㄱ"}, "ep.3").decode()
    assert raw.endswith("\n\n") and raw.count("\n") == 4
    lines = raw.split("\n")
    assert lines[:2] == ["id: ep.3", "event: call"]
    assert json.loads(lines[2].removeprefix("data: ")) == {"note": "a\nb", "센터": "ㄱ"}
    assert frame(SseType.PING, {}).decode() == "event: ping\ndata: {}\n\n"
