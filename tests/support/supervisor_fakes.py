"""In-memory ``HistoryData`` and ``StaffingData`` for the supervisors' dashboards' tests.

Honest: the history is computed from a list of finished calls (``crm.door.tally.tally_call`` of each, summed per
period and key) and of agent state segments, with the port's scope rule (nothing outside the viewer's centers),
so a page that showed another center's rows or summed wrongly would fail its test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from crm.calls.model import CallKind, FinishedCall
from crm.door.tally import CallTally, StateTally, tally_call
from dashboard.supervisor_ports import (
    AbandonedCall,
    CenterInfo,
    Continuity,
    Granularity,
    GroupBy,
    HistoryQuery,
    HistoryRow,
    ScheduledStaff,
    Scope,
)
from kernel.calendar import SEOUL

CENTERS = [
    CenterInfo("ACRC110", "국민콜110", "110", "국민권익위원회"),
    CenterInfo("NTS126", "국세상담센터", "126", "국세청"),
    CenterInfo("SEOUL120", "다산콜센터", "120", "서울특별시"),
]


@dataclass(frozen=True)
class Segment:
    """An agent's time in one state, inside one 15-minute interval."""

    login: str
    center: str
    at: dt.datetime
    state: str
    seconds: float
    reason: str | None = None


def call(center: str, at: dt.datetime, *, wait: float, talk: float = 0.0, wrapup: float = 0.0, hold: float = 0.0,
         agent: int | None = None, abandoned: bool = False, skill: str = "general", transferred: bool = False,
         call_id: str | None = None) -> FinishedCall:  # fmt: skip
    """An inbound call enqueued ``at``, answered after ``wait`` s (or abandoned then) and wrapped up."""
    left = at + dt.timedelta(seconds=wait)
    if abandoned:
        return FinishedCall(call_id or f"{center}-{at.isoformat()}", CallKind.INBOUND, center, skill, at,
                            abandoned_at=left)  # fmt: skip
    ended = left + dt.timedelta(seconds=talk + hold)
    return FinishedCall(
        call_id or f"{center}-{at.isoformat()}", CallKind.INBOUND, center, skill, at, agent_id=agent,
        answered_center=center, answered_at=left, ended_at=ended, wrapup_ended_at=ended + dt.timedelta(seconds=wrapup),
        hold_seconds=hold, transferred_to="NTS126/general" if transferred else None,
    )  # fmt: skip


def agent_id(uow: Any, login: str) -> int:
    """The id of a seeded agent (for the integration tests that write calls through the case store)."""
    agent = uow.agents.by_login(login)
    assert agent is not None and agent.id is not None, login
    return int(agent.id)


def period_start(moment: dt.datetime, granularity: Granularity) -> dt.datetime:
    local = moment.astimezone(SEOUL)
    minutes = {Granularity.MIN15: 15, Granularity.MIN30: 30, Granularity.MIN60: 60}.get(granularity)
    if minutes:
        return local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0)
    day = local.date()
    if granularity is Granularity.WEEK:
        day -= dt.timedelta(days=day.weekday())
    elif granularity is Granularity.MONTH:
        day = day.replace(day=1)
    return dt.datetime.combine(day, dt.time(), tzinfo=SEOUL)


