"""The desk's records in the real case store (SQLite and PostgreSQL) and the board rebuilt from them: the control
part is built twice against one database, as a restart in the middle of the day, and the board shows the same
counters. Media is in memory (no SIP here); contacts, records and migrations are real."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from twisted.internet import defer, task

from crm.calls.model import CallKind, FinishedCall
from crm.door.sql_desk import AgentContacts
from sori.wiring import System
from telephony.acd import Acd, QueueConfig, QueueKey
from telephony.board import Board
from telephony.control.desk import Caller, Desk, DeskSettings
from telephony.media import protocol as media

pytestmark = pytest.mark.integration
MIDDAY = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)  # Tuesday 12:00 in Seoul


@dataclass
class Media:
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def command(self, worker_id: str, command: type[Any], **arguments: Any) -> defer.Deferred[dict[str, Any]]:
        self.sent.append((command.__name__, arguments))
        return defer.succeed({"call_id": "out@worker"} if command is media.Dial else {})

    def worker_free_slots(self, worker_id: str) -> int:
        return 2

    def worker_with_slots(self, slots: int) -> str | None:
        return "w1"

    def last_dial(self) -> str:
        return str([a for n, a in self.sent if n == "Dial"][-1]["call_ref"])


@dataclass
class Control:
    """The control part as ``sori up`` builds it (desk, board on the CTI bus, records in the case store)."""

    desk: Desk
    board: Board
    store: AgentContacts
    media: Media
    scheduler: task.Clock


def control(system: System, tmp: Path) -> Control:
    with system.uow(readonly=True) as uow:
        centers = list(uow.centers.list())
    for center in centers:
        center.hours = "24/7"
    queues = [QueueConfig(QueueKey(code, "general"), overflow_after=None) for code in ("ACRC110", "NTS126")]
    store = AgentContacts(system.uow, system.policy, system.calendar)
    scheduler = task.Clock()
    desk = Desk(
        Acd(centers, queues, system.calendar), store, db=lambda f, *a, **kw: defer.maybeDeferred(f, *a, **kw),
        clock=system.clock, scheduler=scheduler,  # type: ignore[arg-type]
        settings=DeskSettings("127.0.0.1", 5060, tmp / "rec"), prompts=lambda part: defer.succeed(tmp / "p.wav"),
        hold_music=None, events=system.cti, records=store,
    )  # fmt: skip
    board = Board(system.clock, [q.key for q in queues])
    system.cti.subscribe(board.apply)
    board.restore(*store.today(system.clock()))
    desk.media = media_ = Media()
    desk.start(store.agents(), store.pending_callbacks())
    return Control(desk, board, store, media_, scheduler)


def advance(system: System, part: Control, seconds: int) -> None:
    for _ in range(seconds):
        system.clock.advance(seconds=1)  # type: ignore[attr-defined]
        part.scheduler.advance(1)


def caller(part: Control, ref: str) -> None:
    part.desk.enqueue(Caller("w1", ref, f"{ref}@sip", "ACRC110", "01050000001", None, notice_heard=False), "general")


def test_a_restart_in_the_middle_of_the_day_shows_the_same_counters(system: System, tmp_path: Path) -> None:
    system.clock.now = MIDDAY  # type: ignore[attr-defined]
    first = control(system, tmp_path)
    first.desk.agent_state("kim", "ready")
    first.desk.agent_state("lee", "not-ready", "meal")
    caller(first, "w1.1")
    advance(system, first, 4)
    assert first.desk.leg_state(first.media.last_dial(), "confirmed", 200, None)
    advance(system, first, 60)
    first.desk.hold("kim", True)
    advance(system, first, 5)
    first.desk.hold("kim", False)
    advance(system, first, 10)
    assert first.desk.caller_gone("w1.1", cause=16) is True
    calls, _ = first.store.today(system.clock())
    assert [(c.wrapup_ended_at, c.disposition, c.hold_seconds) for c in calls] == [(None, "answered", 5.0)], (
        "the row came with the contact's end"
    )
    assert calls[0].interaction_id is not None
    with system.uow(readonly=True) as uow:
        contact = uow.interactions.get(calls[0].interaction_id)
        assert contact is not None and contact.ended_at == MIDDAY + dt.timedelta(seconds=79)
    advance(system, first, 31)  # wrap-up ends
    caller(first, "w1.2")  # kim is ready again, but the caller hangs up while her phone rings
    advance(system, first, 3)
    first.desk.caller_gone("w1.2", cause=16)
    advance(system, first, 2)
    before = first.board.center("ACRC110")
    assert (before.today.offered, before.today.answered, before.today.abandoned) == (2, 1, 1)
    assert (before.today.abandoned_wait_s, before.today.talk_s, before.today.hold_s) == (3.0, 70.0, 5.0)
    calls, changes = first.store.today(system.clock())
    done = next(c for c in calls if c.answered)
    assert done.wrapup_ended_at == MIDDAY + dt.timedelta(seconds=109), "completed after wrap-up"
    assert (done.kind, done.agent_id, done.queue_center, done.answered_center) == (CallKind.INBOUND,
                                                                                   before.agents[0].agent_id,
                                                                                   "ACRC110", "ACRC110")  # fmt: skip
    assert {(c.state, c.reason) for c in changes} >= {("not-ready", "meal"), ("on-call", None), ("wrap-up", None)}
    first.desk.stop()

    system.clock.advance(minutes=5)  # type: ignore[attr-defined]
    again = control(system, tmp_path)  # the control process restarted: a new ACD, desk and board
    after = again.board.center("ACRC110")
    assert after.today == before.today and after.queues[0].today == before.queues[0].today
    handled = {a.agent_id: (a.handled, a.talk_s, a.hold_s) for a in after.agents}
    assert handled == {a.agent_id: (a.handled, a.talk_s, a.hold_s) for a in before.agents}
    assert {(a.state, a.reason) for a in after.agents} == {("logged-out", "restart")}, "the new ACD starts empty"
    # and it keeps counting from there
    again.desk.agent_state("kim", "ready")
    caller(again, "w2.1")
    advance(system, again, 2)
    again.desk.caller_gone("w2.1", cause=16)
    assert again.board.center("ACRC110").today.abandoned == 2
    again.desk.stop()


def test_only_todays_calls_in_seoul_are_restored(system: System, tmp_path: Path) -> None:
    system.clock.now = dt.datetime(2026, 3, 10, 15, 30, tzinfo=dt.UTC)  # 00:30 on the 11th in Seoul
    store = AgentContacts(system.uow, system.policy, system.calendar)
    for call_id, minutes_ago in (("yesterday", 45), ("today", 20)):
        at = system.clock() - dt.timedelta(minutes=minutes_ago)
        store.call_finished(FinishedCall(call_id, CallKind.INBOUND, "ACRC110", "general", at,
                                         abandoned_at=at + dt.timedelta(seconds=12)))  # fmt: skip
    calls, _ = store.today(system.clock())
    assert [c.call_id for c in calls] == ["today"]
    board = Board(system.clock)
    board.restore(calls, [])
    assert board.center("ACRC110").today.abandoned == 1 and board.center("ACRC110").day == dt.date(2026, 3, 11)


def test_a_second_write_of_a_call_completes_its_row(system: System) -> None:
    store = AgentContacts(system.uow, system.policy, system.calendar)
    at = system.clock()
    partial = FinishedCall("w1.1#1", CallKind.INBOUND, "ACRC110", "general", at, agent_id=1,
                           answered_at=at + dt.timedelta(seconds=3), ended_at=at + dt.timedelta(seconds=63),
                           hold_seconds=4.0, disposition="answered", interaction_id=None)  # fmt: skip
    store.call_finished(partial)
    complete = FinishedCall("w1.1#1", CallKind.INBOUND, "ACRC110", "general", at, agent_id=1,
                            answered_at=at + dt.timedelta(seconds=3), ended_at=at + dt.timedelta(seconds=62),
                            wrapup_ended_at=at + dt.timedelta(seconds=92), hold_seconds=4.5)  # fmt: skip
    store.call_finished(complete)
    store.call_finished(partial)  # a late partial write changes no final time
    (row,) = store.today(at)[0]
    assert (row.ended_at, row.wrapup_ended_at) == (at + dt.timedelta(seconds=62), at + dt.timedelta(seconds=92))
    assert (row.hold_seconds, row.disposition) == (4.5, "answered"), "the partial's facts stay, the times are final"
    # the same ACD id after a restart is another call (its enqueue time differs)
    store.call_finished(FinishedCall("w1.1#1", CallKind.INBOUND, "ACRC110", "general", at + dt.timedelta(hours=1),
                                     abandoned_at=at + dt.timedelta(hours=1, seconds=5)))  # fmt: skip
    assert len(store.today(at)[0]) == 2
