"""The board from CTI events alone: queues now (waiting, longest wait), agents now (state, reason code, time in
state) and today's counters, with the day starting again at midnight in Seoul. Every expectation is worked out
by hand from the events fed in."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.calls.model import AgentStateChange, CallKind, FinishedCall
from telephony.board import Board
from telephony.board.calls import finished_data
from telephony.cti.bus import CtiBus, CtiKind

NOW = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)  # Tuesday 11:00 in Seoul
S = dt.timedelta(seconds=1)


class Clock:
    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def rig(now: dt.datetime = NOW) -> tuple[Clock, CtiBus, Board]:
    clock = Clock(now)
    bus = CtiBus(clock, strict=True)  # a key outside the CTI vocabulary raises
    board = Board(clock, [("ACRC110", "general"), ("NTS126", "general")])
    bus.subscribe(board.apply)
    return clock, bus, board


def call(call_id: str, enqueued: dt.datetime, **kw: object) -> FinishedCall:
    values: dict[str, object] = {"kind": CallKind.INBOUND, "queue_center": "ACRC110", "queue_skill": "general"}
    values.update(kw)
    return FinishedCall(call_id, enqueued_at=enqueued, **values)  # type: ignore[arg-type]


def finish(bus: CtiBus, c: FinishedCall) -> None:
    bus.publish(CtiKind.CALL_FINISHED, c.queue_center, c.sip_call_id, c.agent_id, **finished_data(c))


def test_a_queue_shows_how_many_wait_and_since_when_the_oldest_waits() -> None:
    clock, bus, board = rig()
    bus.publish(CtiKind.QUEUE_CHANGED, "ACRC110", None, None, skill="general", waiting=2, longest_wait_s=30.0)
    clock.now = NOW + 12 * S
    queue = board.center("ACRC110").queues[0]
    assert (queue.skill, queue.waiting, queue.longest_wait_s) == ("general", 2, 42.0)
    # a per-call position announcement (no "waiting") changes nothing
    bus.publish(CtiKind.QUEUE_CHANGED, "ACRC110", "a@sip", None, position=1, ewt_s=20)
    assert board.center("ACRC110").queues[0].waiting == 2
    bus.publish(CtiKind.QUEUE_CHANGED, "ACRC110", None, None, skill="general", waiting=0, longest_wait_s=0)
    state = board.center("ACRC110")
    assert (state.waiting, state.longest_wait_s) == (0, 0.0)
    assert [q.skill for q in board.center("NTS126").queues] == ["general"], "configured queues show when empty"


def test_agents_show_their_state_reason_code_and_time_in_state() -> None:
    clock, bus, board = rig()
    bus.publish(CtiKind.AGENT_STATE_CHANGED, "ACRC110", None, 1, previous="logged-out", state="not-ready",
                reason="login")  # fmt: skip
    clock.now = NOW + 5 * S
    bus.publish(CtiKind.AGENT_STATE_CHANGED, "ACRC110", None, 1, previous="not-ready", state="ready")
    bus.publish(CtiKind.AGENT_STATE_CHANGED, "ACRC110", None, 2, previous="ready", state="not-ready", reason="meal")
    bus.publish(CtiKind.AGENT_STATE_CHANGED, "NTS126", None, 3, previous="logged-out", state="ready")
    clock.now = NOW + 65 * S
    agents = {a.agent_id: a for a in board.center("ACRC110").agents}
    assert set(agents) == {1, 2}, "only the center's own agents"
    assert (agents[1].state, agents[1].reason, agents[1].in_state_s) == ("ready", None, 60.0)
    assert (agents[2].state, agents[2].reason, agents[2].since) == ("not-ready", "meal", NOW + 5 * S)
    assert board.center("ACRC110").agents_in("ready") == 1
    assert (board.agent_state(1), board.agent_state(3), board.agent_state(99)) == ("ready", "ready", None)


def test_todays_counters_are_those_of_the_finished_calls() -> None:
    _, bus, board = rig()
    t = NOW - dt.timedelta(minutes=30)
    # fmt: off
    answered = call("c1", t, sip_call_id="c1@sip", agent_id=1, answered_center="ACRC110", answered_at=t + 20 * S,
                    ended_at=t + 200 * S, wrapup_ended_at=t + 230 * S, hold_seconds=30, disposition="answered")
    transferred = call("c2", t + 60 * S, agent_id=1, answered_center="ACRC110", answered_at=t + 70 * S,
                       ended_at=t + 130 * S, wrapup_ended_at=t + 160 * S, transferred_to="NTS126/general",
                       disposition="transferred")
    abandoned = call("c3", t + 90 * S, abandoned_at=t + 135 * S)
    overflowed = call("c4", t + 100 * S, agent_id=3, answered_center="NTS126", answered_at=t + 190 * S,
                      ended_at=t + 250 * S, wrapup_ended_at=t + 260 * S, overflowed=True)
    consult_cancelled = call("c5", t + 140 * S, kind=CallKind.CONSULT, queue_center="NTS126",
                             abandoned_at=t + 150 * S)
    consult = call("c6", t + 160 * S, kind=CallKind.CONSULT, queue_center="NTS126", agent_id=3,
                   answered_center="NTS126", answered_at=t + 170 * S, ended_at=t + 300 * S,
                   wrapup_ended_at=t + 310 * S)
    callback = call("c7", t + 400 * S, kind=CallKind.CALLBACK, agent_id=2, answered_center="ACRC110",
                    answered_at=t + 420 * S, ended_at=t + 480 * S, wrapup_ended_at=t + 500 * S)
    # fmt: on
    for c in (answered, transferred, abandoned, overflowed, consult_cancelled, consult, callback):
        finish(bus, c)
    acrc = board.center("ACRC110")
    q = acrc.queues[0].today
    # offered: c1 c2 c3 c4 (the callback is counted apart); answered c1 c2 c4; abandoned c3 after 45 s
    assert (q.offered, q.answered, q.abandoned, q.abandoned_wait_s) == (4, 3, 1, 45.0)
    assert (q.transferred, q.callbacks, q.overflow_out, q.overflow_in) == (1, 1, 1, 0)
    # talk: c1 180-30=150, c2 60, c4 60, c7 60; hold: c1 30
    assert (q.talk_s, q.hold_s) == (330.0, 30.0)
    nts = board.center("NTS126")
    n = nts.queues[0].today
    assert (n.offered, n.answered, n.abandoned, n.overflow_in) == (1, 1, 0, 1), "a cancelled consultation is no call"
    agents = {a.agent_id: a for a in acrc.agents + nts.agents}
    assert agents == {}, "no agent state seen yet: counters are kept for when they show"
    bus.publish(CtiKind.AGENT_STATE_CHANGED, "ACRC110", None, 1, previous="wrap-up", state="ready")
    bus.publish(CtiKind.AGENT_STATE_CHANGED, "NTS126", None, 3, previous="wrap-up", state="ready")
    kim = board.center("ACRC110").agents[0]
    choi = board.center("NTS126").agents[0]
    assert (kim.handled, kim.talk_s, kim.hold_s) == (2, 210.0, 30.0)
    assert (choi.handled, choi.talk_s) == (2, 190.0), "the overflow call and the consultation"
    assert acrc.today == q, "a center's totals are its queues' (one queue here)"


def test_the_day_starts_again_at_midnight_in_seoul() -> None:
    evening = dt.datetime(2026, 3, 10, 14, 59, 0, tzinfo=dt.UTC)  # 23:59 in Seoul
    clock, bus, board = rig(evening)
    finish(bus, call("late", evening - 60 * S, abandoned_at=evening - 50 * S))
    assert board.center("ACRC110").today.abandoned == 1
    assert board.center("ACRC110").day == dt.date(2026, 3, 10)
    # the caller who came in at 23:59:30 and finishes after midnight belongs to the day before: not counted
    clock.now = evening + 90 * S  # 00:00:30 on the 11th in Seoul
    state = board.center("ACRC110")
    assert (state.day, state.today.abandoned, state.today.offered) == (dt.date(2026, 3, 11), 0, 0)
    finish(bus, call("straddle", evening + 30 * S, abandoned_at=evening + 80 * S))
    finish(bus, call("new-day", evening + 65 * S, abandoned_at=evening + 85 * S))
    assert board.center("ACRC110").today.abandoned == 1, "only the call of the new day"
    # an event may also be the first to cross midnight, before anyone reads
    clock2, bus2, board2 = rig(evening)
    finish(bus2, call("a", evening - 10 * S, abandoned_at=evening))
    clock2.now = evening + 120 * S
    finish(bus2, call("b", evening + 70 * S, abandoned_at=evening + 110 * S))
    assert board2.center("ACRC110").today.offered == 1 and board2.center("ACRC110").day == dt.date(2026, 3, 11)


def test_a_restart_shows_todays_counters_again_and_logged_in_agents_logged_out() -> None:
    clock, bus, board = rig()
    t = NOW - dt.timedelta(hours=1)
    calls = [
        call("c1", t, agent_id=1, answered_center="ACRC110", answered_at=t + 5 * S, ended_at=t + 65 * S,
             wrapup_ended_at=t + 95 * S),
        call("c2", t + 10 * S, abandoned_at=t + 40 * S),
        call("old", NOW - dt.timedelta(days=1), abandoned_at=NOW - dt.timedelta(days=1) + 9 * S),
    ]  # fmt: skip
    for c in calls:
        finish(bus, c)
    changes = [
        AgentStateChange(1, "ACRC110", t - 60 * S, "ready", "not-ready"),
        AgentStateChange(2, "ACRC110", t - 50 * S, "not-ready", "ready", "meal"),
        AgentStateChange(2, "ACRC110", t - 40 * S, "logged-out", "not-ready"),
    ]
    fresh = Board(clock, [("ACRC110", "general")])
    fresh.restore(calls, changes)
    assert fresh.center("ACRC110").today == board.center("ACRC110").today
    agents = {a.agent_id: a for a in fresh.center("ACRC110").agents}
    assert (agents[1].state, agents[1].reason, agents[1].since, agents[1].handled) == ("logged-out", "restart", NOW, 1)
    assert (agents[2].state, agents[2].since) == ("logged-out", t - 40 * S)


def test_events_the_board_does_not_read_change_nothing() -> None:
    _, bus, board = rig()
    before = board.centers()
    bus.publish(CtiKind.CALL_OFFERED, "ACRC110", "a@sip", None, candidates=["ACRC110"], dialled="110")
    bus.publish(CtiKind.CALL_ANSWERED, "ACRC110", "a@sip", 1, by="agent")
    bus.publish(CtiKind.AGENT_STATE_CHANGED, None, None, None, previous="ready", state="not-ready")
    assert board.centers() == before
    assert [s.center for s in before] == ["ACRC110", "NTS126"]


@pytest.mark.parametrize("reason", ["병원 진료", "sip-486", "break", None])
def test_reason_codes_only(reason: str | None) -> None:
    from crm.calls.model import reason_code

    assert reason_code(reason) == {"병원 진료": "other", "sip-486": "sip-486", "break": "break", None: None}[reason]


def test_a_malformed_event_costs_a_figure_never_the_publisher() -> None:
    _, bus, board = rig()
    bus.publish(CtiKind.CALL_FINISHED, "ACRC110", None, None, skill="general", answered=True)  # no kind, no times
    bus.publish(CtiKind.QUEUE_CHANGED, "ACRC110", None, None, skill="general", waiting="many")
    finish(bus, call("ok", NOW - 30 * S, abandoned_at=NOW - 20 * S))
    assert board.center("ACRC110").today.abandoned == 1, "the next good event still counts"