@dataclass
class FakeHistory:
    calls: list[FinishedCall]
    logins: dict[int, str] = field(default_factory=dict)  # agent id -> login
    segments: list[Segment] = field(default_factory=list)
    masked: dict[str, str] = field(default_factory=dict)  # call id -> masked number
    continuity_by_center: dict[str, Continuity] = field(default_factory=dict)
    queries: list[tuple[HistoryQuery, Scope]] = field(default_factory=list)

    def centers(self, scope: Scope) -> list[CenterInfo]:
        return [c for c in CENTERS if scope.allows(c.code)]

    def _centers(self, query: HistoryQuery, scope: Scope) -> set[str]:
        wanted = {c.code for c in CENTERS if scope.allows(c.code)}
        return wanted & set(query.centers) if query.centers is not None else wanted

    def _calls(self, query: HistoryQuery, scope: Scope) -> Iterable[FinishedCall]:
        centers = self._centers(query, scope)
        for c in self.calls:
            day = c.enqueued_at.astimezone(SEOUL).date()
            if c.queue_center not in centers or not query.start <= day <= query.end:
                continue
            if query.skill is not None and c.queue_skill != query.skill:
                continue
            if query.agent is not None and self.logins.get(c.agent_id or -1) != query.agent:
                continue
            yield c

    def _key(self, group_by: GroupBy, center: str, skill: str, login: str | None) -> tuple[str, str] | None:
        info = next(c for c in CENTERS if c.code == center)
        if group_by is GroupBy.QUEUE:
            return f"{center}/{skill}", f"{info.name} {skill}"
        if group_by is GroupBy.CENTER:
            return center, info.name
        if group_by is GroupBy.GROUP:
            return info.institution, info.institution
        return (login, f"상담사 {login}") if login else None

    def history(self, query: HistoryQuery, scope: Scope) -> list[HistoryRow]:
        self.queries.append((query, scope))
        calls: dict[tuple[dt.datetime, str], CallTally] = {}
        states: dict[tuple[dt.datetime, str], StateTally] = {}
        labels: dict[str, str] = {}
        for c in self._calls(query, scope):
            key = self._key(query.group_by, c.queue_center, c.queue_skill, self.logins.get(c.agent_id or -1))
            if key is None:
                continue
            labels[key[0]] = key[1]
            slot = (period_start(c.enqueued_at, query.granularity), key[0])
            calls[slot] = calls.get(slot, CallTally()) + tally_call(c)
        if query.group_by is not GroupBy.QUEUE:
            centers = self._centers(query, scope)
            for s in self.segments:
                if s.center not in centers or not query.start <= s.at.astimezone(SEOUL).date() <= query.end:
                    continue
                if query.agent is not None and s.login != query.agent:
                    continue
                key = self._key(query.group_by, s.center, "", s.login)
                assert key is not None
                labels[key[0]] = key[1]
                slot = (period_start(s.at, query.granularity), key[0])
                pause = {s.reason or "none": s.seconds} if s.state == "not-ready" else {}
                states[slot] = states.get(slot, StateTally()) + StateTally.of({s.state: s.seconds}, pause)
        return [HistoryRow(slot[0], slot[1], labels[slot[1]], calls.get(slot, CallTally()),
                           states.get(slot, StateTally())) for slot in sorted(set(calls) | set(states))]  # fmt: skip

    def abandoned(self, query: HistoryQuery, scope: Scope, limit: int = 1000) -> list[AbandonedCall]:
        found = [c for c in self._calls(query, scope) if c.abandoned and c.kind is CallKind.INBOUND]
        found.sort(key=lambda c: c.enqueued_at, reverse=True)
        return [AbandonedCall(n, c.enqueued_at, c.queue_center, c.queue_skill, self.masked.get(c.call_id),
                              c.wait_seconds, False) for n, c in enumerate(found[:limit], 1)]  # fmt: skip

    def continuity(self, query: HistoryQuery, scope: Scope) -> Continuity:
        centers = self._centers(query, scope)
        if len(centers) == 1:
            return self.continuity_by_center.get(next(iter(centers)), Continuity(None, None))
        return Continuity(None, None)


@dataclass
class FakeStaffing:
    rows: dict[tuple[str, dt.datetime], int] = field(default_factory=dict)
    imports: list[tuple[str, int, str]] = field(default_factory=list)  # (center, intervals, imported_by)

    def schedule(self, center: str, start: dt.date, end: dt.date) -> list[ScheduledStaff]:
        return [ScheduledStaff(c, at, n) for (c, at), n in sorted(self.rows.items())
                if c == center and start <= at.astimezone(SEOUL).date() <= end]  # fmt: skip

    def import_schedule(self, center: str, rows: list[ScheduledStaff], imported_by: str) -> int:
        for row in rows:
            assert row.center == center
            self.rows[(center, row.interval_start)] = row.agents
        self.imports.append((center, len(rows), imported_by))
        return len(rows)
