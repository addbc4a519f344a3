"""What the desk tells CTI subscribers, and how it serialises transfers: events carry ids and kinds only (no
summary, note, caller number or citizen id reaches the bus), and a call has at most one transfer in flight.

The desk runs with the in-memory media pool and case store of ``test_desk.py`` and a strict ``CtiBus``, which
raises on any key outside its vocabulary: every path below would fail at the first personal field."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from twisted.internet import defer

from crm.door.calls import AgentRecord, Answered, AnsweredCall, Ended, HandedOff
from telephony.control.desk import TransferInProgress
from telephony.cti.bus import DATA_KEYS, CtiBus, CtiKind, PersonalDataInEvent
from tests.unit.telephony_control.test_desk import NOW, FakeStore, World

#: The brief's allow-list: ids, kinds and states, times, centers and queues.
ALLOWED = {
    "by", "mode", "disposition", "state", "previous", "held", "consult", "cancelled", "completed", "overflow",
    "external", "handoff", "cause", "interaction_id", "case_number", "handoff_id", "to_agent_id", "consult_agent_id",
    "candidates", "dialled", "skill", "priority", "position", "ewt_s", "waiting", "waited_s", "to_center", "to_queue",
    # the board's figures (issue 12): a queue's longest wait, a finished call's record, an agent's reason code
    "longest_wait_s", "call_kind", "enqueued_at", "answered", "talk_s", "hold_s", "agent_center", "transferred_to",
    "reason",
    # the wallboard (issue 15): a finished call's after-call work, in seconds (its CallTally's wrap-up time)
    "wrapup_s",
}  # fmt: skip
SUMMARY = "홍길동 님, 010-5000-0001, 종합소득세 환급 문의"


@dataclasses.dataclass
class PersonalStore(FakeStore):
    """A case store whose answers carry everything personal the real one may return."""

    handoffs: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    pending: list[defer.Deferred[Any]] = dataclasses.field(default_factory=list)
    hold_handoffs: bool = False

    def answered(self, agent: AgentRecord, now: dt.datetime, call: AnsweredCall) -> Answered:
        self.answered_calls.append({"agent": agent.login, **dataclasses.asdict(call)})
        return Answered(100 + len(self.answered_calls), call.case_number or "2026-ACRC110-000001", 7,
                        handoff_summary=SUMMARY if call.handoff_id else None, handoff_from="ACRC110",
                        note="이전 상담 홍길동 님 메모")  # fmt: skip

    def hand_off(self, agent: AgentRecord, now: dt.datetime, **kw: Any) -> HandedOff:
        self.handoffs.append(kw)
        return HandedOff("2026-ACRC110-000001", len(self.handoffs))

    def ended(self, agent: AgentRecord, now: dt.datetime, **kw: Any) -> Ended:
        self.ended_calls.append({"agent": agent.login, **kw})
        return Ended(kw["interaction_id"], None)


def world(tmp: Path, slow_handoffs: bool = False) -> tuple[World, PersonalStore, CtiBus]:
    w = World(tmp)
    store = PersonalStore()
    bus = CtiBus(lambda: NOW, strict=True)
    w.desk.store = store  # type: ignore[assignment]
    w.desk.events = bus
    if slow_handoffs:  # the hand-off's unit of work answers only when the test says so

        def db(f: Any, *a: Any, **kw: Any) -> defer.Deferred[Any]:
            if f == store.hand_off:
                d: defer.Deferred[Any] = defer.Deferred()
                d.addCallback(lambda _: f(*a, **kw))
                store.pending.append(d)
                return d
            return defer.maybeDeferred(f, *a, **kw)

        w.desk.db = db
    return w, store, bus


def test_the_bus_refuses_personal_fields_in_tests_and_drops_them_in_production() -> None:
    strict = CtiBus(lambda: NOW, strict=True)
    with pytest.raises(PersonalDataInEvent, match="caller"):
        strict.publish(CtiKind.CALL_ANSWERED, "NTS126", "a@edge", by="ivr", caller="010-****-0002")
    assert strict.since(0) == ([], 0), "nothing was published"
    lenient = CtiBus(lambda: NOW)
    event = lenient.publish(CtiKind.CALL_ANSWERED, "NTS126", "a@edge", by="agent", note="메모", citizen_id=7)
    assert event.data == {"by": "agent"}
    assert DATA_KEYS == ALLOWED


def test_every_event_of_a_call_with_hold_transfers_and_hand_offs_carries_ids_and_kinds_only(tmp_path: Path) -> None:
    w, store, bus = world(tmp_path)
    for login in ("kim", "lee", "choi"):
        w.desk.agent_state(login, "ready")
    w.desk.agent_state("lee", "not-ready", "병원 진료 홍길동")
    w.caller("w1.1")
    w.answer(w.leg())
    w.desk.hold("kim", True)
    w.desk.hold("kim", False)
    # warm transfer to NTS126: choi is consulted, answers, and takes the caller with the summary
    w.desk.transfer("kim", mode="warm", summary=SUMMARY, to_center="NTS126", to_queue="general")
    w.answer(w.leg())
    w.desk.complete_transfer("kim")
    assert store.answered_calls[-1]["agent"] == "choi"
    # choi hands the caller on blind to ACRC110, where kim (after wrap-up) answers with the summary
    w.advance(200)
    w.desk.agent_state("kim", "ready")
    w.desk.transfer("choi", mode="blind", summary=SUMMARY, to_center="ACRC110", to_queue="general")
    w.answer(w.leg())
    assert w.desk.agent_view("kim")["call"]["handoff_summary"] == SUMMARY, "the detail comes through the API"
    w.desk.transfer("kim", mode="blind", summary=SUMMARY, to_external="pstn-line")
    w.caller("w1.2")  # a second caller, left to hang up in the queue
    w.desk.caller_gone("w1.2", cause=16)
    events, _ = bus.since(0)
    kinds = {e.kind for e in events}
    assert {CtiKind.CALL_QUEUED, CtiKind.CALL_OFFERED, CtiKind.CALL_ANSWERED, CtiKind.CALL_HELD,
            CtiKind.CALL_TRANSFERRED, CtiKind.AGENT_STATE_CHANGED, CtiKind.QUEUE_CHANGED} <= kinds  # fmt: skip
    for event in events:
        assert set(event.data) <= ALLOWED, event
        text = repr(event)
        for personal in ("홍길동", "010", "5000", "01099998888", "메모", "병원", "kim", "choi", "lee"):
            assert personal not in text, (personal, event)
    answered = [e for e in events if e.kind is CtiKind.CALL_ANSWERED and "interaction_id" in e.data]
    assert [e.agent_id for e in answered] == [1, 3, 1] and answered[-1].data["handoff"] is True
    assert any(e.data.get("consult_agent_id") == 3 for e in events), "the console learns who is consulted by id"


def test_a_call_has_one_transfer_in_flight_and_no_hold_meanwhile(tmp_path: Path) -> None:
    w, store, _ = world(tmp_path, slow_handoffs=True)
    w.desk.agent_state("kim", "ready")
    w.caller()
    w.answer(w.leg())
    first = w.desk.transfer("kim", mode="blind", summary=SUMMARY, to_center="NTS126", to_queue="general")
    for attempt in (lambda: w.desk.transfer("kim", mode="blind", summary="다시", to_center="NTS126"),
                    lambda: w.desk.transfer("kim", mode="warm", summary="다시", to_center="NTS126", to_queue="general"),
                    lambda: w.desk.hold("kim", True)):  # fmt: skip
        with pytest.raises(TransferInProgress) as refused:
            attempt()
        assert refused.value.code == "transfer-in-progress"
    assert len(store.pending) == 1, "one hand-off is written, not three"
    results: list[dict[str, Any]] = []
    first.addCallback(results.append)
    store.pending[0].callback(None)
    assert [r["mode"] for r in results] == ["blind"]
    assert w.desk.agent_view("kim")["call"] is None, "the caller left kim with the first transfer"


def test_a_failed_hand_off_frees_the_call_for_another_transfer(tmp_path: Path) -> None:
    w, store, _ = world(tmp_path, slow_handoffs=True)
    w.desk.agent_state("kim", "ready")
    w.caller()
    w.answer(w.leg())
    first = w.desk.transfer("kim", mode="blind", summary=SUMMARY, to_center="NTS126", to_queue="general")
    failures: list[Any] = []
    first.addErrback(failures.append)
    store.pending[0].errback(RuntimeError("database is locked"))
    assert failures, "the agent is told the transfer failed"
    assert w.desk.hold("kim", True)["held"] is True, "and may hold or transfer again"
