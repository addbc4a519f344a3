"""``dashboard.supervisor_ports.HistoryData`` over the case store: the rollups (``crm.store.call_history``), the
centers, and the continuity facts of the case store (``system.contacts``) counted by
``analytics.trends.continuity`` (one definition of repeat contacts and first-contact resolution).

Scope: every method narrows the centers asked for to those the scope allows, before any query; queues, centers
and institutions are those of the queue's center, agents those of the answering agent's center.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.trends.continuity import read_continuity
from crm.door.tally import CallTally, StateTally, interval_start
from crm.store import call_history, tables
from crm.store.call_rollups import tally_of
from crm.store.history_tables import TALLY_COLUMNS
from dashboard.supervisor_ports import (
    AbandonedCall,
    CenterInfo,
    Continuity,
    Granularity,
    GroupBy,
    HistoryQuery,
    HistoryRow,
    Scope,
)
from kernel.calendar import SEOUL
from sori.wiring import System

_DAILY = frozenset({Granularity.DAY, Granularity.WEEK, Granularity.MONTH})
_BUCKETS = {Granularity.WEEK: "week", Granularity.MONTH: "month"}  # summed by the database
_MINUTES = {Granularity.MIN15: 15, Granularity.MIN30: 30, Granularity.MIN60: 60}
_PeriodKey = tuple[dt.datetime, str]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=SEOUL)


def _period_start(period: dt.datetime | dt.date, granularity: Granularity) -> dt.datetime:
    if isinstance(period, dt.datetime):
        return interval_start(period, _MINUTES[granularity]).astimezone(SEOUL)
    if granularity is Granularity.WEEK:
        period = period - dt.timedelta(days=period.weekday())
    elif granularity is Granularity.MONTH:
        period = period.replace(day=1)
    return _midnight(period)


def _agents(session: Session, ids: list[int]) -> dict[int, tuple[str, str]]:
    """Login and display name of each agent id."""
    a = tables.agents.c
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(select(a.id, a.login, a.display_name).where(a.id.in_(ids[start : start + 500])))
        found.update((int(row.id), (str(row.login), str(row.display_name))) for row in rows)
    return found


class SqlHistoryData:
    def __init__(self, system: System) -> None:
        self.system = system

    # -- centers and scope ------------------------------------------------------------------------------------
    def centers(self, scope: Scope) -> list[CenterInfo]:
        with self.system.uow(readonly=True) as uow:
            return [CenterInfo(c.code, c.name, c.public_number, c.institution)
                    for c in uow.centers.list(active_only=True) if scope.allows(c.code)]  # fmt: skip

    @staticmethod
    def _centers(query: HistoryQuery, scope: Scope) -> frozenset[str] | None:
        """The centers both the query and the scope name (None: every center)."""
        if query.centers is None:
            return scope.centers
        return query.centers if scope.centers is None else query.centers & scope.centers

    # -- the history ------------------------------------------------------------------------------------------
    def history(self, query: HistoryQuery, scope: Scope) -> list[HistoryRow]:
        centers = self._centers(query, scope)
        if centers is not None and not centers:
            return []
        daily = query.granularity in _DAILY
        start: dt.date | dt.datetime = query.start
        end: dt.date | dt.datetime = query.end + dt.timedelta(days=1)
        if not daily:
            start, end = _midnight(query.start).astimezone(dt.UTC), _midnight(query.end + dt.timedelta(days=1))
        with self.system.uow(readonly=True) as uow:
            assert uow.session is not None
            info = {c.code: c for c in uow.centers.list()}
            agent_id = None
            if query.agent is not None:
                agent = uow.agents.by_login(query.agent)
                if agent is None or agent.id is None:
                    return []
                agent_id = agent.id
            by_agent = query.group_by is GroupBy.AGENT
            call_group = {GroupBy.QUEUE: ("queue_center", "queue_skill"), GroupBy.AGENT: ("agent_id",)}.get(
                query.group_by, ("queue_center",))  # fmt: skip
            calls = call_history.call_sums(
                uow.session, daily=daily, start=start, end=end, group=call_group, centers=centers,
                center_column="answered_center" if by_agent else "queue_center", skill=query.skill,
                agent_id=agent_id, bucket=_BUCKETS.get(query.granularity),
            )  # fmt: skip
            states: list[call_history.StateSum] = []
            if query.group_by is not GroupBy.QUEUE:
                states = call_history.state_sums(uow.session, daily=daily, start=start, end=end,
                                                 group=("agent_id",) if by_agent else ("center",),
                                                 centers=centers, agent_id=agent_id,
                                                 bucket=_BUCKETS.get(query.granularity))  # fmt: skip
            agent_ids = {s.key[0] for s in calls if by_agent} | {s.key[0] for s in states if by_agent}
            agents = _agents(uow.session, sorted(int(a) for a in agent_ids if a))
        labels: dict[str, str] = {}

        def key_of(values: tuple[object, ...]) -> str | None:
            if query.group_by is GroupBy.AGENT:
                agent = agents.get(int(str(values[0])))
                if agent is None:
                    return None  # unanswered calls have no agent
                labels[agent[0]] = agent[1]
                return agent[0]
            center = info.get(str(values[0]))
            name = center.name if center else str(values[0])
            if query.group_by is GroupBy.QUEUE:
                key = f"{values[0]}/{values[1]}"
                labels[key] = f"{name} · {values[1]}"
                return key
            if query.group_by is GroupBy.GROUP:
                group = center.institution if center else str(values[0])
                labels[group] = group
                return group
            labels[str(values[0])] = name
            return str(values[0])

        return self._rows(query.granularity, calls, states, key_of, labels)

    @staticmethod
    def _rows(
        granularity: Granularity,
        calls: Iterable[call_history.CallSum],
        states: Iterable[call_history.StateSum],
        key_of: Callable[[tuple[Any, ...]], str | None],
        labels: dict[str, str],
    ) -> list[HistoryRow]:
        sums: dict[_PeriodKey, list[float]] = {}
        seconds: dict[_PeriodKey, dict[str, float]] = {}
        pauses: dict[_PeriodKey, dict[str, float]] = {}
        starts: dict[dt.datetime | dt.date, dt.datetime] = {}

        def start_of(period: dt.datetime | dt.date) -> dt.datetime:
            found = starts.get(period)
            if found is None:
                found = starts[period] = _period_start(period, granularity)
            return found

        for s in calls:
            key = key_of(s.key)
            if key is not None:
                at = (start_of(s.period), key)
                found = sums.get(at)
                if found is None:
                    sums[at] = list(s.values)
                else:
                    for i, value in enumerate(s.values):
                        found[i] += value
        for st in states:
            key = key_of(st.key)
            if key is None:
                continue
            at = (start_of(st.period), key)
            per_state = seconds.setdefault(at, {})
            per_state[st.state] = per_state.get(st.state, 0.0) + st.seconds
            if st.state == "not-ready":
                per_reason = pauses.setdefault(at, {})
                reason = st.reason or "none"
                per_reason[reason] = per_reason.get(reason, 0.0) + st.seconds
        rows = []
        for at in sorted(set(sums) | set(seconds)):
            tally = tally_of(dict(zip(TALLY_COLUMNS, sums[at], strict=True))) if at in sums else CallTally()
            kept = {state: s for state, s in seconds.get(at, {}).items() if abs(s) > 1e-6}
            if tally == CallTally() and not kept:
                continue
            pause = {reason: s for reason, s in pauses.get(at, {}).items() if abs(s) > 1e-6}
            rows.append(HistoryRow(at[0], at[1], labels.get(at[1], at[1]), tally, StateTally.of(kept, pause)))
        return rows

    def abandoned(self, query: HistoryQuery, scope: Scope, limit: int = 1000) -> list[AbandonedCall]:
        centers = self._centers(query, scope)
        if centers is not None and not centers:
            return []
        start, end = _midnight(query.start), _midnight(query.end + dt.timedelta(days=1))
        with self.system.uow(readonly=True) as uow:
            assert uow.session is not None
            rows = call_history.abandoned_calls(uow.session, start, end, centers, query.skill, limit)
        return [AbandonedCall(r.call_record_id, r.enqueued_at, r.center, r.skill, r.caller_masked, r.wait_s,
                              r.callback_requested) for r in rows if scope.allows(r.center)]  # fmt: skip

    def continuity(self, query: HistoryQuery, scope: Scope) -> Continuity:
        centers = self._centers(query, scope)
        end = query.end + dt.timedelta(days=1)
        if centers is None:
            m = read_continuity(self.system.contacts, query.start, end)
            return Continuity(m.repeat_rate, m.fcr_rate)
        repeats = known = resolved = opened = 0
        for center in sorted(centers):
            m = read_continuity(self.system.contacts, query.start, end, center=center)
            repeats, known = repeats + m.repeat_contacts, known + m.known_citizen_contacts
            resolved, opened = resolved + m.first_contact_resolved, opened + m.cases_opened
        return Continuity(repeats / known if known else None, resolved / opened if opened else None)
