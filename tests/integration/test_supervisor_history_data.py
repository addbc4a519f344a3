"""``sori.supervisor_wiring.SqlHistoryData``, the history port of the supervisors' dashboards, over the real store
(SQLite and PostgreSQL): the sums of a hand-computed set of calls and state changes written as the desk writes
them, every grouping and granularity, the abandoned-call list, continuity, and the scope (a center outside it
never appears)."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.calls.model import AgentStateChange, CallKind, FinishedCall
from crm.cases import contacts
from crm.cases.model import Channel
from crm.citizens.services import register_citizen
from crm.door.sql_desk import AgentContacts
from dashboard.supervisor_ports import Granularity, GroupBy, HistoryData, HistoryQuery, Scope
from kernel.actor import Actor
from kernel.calendar import SEOUL
from sori.supervisor_wiring import SqlHistoryData
from sori.wiring import System

pytestmark = pytest.mark.integration

DAY = dt.date(2026, 3, 10)  # a Tuesday; the fixture's clock is 10:00 in Seoul that day
S = dt.timedelta(seconds=1)
ALL = Scope(None)


def seoul(hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute, second), tzinfo=SEOUL)


def agent_ids(system: System) -> dict[str, int]:
    with system.uow(readonly=True) as uow:
        return {a.login: a.id for a in uow.agents.list() if a.id is not None}


def answered(call_id: str, center: str, at: dt.datetime, wait: int, talk: int, wrapup: int, agent: tuple[int, str],
             **more: object) -> FinishedCall:  # fmt: skip
    ans = at + wait * S
    return FinishedCall(call_id, CallKind.INBOUND, center, "general", at, agent_id=agent[0], answered_center=agent[1],
                        answered_at=ans, ended_at=ans + talk * S, wrapup_ended_at=ans + (talk + wrapup) * S,
                        **more)  # type: ignore[arg-type]  # fmt: skip


@pytest.fixture
def history(system: System) -> HistoryData:
    ids = agent_ids(system)
    kim, lee, choi = (ids["kim"], "ACRC110"), (ids["lee"], "ACRC110"), (ids["choi"], "NTS126")
    store = AgentContacts(system.uow, system.policy, system.calendar)
    # ACRC110: A answered in 12 s (100 s talk, 20 s wrap-up), C in 25 s (200 s, 10 s, transferred), B abandoned
    first = dataclasses_replace_first(answered("A", "ACRC110", seoul(10, 5), 12, 100, 20, kim))
    store.call_finished(first)  # the contact's end, then the ACD's complete write
    store.call_finished(answered("A", "ACRC110", seoul(10, 5), 12, 100, 20, kim))
    store.call_finished(answered("C", "ACRC110", seoul(10, 7), 25, 200, 10, lee, transferred_to="NTS126/general"))
    store.call_finished(FinishedCall("B", CallKind.INBOUND, "ACRC110", "general", seoul(10, 20),
                                     abandoned_at=seoul(10, 20, 30)), caller_digits="01012345678")  # fmt: skip
    # NTS126: D answered in 5 s (60 s talk, no wrap-up)
    store.call_finished(answered("D", "NTS126", seoul(10, 10), 5, 60, 0, choi))
    store.call_finished(FinishedCall("E", CallKind.INBOUND, "NTS126", "general", seoul(11, 0),
                                     abandoned_at=seoul(11, 0, 2)), caller_digits="01099990000")  # fmt: skip
    # kim's day: ready 09:00, lunch 12:00-13:00, logged out 18:00
    for at, state, previous, reason in ((seoul(9), "ready", "logged-out", None),
                                        (seoul(12), "not-ready", "ready", "lunch"),
                                        (seoul(13), "ready", "not-ready", None),
                                        (seoul(18), "logged-out", "ready", None)):  # fmt: skip
        store.agent_state_changed(AgentStateChange(kim[0], "ACRC110", at, state, previous, reason))
    return SqlHistoryData(system)


def dataclasses_replace_first(call: FinishedCall) -> FinishedCall:
    import dataclasses

    return dataclasses.replace(call, wrapup_ended_at=None, hold_seconds=0.0)


def q(granularity: Granularity, group_by: GroupBy, **more: object) -> HistoryQuery:
    return HistoryQuery(DAY, DAY, granularity, group_by, **more)  # type: ignore[arg-type]


def test_a_day_by_center_sums_the_calls_and_states(history: HistoryData) -> None:
    rows = {r.key: r for r in history.history(q(Granularity.DAY, GroupBy.CENTER), ALL)}
    assert set(rows) == {"ACRC110", "NTS126"}
    acrc = rows["ACRC110"]
    assert acrc.period_start == dt.datetime(2026, 3, 10, tzinfo=SEOUL) and acrc.label
    c = acrc.calls
    assert (c.offered, c.answered, c.abandoned, c.handled, c.transferred) == (3, 2, 1, 2, 1)
    assert (c.answered_within_s(20), c.answered_within_s(30), c.answered_wait_s, c.abandoned_wait_s) == (1, 2, 37, 30)
    assert (c.talk_s, c.wrapup_s, c.hold_s) == (300, 30, 0)
    assert acrc.states.in_state("ready") == 8 * 3600 and acrc.states.in_state("not-ready") == 3600
    assert dict(acrc.states.pause_seconds) == {"lunch": 3600}
    nts = rows["NTS126"].calls
    assert (nts.offered, nts.answered, nts.abandoned, nts.abandoned_short, nts.talk_s) == (2, 1, 1, 1, 60)
    assert rows["NTS126"].states.seconds == ()


def test_intervals_of_15_30_and_60_minutes(history: HistoryData) -> None:
    only = frozenset({"ACRC110"})
    fifteen = [(r.period_start, r.calls.offered) for r in history.history(
        q(Granularity.MIN15, GroupBy.QUEUE, centers=only), ALL)]  # fmt: skip
    assert fifteen == [(seoul(10), 2), (seoul(10, 15), 1)]
    thirty = [(r.period_start, r.calls.offered) for r in history.history(
        q(Granularity.MIN30, GroupBy.QUEUE, centers=only), ALL)]  # fmt: skip
    assert thirty == [(seoul(10), 3)]
    by_hour = history.history(q(Granularity.MIN60, GroupBy.CENTER, centers=only), ALL)
    calls = [(r.period_start, r.calls.offered) for r in by_hour if r.calls.offered]
    assert calls == [(seoul(10), 3)]
    ready = {r.period_start.hour: r.states.in_state("ready") for r in by_hour}
    assert ready[9] == 3600 and ready[12] == 0 and ready[17] == 3600 and 18 not in ready
    assert all(r.period_start.tzinfo is not None for r in by_hour)


def test_week_month_queue_agent_and_group(history: HistoryData) -> None:
    (week,) = history.history(q(Granularity.WEEK, GroupBy.QUEUE, centers=frozenset({"NTS126"})), ALL)
    assert (week.period_start, week.key, week.calls.offered) == (dt.datetime(2026, 3, 9, tzinfo=SEOUL),
                                                                 "NTS126/general", 2)  # fmt: skip
    month = history.history(q(Granularity.MONTH, GroupBy.CENTER), ALL)
    assert {r.period_start for r in month} == {dt.datetime(2026, 3, 1, tzinfo=SEOUL)}
    agents = {r.key: r for r in history.history(q(Granularity.DAY, GroupBy.AGENT), ALL)}
    assert set(agents) == {"kim", "lee", "choi"}, "unanswered calls have no agent"
    assert (agents["kim"].calls.handled, agents["kim"].calls.talk_s, agents["lee"].calls.transferred) == (1, 100, 1)
    assert agents["kim"].states.in_state("ready") == 8 * 3600 and agents["lee"].states.seconds == ()
    (kim,) = history.history(q(Granularity.DAY, GroupBy.AGENT, agent="kim"), ALL)
    assert kim.key == "kim" and kim.calls.answered == 1
    groups = history.history(q(Granularity.DAY, GroupBy.GROUP), ALL)
    institutions = {c.code: c.institution for c in history.centers(ALL)}
    assert {r.key for r in groups} == {institutions["ACRC110"], institutions["NTS126"]}
    assert sum(r.calls.offered for r in groups) == 5


def test_a_center_outside_the_scope_never_appears(history: HistoryData) -> None:
    mine = Scope(frozenset({"ACRC110"}))
    assert [c.code for c in history.centers(mine)] == ["ACRC110"]
    for granularity in Granularity:
        for group_by in GroupBy:
            rows = history.history(q(granularity, group_by), mine)
            assert rows, (granularity, group_by)
            assert all("NTS126" not in r.key and r.key != "choi" for r in rows)
            offered = 2 if group_by is GroupBy.AGENT else 3  # the agents' calls: those they answered
            assert sum(r.calls.offered for r in rows) == offered, "only ACRC110's calls"
    assert history.history(q(Granularity.DAY, GroupBy.CENTER, centers=frozenset({"NTS126"})), mine) == []
    assert history.abandoned(q(Granularity.DAY, GroupBy.CENTER, centers=frozenset({"NTS126"})), mine) == []
    assert history.history(q(Granularity.DAY, GroupBy.AGENT, agent="choi"), mine) == []


def test_the_abandoned_call_list(history: HistoryData) -> None:
    every = history.abandoned(q(Granularity.DAY, GroupBy.CENTER), ALL)
    assert [(a.center, a.caller_masked, a.wait_s, a.callback_requested) for a in every] == [
        ("NTS126", "010-****-0000", 2.0, False), ("ACRC110", "010-****-5678", 30.0, False),
    ]  # fmt: skip
    assert every[0].enqueued_at == seoul(11) and every[0].skill == "general"
    (mine,) = history.abandoned(q(Granularity.DAY, GroupBy.CENTER), Scope(frozenset({"ACRC110"})))
    assert mine.center == "ACRC110"
    assert history.abandoned(HistoryQuery(DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=1),
                                          Granularity.DAY, GroupBy.CENTER), ALL) == []  # fmt: skip


def test_continuity_as_analytics_defines_it(system: System, history: HistoryData) -> None:
    assert history.continuity(q(Granularity.DAY, GroupBy.CENTER), ALL).repeat_contact_rate is None
    with system.uow() as uow:
        agent = uow.agents.by_login("kim")
        assert agent is not None
        actor = Actor(center_code="ACRC110", role=agent.role, login="kim", agent_id=agent.id)
        register_citizen(uow, Actor.system("test"), system.clock(), system.rrn_key, name="홍길동",
                         phones=["010-2345-6789"])  # fmt: skip
        for minute in (0, 30):
            contacts.start_interaction(uow, actor, seoul(10, minute), system.policy, channel=Channel.INBOUND_CALL,
                                       center_code="ACRC110", phone="010-2345-6789",
                                       sip_call_id=f"r{minute}@test")  # fmt: skip
        uow.commit()
    both = history.continuity(q(Granularity.DAY, GroupBy.CENTER), ALL)
    assert both.repeat_contact_rate == 0.5, "the second of two contacts of one citizen is a repeat"
    assert history.continuity(q(Granularity.DAY, GroupBy.CENTER), Scope(frozenset({"ACRC110"}))) == both
    other = history.continuity(q(Granularity.DAY, GroupBy.CENTER), Scope(frozenset({"NTS126"})))
    assert other.repeat_contact_rate is None
