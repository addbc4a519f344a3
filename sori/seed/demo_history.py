"""Demo call history for ``sori up --demo``: several weeks of plausible call records and agent state changes for
the centers of the demo agents, so the supervisors' history and staffing pages have something to show.

A small simulation per center and day, fixed by a seed: callers arrive per 15-minute interval by the hour and
weekday (morning peak, lunch dip, a quieter Friday afternoon, light weekends; nothing while the center is closed,
and Korean holidays from the calendar near-empty even where the center stays open). The agents of the center
(every agent, and supervisors with skills) work its hours between 08:00 and 21:00, with a lunch hour and a short
break each (shorter for a lone agent); a caller waits for the first free agent and hangs up when their patience
(exponential, 2.5 minutes on average) runs out first; talk (log-normal, about 3 minutes), hold and after-call work
as an ACD records them. The agents' state changes follow their calls (ready, ringing, on-call, wrap-up, not-ready
for lunch and breaks, logged-out). The rollups are computed by ``crm.store.call_rollups`` from the same tallies the
live path adds, and written in bulk.

Idempotent: nothing is written when a demo history row (``call_id`` starting ``demo-h-``) is already there.
Fictional callers only (010-7xxx-xxxx); their digits are kept as long as the configured retention allows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from dataclasses import dataclass, field

from sqlalchemy import insert, select

from crm.calls.model import AgentStateChange, CallKind, FinishedCall
from crm.store import tables
from crm.store.call_rollups import add_call_rows, add_state_rows, call_rows, masked_number, state_rows
from kernel.actor import Role
from kernel.calendar import SEOUL, WorkCalendar, to_seoul
from kernel.centers import WeeklyHours
from sori.wiring import System

PREFIX = "demo-h-"
WEEKS = 6
#: Demand per hour of the Seoul day (1.0 = the morning peak).
HOURLY = (0.05, 0.03, 0.02, 0.02, 0.02, 0.03, 0.05, 0.12, 0.45, 0.9, 1.0, 0.92, 0.5, 0.75, 0.85, 0.8, 0.7, 0.55,
          0.35, 0.25, 0.18, 0.12, 0.08, 0.06)  # fmt: skip
WEEKDAY = (1.2, 1.0, 0.95, 0.95, 0.9, 0.35, 0.25)  # Monday first
CALLS_PER_AGENT_QUARTER = 1.1  # arrivals per working agent per 15 minutes at the peak
SHIFT = (dt.time(8), dt.time(21))  # the demo agents work within these hours of their center's
SKILL_WEIGHT = {"general": 4}  # the other skills of the center's agents weigh 1 each


@dataclass
class _Agent:
    agent_id: int
    center: str
    free_at: dt.datetime
    breaks: list[tuple[dt.datetime, dt.timedelta, str]]  # (not before, length, reason), in order
    changes: list[AgentStateChange] = field(default_factory=list)
    state: str = "logged-out"

    def move(self, at: dt.datetime, state: str, reason: str | None = None) -> None:
        self.changes.append(AgentStateChange(self.agent_id, self.center, at, state, self.state, reason))
        self.state = state

    def available(self, at: dt.datetime) -> dt.datetime:
        """When the agent can take a call offered at ``at``: after their current call and any break due."""
        start = max(at, self.free_at)
        while self.breaks and self.breaks[0][0] <= start:
            due, length, reason = self.breaks.pop(0)
            begins = max(due, self.free_at)
            self.move(begins, "not-ready", reason)
            self.free_at = begins + length
            self.move(self.free_at, "ready")
            start = max(at, self.free_at)
        return start


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _shift(hours: WeeklyHours, day: dt.date, calendar: WorkCalendar) -> tuple[dt.datetime, dt.datetime] | None:
    if calendar.is_holiday(day) and not hours.open_on_holidays:
        return None
    spans = [s for s in hours.spans if s.weekday == day.weekday()]
    if not spans:
        return None
    opens = max(min(s.opens for s in spans), SHIFT[0])
    closes = min(max(s.closes for s in spans), SHIFT[1])
    if closes <= opens:
        return None
    return (dt.datetime.combine(day, opens, tzinfo=SEOUL), dt.datetime.combine(day, closes, tzinfo=SEOUL))


def simulate_day(
    rng: random.Random,
    center: str,
    skills: dict[str, int],
    agent_ids: list[int],
    shift: tuple[dt.datetime, dt.datetime],
    holiday: bool,
) -> tuple[list[FinishedCall], list[AgentStateChange], list[FinishedCall]]:
    """One center's day: its calls, its agents' state changes, and of the calls the abandoned ones."""
    day = shift[0].date()
    opens, closes = shift
    lunch = dt.datetime.combine(day, dt.time(12), tzinfo=SEOUL)
    alone = len(agent_ids) == 1  # nobody covers a lone agent's pauses: short ones, at the lunch dip
    agents = []
    for n, agent_id in enumerate(agent_ids):
        breaks = [(lunch + dt.timedelta(minutes=(0, -60, 60)[n % 3]), dt.timedelta(minutes=30 if alone else 60),
                   "lunch"),
                  (dt.datetime.combine(day, dt.time(15, 10 * (n % 4)), tzinfo=SEOUL),
                   dt.timedelta(minutes=5 if alone else 15), "break")]  # fmt: skip
        agent = _Agent(agent_id, center, opens, [b for b in breaks if opens <= b[0] < closes - b[1]])
        agent.move(opens, "not-ready", "login")
        agent.move(opens + dt.timedelta(seconds=rng.randint(20, 120)), "ready")
        agent.free_at = agent.changes[-1].at
        agents.append(agent)
    names = sorted(skills)
    weights = [SKILL_WEIGHT.get(s, 1) for s in names]
    arrivals = []
    at = opens
    while at < closes:
        local = to_seoul(at)
        shape = HOURLY[local.hour] * WEEKDAY[local.weekday()] * (0.75 if local.weekday() == 4 and local.hour >= 14
                                                                 else 1.0) * (0.05 if holiday else 1.0)  # fmt: skip
        for _ in range(_poisson(rng, CALLS_PER_AGENT_QUARTER * len(agents) * shape)):
            arrivals.append(at + dt.timedelta(seconds=rng.uniform(0, 900)))
        at += dt.timedelta(minutes=15)
    calls, abandoned = [], []
    for n, arrived in enumerate(sorted(a for a in arrivals if a < closes - dt.timedelta(minutes=2))):
        skill = rng.choices(names, weights)[0]
        call_id = f"{PREFIX}{center}-{day:%Y%m%d}-{n:04d}"
        call = FinishedCall(call_id, CallKind.INBOUND, center, skill, arrived.astimezone(dt.UTC), dialled_center=center)
        patience = rng.expovariate(1 / 150)
        agent = min(agents, key=lambda a: a.available(arrived))
        start = agent.available(arrived)
        ring = rng.uniform(3, 8)
        answered = start + dt.timedelta(seconds=ring)
        if (answered - arrived).total_seconds() > patience:
            call = dataclasses.replace(call, abandoned_at=call.enqueued_at + dt.timedelta(seconds=patience),
                                       disposition="abandoned")  # fmt: skip
            calls.append(call)
            abandoned.append(call)
            continue
        talk = min(rng.lognormvariate(5.05, 0.55), 1800.0)
        hold = rng.uniform(10, 60) if rng.random() < 0.2 else 0.0
        ended = answered + dt.timedelta(seconds=talk + hold)
        wrapped = ended + dt.timedelta(seconds=rng.uniform(15, 45))
        agent.move(start, "ringing")
        agent.move(answered, "on-call")
        agent.move(ended, "wrap-up")
        agent.move(wrapped, "ready")
        agent.free_at = wrapped
        calls.append(dataclasses.replace(
            call, answered_center=center, agent_id=agent.agent_id, answered_at=answered.astimezone(dt.UTC),
            ended_at=ended.astimezone(dt.UTC), wrapup_ended_at=wrapped.astimezone(dt.UTC), hold_seconds=hold,
            transferred_to=f"{center}/general" if rng.random() < 0.04 else None, disposition="answered",
        ))  # fmt: skip
    changes = []
    for agent in agents:
        agent.available(closes)  # breaks still due
        agent.move(max(closes, agent.free_at), "logged-out")
        changes += [dataclasses.replace(c, at=c.at.astimezone(dt.UTC)) for c in agent.changes]
    return calls, changes, abandoned


def seed_demo_history(system: System, weeks: int = WEEKS, seed: int = 2026) -> int:
    """Write ``weeks`` of history ending yesterday (Seoul) for the demo agents' centers; the calls written."""
    with system.uow(readonly=True) as uow:
        assert uow.session is not None
        c = tables.call_records.c
        if uow.session.execute(select(c.id).where(c.call_id.startswith(PREFIX)).limit(1)).first() is not None:
            return 0
        staff: dict[str, list[tuple[int, dict[str, int]]]] = {}
        for agent in uow.agents.list():
            takes_calls = agent.role is Role.AGENT or (agent.role is Role.SUPERVISOR and bool(agent.skills))
            if agent.active and agent.id is not None and takes_calls:
                staff.setdefault(agent.center_code, []).append((agent.id, dict(agent.skills) or {"general": 1}))
        centers = {center.code: center for center in uow.centers.list(active_only=True) if center.code in staff}
    rng = random.Random(seed)
    today = to_seoul(system.clock()).date()
    kept_from = system.clock() - dt.timedelta(days=system.settings.telephony.abandoned_caller_retention_days)
    calls: list[FinishedCall] = []
    changes: list[AgentStateChange] = []
    abandoned: list[FinishedCall] = []
    for code in sorted(centers):
        hours = WeeklyHours.parse(centers[code].hours)
        skills: dict[str, int] = {}
        for _, agent_skills in staff[code]:
            skills.update(agent_skills)
        for offset in range(weeks * 7, 0, -1):
            day = today - dt.timedelta(days=offset)
            shift = _shift(hours, day, system.calendar)
            if shift is None:
                continue
            day_calls, day_changes, day_abandoned = simulate_day(
                rng, code, skills, [a for a, _ in staff[code]], shift, system.calendar.is_holiday(day)
            )
            calls += day_calls
            changes += day_changes
            abandoned += day_abandoned
    with system.uow() as uow:
        session = uow.session
        assert session is not None
        call_fields = [f.name for f in dataclasses.fields(FinishedCall)]
        for start in range(0, len(calls), 5000):
            session.execute(insert(tables.call_records), [
                {**{name: getattr(call, name) for name in call_fields}, "kind": str(call.kind)}
                for call in calls[start : start + 5000]
            ])  # fmt: skip
        for start in range(0, len(changes), 5000):
            session.execute(insert(tables.agent_state_changes),
                            [dataclasses.asdict(change) for change in changes[start : start + 5000]])  # fmt: skip
        add_call_rows(session, *call_rows(calls))
        add_state_rows(session, *state_rows(changes))
        c = tables.call_records.c
        for start in range(0, len(abandoned), 500):
            chunk = abandoned[start : start + 500]
            found = session.execute(select(c.call_id, c.id).where(c.call_id.in_([a.call_id for a in chunk])))
            ids = {str(row.call_id): int(row.id) for row in found}
            callers = []
            for call in chunk:
                digits = f"0107{rng.randrange(10**7):07d}"
                callers.append({"call_record_id": ids[call.call_id], "center": call.queue_center,
                                "skill": call.queue_skill, "enqueued_at": call.enqueued_at,
                                "caller_masked": masked_number(digits),
                                "caller_digits": digits if call.enqueued_at >= kept_from else None})  # fmt: skip
            session.execute(insert(tables.abandoned_callers), callers)
        uow.commit()
    return len(calls)
