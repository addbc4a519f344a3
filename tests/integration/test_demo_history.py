"""The demo history of ``sori up --demo`` on a fresh store: weeks of calls and agent states shaped by weekday,
hour, opening hours and Korean holidays, rollups equal to the records' tallies, fast, and written once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import time

import pytest
from sqlalchemy import func, select

from crm.calls.model import AgentStateChange, FinishedCall
from crm.calls.tally import CallTally
from crm.door.sql_desk import AgentContacts
from crm.store import tables
from crm.store.call_rollups import call_rows, state_rows, tally_of
from dashboard.supervisor_ports import Granularity, GroupBy, HistoryQuery, Scope
from kernel.calendar import to_seoul
from sori.seed.demo_history import seed_demo_history
from sori.supervisor_wiring import SqlHistoryData
from sori.wiring import System

pytestmark = pytest.mark.integration


def test_weeks_of_plausible_history_written_once(system: System) -> None:
    started = time.monotonic()
    written = seed_demo_history(system, weeks=6)
    took = time.monotonic() - started
    assert took < 20, f"bulk: {took:.1f} s"
    assert written > 2000
    assert seed_demo_history(system) == 0, "a second run adds nothing"
    store = AgentContacts(system.uow, system.policy, system.calendar)
    today = to_seoul(system.clock()).date()
    calls, changes = store.today(system.clock() - dt.timedelta(days=43))
    assert len(calls) == written and calls[-1].enqueued_at < system.clock()
    assert all(to_seoul(c.enqueued_at).date() < today for c in calls), "history ends yesterday"

    # rollups equal the tallies of the records
    intervals, _ = call_rows(calls)
    with system.uow(readonly=True) as uow:
        assert uow.session is not None
        stored = [tally_of(r) for r in uow.session.execute(select(tables.call_rollups)).all()]
        total = sum(stored, CallTally())
        assert total.offered == sum(t.offered for t in intervals.values()) == len(calls)
        assert total.talk_s == pytest.approx(sum(t.talk_s for t in intervals.values()))
        assert len(stored) == len(intervals)
        daily_offered = uow.session.scalar(select(func.sum(tables.call_rollups_daily.c.offered)))
        assert daily_offered == len(calls)
        seconds = uow.session.scalar(select(func.sum(tables.agent_state_rollups.c.seconds)))
        assert seconds == pytest.approx(sum(state_rows(changes)[0].values()))
        callers = uow.session.execute(select(tables.abandoned_callers)).all()
    abandoned = [c for c in calls if c.abandoned]
    assert len(callers) == len(abandoned) and all(r.caller_masked.startswith("010-****-") for r in callers)
    week_ago = system.clock() - dt.timedelta(days=7)
    assert all((r.caller_digits is None) == (r.enqueued_at < week_ago) for r in callers), "digits a week only"

    # plausible: abandonment, waits, handle time
    answered = [c for c in calls if c.answered]
    assert 0.01 < len(abandoned) / len(calls) < 0.3
    aht = sum(c.talk_seconds + c.hold_seconds + _wrapup(c) for c in answered) / len(answered)
    assert 150 < aht < 400
    # shapes: ACRC110 (mon-fri 09-18) has nothing at weekends, on 설날 or before 9; a morning peak over lunch
    acrc = [to_seoul(c.enqueued_at) for c in calls if c.queue_center == "ACRC110"]
    assert acrc and all(t.weekday() < 5 and 9 <= t.hour < 18 for t in acrc)
    assert not [t for t in acrc if t.date() in (dt.date(2026, 2, 17), dt.date(2026, 3, 2))], "holidays closed"
    assert sum(t.hour == 10 for t in acrc) > 1.3 * sum(t.hour == 12 for t in acrc)
    fri = [t for t in acrc if t.weekday() == 4]
    mon = [t for t in acrc if t.weekday() == 0]
    assert sum(t.hour >= 15 for t in fri) / len(fri) < sum(t.hour >= 15 for t in mon) / len(mon)
    # SEOUL120 is open every day: weekends light, 설날 near-empty
    seoul = [to_seoul(c.enqueued_at) for c in calls if c.queue_center == "SEOUL120"]
    by_day: dict[dt.date, int] = {}
    for t in seoul:
        by_day[t.date()] = by_day.get(t.date(), 0) + 1
    assert by_day.get(dt.date(2026, 2, 17), 0) < 0.3 * by_day[dt.date(2026, 3, 4)]
    assert by_day[dt.date(2026, 3, 7)] < by_day[dt.date(2026, 3, 4)], "a Saturday is quieter than a Wednesday"

    # agents' states follow their calls: each agent's changes are in order, from logged-out back to logged-out
    per_agent: dict[int, list[AgentStateChange]] = {}
    for change in changes:
        per_agent.setdefault(change.agent_id, []).append(change)
    for agent_changes in per_agent.values():
        for before, after in itertools.pairwise(agent_changes):
            assert before.at <= after.at and after.previous == before.state
    pauses = {c.reason for c in changes if c.state == "not-ready"}
    assert {"lunch", "break", "login"} <= pauses

    # what the history page shows of a day
    history = SqlHistoryData(system)
    day = dt.date(2026, 3, 4)
    rows = history.history(HistoryQuery(day, day, Granularity.MIN60, GroupBy.CENTER,
                                        centers=frozenset({"ACRC110"})), Scope(frozenset({"ACRC110"})))  # fmt: skip
    assert [r.period_start.hour for r in rows if r.calls.offered] == list(range(9, 18))
    assert all(r.states.staffed_s > 0 for r in rows if r.calls.offered)
    assert dataclasses.asdict(rows[0])  # plain data


def _wrapup(call: FinishedCall) -> float:
    assert call.wrapup_ended_at is not None and call.ended_at is not None
    return (call.wrapup_ended_at - call.ended_at).total_seconds()
