"""The wallboard's figures from CTI events: per queue (waiting, agents by state and reason, the three service
levels at the queue's threshold, ASA, AHT, abandonment, callbacks due and overdue, overflow) and per agent (state,
time in state, calls, AHT, talk/hold/idle time), and the alerts. Every expectation is worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.calls.model import CallKind, FinishedCall
from telephony.board import Board
from telephony.board.calls import finished_data
from telephony.board.wallboard import BadThreshold, DueCallback, WallboardSettings, clock_text, snapshot
from telephony.cti.bus import CtiBus, CtiKind

NOW = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)  # Tuesday 11:00 in Seoul
S = dt.timedelta(seconds=1)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


def rig() -> tuple[Clock, CtiBus, Board]:
    clock = Clock()
    bus = CtiBus(clock, strict=True)
    board = Board(clock, [("ACRC110", "general"), ("ACRC110", "tax")])
    bus.subscribe(board.apply)
    return clock, bus, board


def answered(i: int, wait: float, talk: float, hold: float, wrap: float, agent: int, **kw: object) -> FinishedCall:
    start = NOW - 3600 * S + i * 60 * S
    picked = start + wait * S
    ended = picked + (talk + hold) * S
    values: dict[str, object] = {"kind": CallKind.INBOUND, "queue_center": "ACRC110", "queue_skill": "general",
                                 "answered_center": "ACRC110"}  # fmt: skip
    values.update(kw)
    return FinishedCall(f"c{i}", enqueued_at=start, agent_id=agent, answered_at=picked,
                        ended_at=ended, wrapup_ended_at=ended + wrap * S, hold_seconds=hold,
                        **values)  # type: ignore[arg-type]  # fmt: skip


def abandoned(i: int, wait: float) -> FinishedCall:
    start = NOW - 3600 * S + i * 60 * S
    return FinishedCall(f"a{i}", CallKind.INBOUND, "ACRC110", "general", start, abandoned_at=start + wait * S)


def finish(bus: CtiBus, c: FinishedCall) -> None:
    bus.publish(CtiKind.CALL_FINISHED, c.queue_center, None, c.agent_id, **finished_data(c))


def state(bus: CtiBus, agent: int, value: str, reason: str | None = None) -> None:
    bus.publish(CtiKind.AGENT_STATE_CHANGED, "ACRC110", None, agent, state=value, reason=reason)


def test_a_queue_measures_today_with_the_kpi_functions() -> None:
    clock, bus, board = rig()
    # answered: waits 5, 15, 25, 40 s; abandoned: after 3 s (short) and after 30 s; one callback that reached
    for i, (wait, agent) in enumerate([(5, 1), (15, 1), (25, 2), (40, 2)]):
        finish(bus, answered(i, wait, talk=100, hold=20, wrap=30, agent=agent))
    finish(bus, abandoned(10, 3))
    finish(bus, abandoned(11, 30))
    callback = answered(12, 0, talk=50, hold=0, wrap=10, agent=1, kind=CallKind.CALLBACK)
    finish(bus, callback)
    bus.publish(CtiKind.QUEUE_CHANGED, "ACRC110", None, None, skill="general", waiting=2, longest_wait_s=70.0)
    wall = snapshot("center:ACRC110", [board.center("ACRC110")], clock.now)
    q = next(q for q in wall["queues"] if q["skill"] == "general")
    assert (q["offered"], q["answered"], q["abandoned"], q["waiting"]) == (6, 4, 2, 2)
    assert q["threshold_s"] == 20
    # within 20 s: 2 of 4 answered; 2 of 6 with abandons against; 2 of 5 without the short abandon
    assert q["service_level"] == {"answered": 0.5, "abandons-against": 2 / 6, "short-excluded": 0.4}
    assert q["asa_s"] == pytest.approx((5 + 15 + 25 + 40) / 4)
    # handled: 4 inbound + 1 callback; handle = 150 each inbound, 60 the callback
    assert q["aht_s"] == pytest.approx((4 * 150 + 60) / 5)
    assert q["abandon_rate"] == pytest.approx(1 / 5)  # the 30 s abandon over 4 answered + 1 long abandon
    assert wall["totals"]["service_level"]["short-excluded"] == 0.4
    kinds = {a["kind"] for a in wall["alerts"]}
    assert kinds == {"service-level", "wait"}  # 40 % < 80 % target; 70 s > 60 s


def test_the_threshold_is_per_queue_and_must_be_a_bucket_edge() -> None:
    clock, bus, board = rig()
    for i, wait in enumerate([5, 25, 40]):
        finish(bus, answered(i, wait, 60, 0, 0, agent=1))
    settings = WallboardSettings(thresholds_s={"ACRC110/general": 30})
    q = snapshot("all", [board.center("ACRC110")], clock.now, settings=settings)["queues"][0]
    assert (q["threshold_s"], q["service_level"]["answered"]) == (30, 2 / 3)
    with pytest.raises(BadThreshold):
        WallboardSettings(thresholds_s={"tax": 25})
    with pytest.raises(BadThreshold):
        WallboardSettings(threshold_s=21)


def test_agents_by_state_and_reason_per_queue_and_agent_figures() -> None:
    clock, bus, board = rig()
    state(bus, 1, "ready")
    state(bus, 2, "not-ready", "meal")
    state(bus, 3, "not-ready", "break")
    state(bus, 4, "wrap-up")
    clock.now = NOW + 100 * S
    state(bus, 1, "on-call")  # agent 1 was ready (idle) for 100 s
    clock.now = NOW + 160 * S
    finish(bus, answered(0, 10, talk=40, hold=10, wrap=20, agent=1))
    skills = {1: {"general"}, 2: {"general", "tax"}, 3: {"tax"}, 4: {"general"}}
    wall = snapshot("center:ACRC110", [board.center("ACRC110")], clock.now, logins={1: "kim", 2: "lee"},
                    skills=skills)  # fmt: skip
    general = next(q for q in wall["queues"] if q["skill"] == "general")
    tax = next(q for q in wall["queues"] if q["skill"] == "tax")
    assert general["agents"] == {"ready": 0, "ringing": 0, "on-call": 1, "wrap-up": 1, "not-ready": 1,
                                 "not_ready_by_reason": {"meal": 1}}  # fmt: skip
    assert tax["agents"]["not_ready_by_reason"] == {"break": 1, "meal": 1}
    kim = next(a for a in wall["agents"] if a["login"] == "kim")
    assert (kim["state"], kim["state_text"], kim["in_state_s"], kim["idle_s"]) == ("on-call", "통화", 60.0, 100.0)
    assert (kim["handled"], kim["aht_s"], kim["talk_s"], kim["hold_s"]) == (1, 70.0, 40.0, 10.0)
    lee = next(a for a in wall["agents"] if a["login"] == "lee")
    assert lee["state_text"] == "이석 (식사)"
    assert next(a for a in wall["agents"] if a["agent_id"] == 3)["login"] == "#3"


def test_an_agent_too_long_in_a_state_raises_an_alert() -> None:
    clock, bus, board = rig()
    state(bus, 1, "not-ready", "break")
    clock.now = NOW + 901 * S
    wall = snapshot("center:ACRC110", [board.center("ACRC110")], clock.now, logins={1: "kim"})
    [alert] = wall["alerts"]
    assert alert["kind"] == "agent-state" and alert["login"] == "kim"
    assert alert["message"] == "kim 이석 (휴식) 15:01 지속 — 기준 15:00 초과"
    quiet = WallboardSettings(state_limits_s={"not-ready": 3600.0})
    assert snapshot("c", [board.center("ACRC110")], clock.now, settings=quiet)["alerts"] == []


def test_state_time_counts_from_midnight_only() -> None:
    clock, bus, board = rig()
    clock.now = dt.datetime(2026, 3, 9, 14, 50, tzinfo=dt.UTC)  # 23:50 in Seoul, the day before
    state(bus, 1, "ready")
    clock.now = dt.datetime(2026, 3, 9, 15, 5, tzinfo=dt.UTC)  # 00:05 in Seoul
    [agent] = board.center("ACRC110").agents
    assert agent.states.in_state("ready") == 300.0  # 5 minutes of today, not 15


def test_callbacks_due_and_overdue_and_overflow() -> None:
    clock, bus, board = rig()
    finish(bus, answered(0, 5, 30, 0, 0, agent=9, answered_center="NTS126"))  # a partner answered ours
    due = [DueCallback("ACRC110", None, NOW - 60 * S), DueCallback("ACRC110", "tax", NOW - 3600 * S),
           DueCallback("ACRC110", None, NOW + 600 * S), DueCallback("NTS126", None, NOW - 60 * S)]  # fmt: skip
    wall = snapshot("center:ACRC110", [board.center("ACRC110")], clock.now, callbacks=due)
    general = next(q for q in wall["queues"] if q["skill"] == "general")
    tax = next(q for q in wall["queues"] if q["skill"] == "tax")
    assert general["callbacks"] == {"due": 1, "overdue": 0}  # the future one is not due yet
    assert tax["callbacks"] == {"due": 1, "overdue": 1}  # an hour past due > 30 minutes
    assert wall["totals"]["callbacks"] == {"due": 2, "overdue": 1}
    assert (general["overflow_out"], general["overflow_in"]) == (1, 0)
    assert snapshot("center:NTS126", [board.center("NTS126")], clock.now)["queues"][0]["overflow_in"] == 1


def test_clock_text() -> None:
    assert (clock_text(0), clock_text(61.9), clock_text(3725)) == ("00:00", "01:01", "1:02:05")


def test_a_view_of_many_centers_lists_only_the_agents_in_alert() -> None:
    clock, bus, board = rig()
    state(bus, 1, "not-ready", "break")
    state(bus, 2, "ready")
    clock.now = NOW + 1000 * S
    wall = snapshot("all", [board.center("ACRC110")], clock.now, every_agent=False)
    assert [a["agent_id"] for a in wall["agents"]] == [1] and wall["every_agent"] is False
    assert wall["totals"]["agents"]["ready"] == 1, "every agent still counted"
