"""The desk's journal: what it records of each call and agent state change, what it publishes for the board, and
the board kept by those events alone. The desk runs with the in-memory media pool and case store of
``test_desk.py``, a strict CTI bus (a key outside the vocabulary raises) and an in-memory record keeper."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twisted.internet import defer

from crm.calls.model import AgentStateChange, CallKind, FinishedCall
from telephony.board import Board
from telephony.cti.bus import CtiBus, CtiKind
from tests.unit.telephony_control.test_desk import NOW, World
from tests.unit.telephony_control.test_desk_events import PersonalStore

S = dt.timedelta(seconds=1)


@dataclass
class Records:
    calls: list[FinishedCall] = field(default_factory=list)
    changes: list[AgentStateChange] = field(default_factory=list)

    callers: list[str] = field(default_factory=list)

    def call_finished(self, call: FinishedCall, caller_digits: str | None = None) -> None:
        self.calls.append(call)
        if caller_digits is not None:
            self.callers.append(caller_digits)

    def agent_state_changed(self, change: AgentStateChange) -> None:
        self.changes.append(change)


def journaled(tmp: Path) -> tuple[World, Records, CtiBus, Board]:
    w = World(tmp)
    records = Records()
    now = lambda: NOW + dt.timedelta(seconds=w.clock.seconds())  # noqa: E731
    bus = CtiBus(now, strict=True)
    board = Board(now, [("ACRC110", "general"), ("NTS126", "general")])
    bus.subscribe(board.apply)
    w.desk.records, w.desk.events = records, bus
    return w, records, bus, board


def test_an_answered_call_is_recorded_with_its_contact_then_completed_after_wrap_up(tmp_path: Path) -> None:
    w, records, _bus, board = journaled(tmp_path)
    w.desk.agent_state("kim", "ready")
    w.caller("w1.1")
    w.advance(5)
    w.answer(w.leg())  # answered 5 s after queueing
    w.advance(60)
    w.desk.hold("kim", True)
    w.advance(10)
    w.desk.hold("kim", False)
    w.advance(20)
    assert w.desk.caller_gone("w1.1", cause=16) is True  # ended 95 s after queueing
    first = w.store.ended_calls[-1]["call"]
    assert isinstance(first, FinishedCall), "written with the contact's end, in its unit of work"
    assert (first.kind, first.queue_center, first.agent_id, first.answered_center) == (CallKind.INBOUND, "ACRC110",
                                                                                       1, "ACRC110")  # fmt: skip
    assert (first.hold_seconds, first.disposition, first.interaction_id) == (10.0, "answered", 101)
    assert first.ended_at == NOW + 95 * S and first.wrapup_ended_at is None
    assert records.calls == [], "the ACD is not done with it until wrap-up ends"
    w.advance(31)  # the queue's wrap-up is 30 s
    (done,) = records.calls
    assert records.callers == [], "only an abandoned caller's number is kept apart"
    assert done.call_id == first.call_id and done.enqueued_at == first.enqueued_at == NOW
    assert (done.answered_at, done.ended_at, done.wrapup_ended_at) == (NOW + 5 * S, NOW + 95 * S, NOW + 125 * S)
    assert (done.hold_seconds, done.talk_seconds, done.wait_seconds, done.sip_call_id) == (10.0, 80.0, 5.0, "w1.1@sip")
    for value in dataclasses.asdict(done).values():
        assert "0105000" not in str(value) and value != 7, "no phone number, no citizen in the record"
    today = board.center("ACRC110").queues[0].today
    assert (today.offered, today.answered, today.talk_s, today.hold_s) == (1, 1, 80.0, 10.0)
    kim = next(a for a in board.center("ACRC110").agents if a.agent_id == 1)
    assert (kim.state, kim.handled, kim.since) == ("ready", 1, NOW + 125 * S)


def test_an_abandoned_call_and_the_waiting_queue_as_the_board_sees_them(tmp_path: Path) -> None:
    w, records, bus, board = journaled(tmp_path)
    w.caller("w1.1")  # nobody is ready
    w.advance(4)
    w.caller("w1.2")
    w.advance(3)
    queue = board.center("ACRC110").queues[0]
    assert (queue.waiting, queue.longest_wait_s) == (2, 7.0)
    w.desk.caller_gone("w1.1", cause=16)
    queue = board.center("ACRC110").queues[0]
    assert (queue.waiting, queue.longest_wait_s) == (1, 3.0)
    assert (queue.today.abandoned, queue.today.abandoned_wait_s) == (1, 7.0)
    (abandoned,) = records.calls
    assert (abandoned.abandoned, abandoned.wait_seconds, abandoned.disposition) == (True, 7.0, "abandoned")
    assert records.callers == ["01050000001"], "the abandoned caller's number goes to the store for a callback"
    finished = [e for e in bus.since(0)[0] if e.kind is CtiKind.CALL_FINISHED]
    assert [e.call_id for e in finished] == ["w1.1@sip"] and finished[0].data["disposition"] == "abandoned"
    assert "0105000" not in str(finished[0].data), "never in the CTI event"


def test_agent_state_changes_are_recorded_with_reason_codes_only(tmp_path: Path) -> None:
    w, records, _bus, board = journaled(tmp_path)
    w.desk.agent_state("kim", "ready")
    w.advance(2)
    w.desk.agent_state("kim", "not-ready", "병원 진료 홍길동")
    w.desk.agent_state("lee", "not-ready", "meal")
    assert [(c.agent_id, c.state, c.previous, c.reason) for c in records.changes] == [
        (1, "not-ready", "logged-out", "login"), (1, "ready", "not-ready", None),
        (1, "not-ready", "ready", "other"), (2, "not-ready", "logged-out", "login"),
        (2, "not-ready", "not-ready", "meal"),
    ]  # fmt: skip
    assert records.changes[2].at == NOW + 2 * S
    assert w.desk.agent_view("kim")["reason"] == "병원 진료 홍길동", "the agent still sees what they typed"
    agents = {a.agent_id: a for a in board.center("ACRC110").agents}
    assert (agents[1].reason, agents[2].reason) == ("other", "meal")


def test_a_blind_transfer_is_recorded_in_both_queues(tmp_path: Path) -> None:
    w, records, _bus, board = journaled(tmp_path)
    w.desk.store = PersonalStore()  # type: ignore[assignment]  # it writes hand-offs
    w.desk.agent_state("kim", "ready")
    w.desk.agent_state("choi", "ready")
    w.caller("w1.1")
    w.answer(w.leg())
    w.advance(10)
    w.desk.transfer("kim", mode="blind", summary="요약", to_center="NTS126", to_queue="general")
    w.answer(w.leg())  # choi answers the transferred caller
    w.advance(20)
    w.desk.caller_gone("w1.1", cause=16)
    w.advance(31)
    by_queue = {c.queue_center: c for c in records.calls}
    assert by_queue["ACRC110"].transferred_to == "NTS126/general" and by_queue["ACRC110"].disposition == "transferred"
    assert by_queue["NTS126"].agent_id == 3 and by_queue["NTS126"].dialled_center == "NTS126"
    acrc, nts = board.center("ACRC110").today, board.center("NTS126").today
    assert (acrc.offered, acrc.answered, acrc.transferred) == (1, 1, 1)
    assert (nts.offered, nts.answered, nts.transferred) == (1, 1, 0)


def test_the_writes_of_one_call_reach_the_database_in_order(tmp_path: Path) -> None:
    """The contact's end (with the record) is slow; the ACD's completion waits for it."""
    w, records, _bus, _board = journaled(tmp_path)
    order: list[str] = []
    held: list[defer.Deferred[Any]] = []

    def db(f: Any, *a: Any, **kw: Any) -> defer.Deferred[Any]:
        if f == w.store.ended:
            d: defer.Deferred[Any] = defer.Deferred()

            def contact(_: object) -> Any:
                order.append("contact")
                return f(*a, **kw)

            d.addCallback(contact)
            held.append(d)
            return d
        if f == records.call_finished:
            order.append("record")
        return defer.maybeDeferred(f, *a, **kw)

    w.desk.db = db
    w.desk.agent_state("kim", "ready")
    w.caller("w1.1")
    w.answer(w.leg())
    w.desk.caller_gone("w1.1", cause=16)
    w.advance(31)
    assert order == [] and records.calls == [], "the completion waits for the contact's unit of work"
    held[0].callback(None)
    assert order == ["contact", "record"] and len(records.calls) == 1
    assert w.desk.writes == {}, "nothing left in flight"


def test_a_warm_transfer_is_recorded_as_the_senders_call_and_the_consultation(tmp_path: Path) -> None:
    w, records, _bus, board = journaled(tmp_path)
    w.desk.store = PersonalStore()  # type: ignore[assignment]  # it writes hand-offs
    w.desk.agent_state("kim", "ready")
    w.desk.agent_state("choi", "ready")
    w.caller("w1.1")
    w.answer(w.leg())
    w.advance(10)
    w.desk.transfer("kim", mode="warm", summary="요약", to_center="NTS126", to_queue="general")
    w.advance(4)  # the caller waits on hold while choi's phone rings
    w.answer(w.leg())
    w.advance(6)
    w.desk.complete_transfer("kim")
    w.advance(30)
    w.desk.caller_gone("w1.1", cause=16)
    w.advance(31)
    sender = next(c for c in records.calls if c.kind is CallKind.INBOUND)
    consult = next(c for c in records.calls if c.kind is CallKind.CONSULT)
    # kim's caller was on hold from the consultation's start to its completion
    assert (sender.transferred_to, sender.disposition) == ("NTS126/general", "transferred")
    assert (sender.hold_seconds, sender.agent_id) == (10.0, 1)
    assert (consult.queue_center, consult.agent_id, consult.dialled_center) == ("NTS126", 3, "ACRC110")
    assert consult.hold_seconds == 0.0
    assert consult.wait_seconds == 4.0 and consult.disposition == "answered"
    nts = board.center("NTS126").today
    assert (nts.offered, nts.answered) == (1, 1)
    assert board.center("ACRC110").today.transferred == 1


def test_a_callback_that_reaches_the_citizen_is_recorded_as_one(tmp_path: Path) -> None:
    w, records, _bus, board = journaled(tmp_path)
    w.desk.ivr_callback("ACRC110", "general", "01050000001", None)
    w.desk.agent_state("kim", "ready")
    w.advance(1)
    agent_leg = w.leg()
    assert agent_leg.endswith(".agent"), "kim's phone first"
    w.answer(agent_leg)
    citizen_leg = w.leg()
    w.advance(8)  # the citizen's phone rings
    assert w.desk.leg_state(citizen_leg, "confirmed", 200, None)
    w.advance(40)
    assert w.desk.leg_state(citizen_leg, "disconnected", 200, 16)
    w.advance(31)
    (call,) = records.calls
    assert (call.kind, call.agent_id, call.sip_call_id, call.disposition) == (CallKind.CALLBACK, 1, "out@worker",
                                                                              "answered")  # fmt: skip
    assert call.talk_seconds == 40.0 and "0105000" not in repr(call)
    today = board.center("ACRC110").today
    assert (today.callbacks, today.offered, today.answered) == (1, 0, 0), "a callback is counted apart"
    assert board.center("ACRC110").agents[0].handled == 1
