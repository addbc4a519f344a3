"""A simulated year of the call desk's records for ``bench.call_history``: 156 centers, their agents, call records
loaded in bulk (COPY on PostgreSQL), and the history's rollups built from the same tallies the live path adds
(``crm.calls.tally.tally_call`` per call, summed by ``crm.store.call_rollups``'s keys).

Centers get Zipf-like shares of the calls (110 and 120 busiest); weekdays carry most of the volume (Monday the
most), weekends a third of it at 24/7 centers and nothing elsewhere, Korean holidays a twentieth; hours follow
the morning peak and lunch dip. Waits are exponential (mean 25 s), callers hang up at an exponential patience
(mean 150 s), talk is log-normal (~3 min), 20% of calls have hold. One day is generated and written at a time,
so memory stays flat. Agents' state rollups are written per Seoul day for the whole year (derived per agent and
day from their calls: on-call, wrap-up, a lunch hour and a break, the rest ready) and per 15-minute interval for
the last ``interval_state_days`` (14) days only (the rows a center's-day report reads; a whole year of them would be
~100 million rows, not what the benchmark is about).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, text

from bench.dataset import BulkWriter
from crm.calls.model import CallKind, FinishedCall
from crm.calls.tally import interval_start, tally_call
from crm.store import tables
from crm.store.call_rollups import call_key, tally_values
from crm.store.history_tables import CALL_KEY, STATE_KEY
from kernel.actor import Role
from kernel.calendar import SEOUL, WorkCalendar, to_seoul
from sori.wiring import System

HOURLY = (0.02, 0.01, 0.01, 0.01, 0.01, 0.01, 0.03, 0.1, 0.45, 0.9, 1.0, 0.92, 0.5, 0.75, 0.85, 0.8, 0.7, 0.55,
          0.3, 0.2, 0.12, 0.08, 0.05, 0.03)  # fmt: skip
WEEKDAY = (1.2, 1.0, 0.95, 0.95, 0.9, 0.33, 0.25)
SKILLS = (("general", 0.7), ("civil", 0.2), ("other", 0.1))


@dataclass(frozen=True)
class World:
    centers: list[str]
    shares: dict[str, float]
    always_open: frozenset[str]
    agents: dict[str, list[int]]  # center -> agent ids


@dataclass
class Loaded:
    calls: int = 0
    call_rollup_rows: int = 0
    daily_rollup_rows: int = 0
    state_rollup_rows: int = 0
    daily_state_rows: int = 0


def make_world(system: System, conn: Connection, agents_total: int) -> World:
    with system.uow(readonly=True) as uow:
        centers = [(c.code, c.hours) for c in uow.centers.list(active_only=True)]
    codes = [code for code, _ in centers]
    weights = {code: 1 / (rank + 1) ** 0.8 for rank, code in enumerate(sorted(codes, key=_busiest))}
    total = sum(weights.values())
    shares = {code: w / total for code, w in weights.items()}
    writer = BulkWriter(conn)
    agents: dict[str, list[int]] = {}
    rows = []
    next_id = 1
    for code in codes:
        count = max(2, round(agents_total * shares[code]))
        agents[code] = list(range(next_id, next_id + count))
        for k, agent_id in enumerate(agents[code]):
            rows.append({"id": agent_id, "center_code": code, "login": f"hist.{code.lower()}.{k}",
                         "display_name": f"상담사 {code} {k}", "role": Role.AGENT.value, "skills": {"general": 3},
                         "password_hash": "-", "active": True, "created_at": dt.datetime.now(dt.UTC)})  # fmt: skip
        next_id += count
    writer.write(tables.agents, rows)
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT setval(pg_get_serial_sequence('agents', 'id'), (SELECT max(id) FROM agents))"))
    return World(codes, shares, frozenset(code for code, hours in centers if hours.strip() == "24/7"), agents)


def _busiest(code: str) -> tuple[int, str]:
    return (0 if code in ("ACRC110", "SEOUL120") else 1 if code.endswith("120") else 2, code)


def day_weight(day: dt.date, calendar: WorkCalendar, always_open: bool) -> float:
    if calendar.is_holiday(day):
        return 0.05 if always_open else 0.0
    if day.weekday() >= 5 and not always_open:
        return 0.0
    return WEEKDAY[day.weekday()]


def _poisson(rng: random.Random, mean: float) -> int:
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def calls_of_day(rng: random.Random, world: World, day: dt.date, per_day: float, calendar: WorkCalendar,
                 counter: list[int]) -> Iterator[FinishedCall]:  # fmt: skip
    """The calls of one Seoul day, all centers."""
    midnight = dt.datetime.combine(day, dt.time(), tzinfo=SEOUL)
    skills, skill_weights = [s for s, _ in SKILLS], [w for _, w in SKILLS]
    hours = list(range(24))
    for code in world.centers:
        always = code in world.always_open
        weight = day_weight(day, calendar, always)
        if not weight:
            continue
        open_hours = hours if always else list(range(9, 18))
        hour_weights = [HOURLY[h] for h in open_hours]
        agents = world.agents[code]
        for _ in range(_poisson(rng, per_day * world.shares[code] * weight)):
            counter[0] += 1
            hour = rng.choices(open_hours, hour_weights)[0]
            enqueued = (midnight + dt.timedelta(hours=hour, seconds=rng.uniform(0, 3600))).astimezone(dt.UTC)
            skill = rng.choices(skills, skill_weights)[0]
            wait = rng.expovariate(1 / 25)
            call = FinishedCall(f"h{counter[0]}", CallKind.INBOUND, code, skill, enqueued, dialled_center=code)
            if rng.expovariate(1 / 150) < wait:
                gone = enqueued + dt.timedelta(seconds=wait)
                yield dataclasses.replace(call, abandoned_at=gone, disposition="abandoned")
                continue
            answered = enqueued + dt.timedelta(seconds=wait)
            hold = rng.uniform(10, 60) if rng.random() < 0.2 else 0.0
            ended = answered + dt.timedelta(seconds=min(rng.lognormvariate(5.05, 0.55), 1800) + hold)
            yield FinishedCall(call.call_id, call.kind, code, skill, enqueued, dialled_center=code,
                               answered_center=code, agent_id=rng.choice(agents), answered_at=answered,
                               ended_at=ended, wrapup_ended_at=ended + dt.timedelta(seconds=rng.uniform(15, 45)),
                               hold_seconds=hold, disposition="answered",
                               transferred_to=f"{code}/general" if rng.random() < 0.04 else None)  # fmt: skip


def _call_row(call: FinishedCall) -> dict[str, Any]:
    return {"call_id": call.call_id, "kind": "inbound", "queue_center": call.queue_center,
            "queue_skill": call.queue_skill, "enqueued_at": call.enqueued_at, "sip_call_id": None,
            "dialled_center": call.dialled_center, "answered_center": call.answered_center,
            "agent_id": call.agent_id, "answered_at": call.answered_at, "ended_at": call.ended_at,
            "wrapup_ended_at": call.wrapup_ended_at, "abandoned_at": call.abandoned_at,
            "hold_seconds": call.hold_seconds, "overflowed": False, "transferred_to": call.transferred_to,
            "disposition": call.disposition, "interaction_id": None}  # fmt: skip


def _add(into: dict[Any, list[float]], key: Any, values: list[float]) -> None:
    found = into.get(key)
    if found is None:
        into[key] = list(values)
    else:
        for i, v in enumerate(values):
            found[i] += v


def load_year(system: System, conn: Connection, world: World, calls: int, days: int, seed: int,
              interval_state_days: int = 14, progress: Any = None) -> Loaded:  # fmt: skip
    """Write ``calls`` (about) over the ``days`` Seoul days ending yesterday, with their rollups."""
    rng = random.Random(seed)
    calendar = system.calendar
    today = to_seoul(dt.datetime.now(dt.UTC)).date()
    span = [today - dt.timedelta(days=n) for n in range(days, 0, -1)]
    mean_weight = sum(sum(world.shares[c] * day_weight(d, calendar, c in world.always_open) for c in world.centers)
                      for d in span) / len(span)  # fmt: skip
    per_day = calls / len(span) / mean_weight
    writer = BulkWriter(conn)
    columns = list(tally_values(tally_call(FinishedCall("x", CallKind.INBOUND, "X", "x", dt.datetime.now(dt.UTC)))))
    loaded, counter = Loaded(), [0]
    for day in span:
        records: list[dict[str, Any]] = []
        intervals: dict[tuple[dt.datetime, tuple[Any, ...]], list[float]] = {}
        daily: dict[tuple[dt.date, tuple[Any, ...]], list[float]] = {}
        busy: dict[tuple[int, str], list[float]] = {}  # (agent, center) -> [on-call s, wrap-up s]
        for call in calls_of_day(rng, world, day, per_day, calendar, counter):
            records.append(_call_row(call))
            tally = tally_call(call)
            values = list(tally_values(tally).values())
            key = call_key(call)
            _add(intervals, (interval_start(call.enqueued_at), key), values)
            _add(daily, (day, key), values)
            if call.agent_id is not None:
                _add(busy, (call.agent_id, call.queue_center), [tally.talk_s + tally.hold_s, tally.wrapup_s])
        writer.write(tables.call_records, records)
        writer.write(tables.call_rollups, (_rollup("interval_start", at, key, columns, v)
                                           for (at, key), v in intervals.items()))  # fmt: skip
        writer.write(tables.call_rollups_daily, (_rollup("day", d, key, columns, v) for (d, key), v in daily.items()))
        loaded.calls += len(records)
        loaded.call_rollup_rows += len(intervals)
        loaded.daily_rollup_rows += len(daily)
        states = _state_rows(busy, day)
        writer.write(tables.agent_state_rollups_daily, states)
        loaded.daily_state_rows += len(states)
        if (today - day).days <= interval_state_days:
            interval_states = _interval_state_rows(busy, day)
            writer.write(tables.agent_state_rollups, interval_states)
            loaded.state_rollup_rows += len(interval_states)
        if progress is not None:
            progress(day, loaded)
    return loaded


def _rollup(period: str, at: Any, key: tuple[Any, ...], columns: list[str], values: list[float]) -> dict[str, Any]:
    return {period: at, **dict(zip(CALL_KEY, key, strict=True)), **dict(zip(columns, values, strict=True))}


def _state_rows(busy: dict[tuple[int, str], list[float]], day: dt.date) -> list[dict[str, Any]]:
    rows = []
    for (agent, center), (on_call, wrapup) in busy.items():
        ready = max(0.0, 9 * 3600 - on_call - wrapup - 4500)
        for state, reason, seconds in (("on-call", "", on_call), ("wrap-up", "", wrapup), ("ready", "", ready),
                                       ("not-ready", "lunch", 3600.0), ("not-ready", "break", 900.0)):  # fmt: skip
            rows.append({"day": day, **dict(zip(STATE_KEY, (agent, center, state, reason), strict=True)),
                         "seconds": seconds})  # fmt: skip
    return rows


def _interval_state_rows(busy: dict[tuple[int, str], list[float]], day: dt.date) -> list[dict[str, Any]]:
    """The day's state time spread evenly over 09:00-18:00 (36 intervals), lunch 12-13."""
    rows = []
    start = dt.datetime.combine(day, dt.time(9), tzinfo=SEOUL).astimezone(dt.UTC)
    for (agent, center), (on_call, wrapup) in busy.items():
        for n in range(36):
            at = start + dt.timedelta(minutes=15 * n)
            key = dict(zip(STATE_KEY[:2], (agent, center), strict=True))
            if 12 <= n // 4 + 9 < 13:
                rows.append({"interval_start": at, **key, "state": "not-ready", "reason": "lunch", "seconds": 900.0})
                continue
            calls_part = min(900.0, (on_call + wrapup) / 32)
            rows.append({"interval_start": at, **key, "state": "on-call", "reason": "", "seconds": calls_part * 0.85})
            rows.append({"interval_start": at, **key, "state": "wrap-up", "reason": "", "seconds": calls_part * 0.15})
            rows.append({"interval_start": at, **key, "state": "ready", "reason": "", "seconds": 900.0 - calls_part})
    return rows
