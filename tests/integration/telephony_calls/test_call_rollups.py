"""The history's rollups as the store keeps them: after any sequence of first and second writes of calls, and of
agents' state changes in any arrival order, the rollup rows equal the tallies recomputed from the records
(SQLite and PostgreSQL); the abandoned caller kept for a callback."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from crm.calls.model import AgentStateChange, CallKind, FinishedCall
from crm.calls.tally import CallTally
from crm.door.sql_desk import AgentContacts
from crm.store import call_history, tables
from crm.store.call_rollups import call_rows, state_rows, tally_of
from sori.wiring import System

pytestmark = pytest.mark.integration

T0 = dt.datetime(2026, 3, 9, 23, 50, tzinfo=dt.UTC)  # 08:50 in Seoul; calls cross 15-minute and day boundaries
S = dt.timedelta(seconds=1)


@st.composite
def a_call(draw: st.DrawFn, index: int) -> tuple[FinishedCall, FinishedCall | None]:
    """A call's final (ACD) write and, for an answered one, the contact's earlier write (or None)."""
    kind = draw(st.sampled_from([CallKind.INBOUND, CallKind.INBOUND, CallKind.CONSULT, CallKind.CALLBACK]))
    enqueued = T0 + draw(st.integers(0, 7200)) * S
    center = draw(st.sampled_from(["ACRC110", "NTS126"]))
    base = FinishedCall(f"c{index}", kind, center, draw(st.sampled_from(["general", "tax"])), enqueued)
    wait = draw(st.floats(0, 200, allow_nan=False))
    if draw(st.booleans()) and kind is CallKind.INBOUND:
        return dataclasses.replace(base, abandoned_at=enqueued + wait * S), None
    answered = enqueued + wait * S
    ended = answered + draw(st.floats(1, 900, allow_nan=False)) * S
    agent = draw(st.sampled_from([(1, "ACRC110"), (2, "NTS126")]))
    final = dataclasses.replace(
        base, agent_id=agent[0], answered_center=agent[1], answered_at=answered, ended_at=ended,
        wrapup_ended_at=ended + draw(st.floats(0, 120, allow_nan=False)) * S,
        hold_seconds=draw(st.floats(0, 30, allow_nan=False)), overflowed=agent[1] != center,
        transferred_to=draw(st.sampled_from([None, "NTS126/general"])),
    )  # fmt: skip
    if not draw(st.booleans()):
        return final, None
    # the contact's end writes first, without wrap-up; sometimes before the agent was known
    first = dataclasses.replace(final, wrapup_ended_at=None, hold_seconds=draw(st.floats(0, 30, allow_nan=False)))
    if draw(st.booleans()):
        first = dataclasses.replace(first, agent_id=None, answered_center=None)
    return final, first


@st.composite
def calls(draw: st.DrawFn) -> list[tuple[FinishedCall, FinishedCall | None]]:
    return [draw(a_call(i)) for i in range(draw(st.integers(1, 12)))]


def _reset(system: System) -> None:
    with system.uow() as uow:
        assert uow.session is not None
        for table in (tables.abandoned_callers, tables.call_records, tables.call_rollups, tables.call_rollups_daily,
                      tables.agent_state_changes, tables.agent_state_rollups,
                      tables.agent_state_rollups_daily):  # fmt: skip
            uow.session.execute(delete(table))
        uow.commit()


def _stored(system: System, table: object, period: str, key: tuple[str, ...]) -> dict[tuple[object, ...], Any]:
    with system.uow(readonly=True) as uow:
        assert uow.session is not None
        rows = uow.session.execute(select(table)).all()  # type: ignore[call-overload]
    return {(row._mapping[period], *(row._mapping[k] for k in key)): row for row in rows}


def _close(a: CallTally, b: CallTally) -> bool:
    return all(
        (x == pytest.approx(y, abs=1e-6)) if not isinstance(x, tuple) else x == y
        for x, y in zip(dataclasses.astuple(a), dataclasses.astuple(b), strict=True)
    )


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(written=calls(), order=st.randoms(use_true_random=False))
def test_rollups_equal_the_tallies_of_the_records(
    system: System, written: list[tuple[FinishedCall, FinishedCall | None]], order: object
) -> None:
    _reset(system)
    store = AgentContacts(system.uow, system.policy, system.calendar)
    writes = [(i, w) for i, (final, first) in enumerate(written) for w in (first, final) if w is not None]
    order.shuffle(writes)  # type: ignore[attr-defined]
    # the two writes of one call keep their order (the desk chains them); calls interleave
    firsts: dict[int, int] = {}
    ordered = []
    for i, _ in writes:
        firsts[i] = firsts.get(i, 0) + 1
        final, first = written[i]
        ordered.append(first if (first is not None and firsts[i] == 1) else final)
    for call in ordered:
        store.call_finished(call)
    records = store.today(T0 - dt.timedelta(days=1))[0]
    assert len(records) == len(written)
    intervals, days = call_rows(records)
    key = ("queue_center", "queue_skill", "answered_center", "agent_id")
    stored = _stored(system, tables.call_rollups, "interval_start", key)
    nonzero = {k: tally_of(r) for k, r in stored.items() if tally_of(r) != CallTally()}
    assert {(at, *k) for at, k in intervals} == set(nonzero)
    for (at, k), tally in intervals.items():
        assert _close(nonzero[(at, *k)], tally), (at, k)
    stored_days = _stored(system, tables.call_rollups_daily, "day", key)
    for (day, k), tally in days.items():
        assert _close(tally_of(stored_days[(day, *k)]), tally)


@st.composite
def changes(draw: st.DrawFn) -> list[AgentStateChange]:
    states = ["ready", "not-ready", "ringing", "on-call", "wrap-up", "logged-out"]
    out = []
    for agent in (1, 2):
        at = T0
        previous = "logged-out"
        for _ in range(draw(st.integers(0, 8))):
            at += draw(st.integers(1, 3600)) * S
            state = draw(st.sampled_from(states))
            reason = draw(st.sampled_from([None, "lunch", "break"])) if state == "not-ready" else None
            out.append(AgentStateChange(agent, "ACRC110", at, state, previous, reason))
            previous = state
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(made=changes(), order=st.randoms(use_true_random=False))
def test_state_rollups_equal_the_changes_in_any_arrival_order(
    system: System, made: list[AgentStateChange], order: object
) -> None:
    _reset(system)
    store = AgentContacts(system.uow, system.policy, system.calendar)
    arrival = list(made)
    order.shuffle(arrival)  # type: ignore[attr-defined]
    for change in arrival:
        store.agent_state_changed(change)
    intervals, days = state_rows(made)
    key = ("agent_id", "center", "state", "reason")
    stored = {k: r.seconds for k, r in _stored(system, tables.agent_state_rollups, "interval_start", key).items()}
    assert {k: s for k, s in stored.items() if abs(s) > 1e-6} == pytest.approx(
        {(at, *k): s for (at, k), s in intervals.items()}, abs=1e-6
    )
    stored_days = {k: r.seconds for k, r in _stored(system, tables.agent_state_rollups_daily, "day", key).items()}
    for (day, k), seconds in days.items():
        assert stored_days[(day, *k)] == pytest.approx(seconds, abs=1e-6)


def test_an_abandoned_caller_is_kept_for_a_callback(system: System) -> None:
    store = AgentContacts(system.uow, system.policy, system.calendar)
    gone = FinishedCall("a1", CallKind.INBOUND, "ACRC110", "general", T0, abandoned_at=T0 + 40 * S)
    store.call_finished(gone, caller_digits="01012345678")
    store.call_finished(FinishedCall("a2", CallKind.INBOUND, "ACRC110", "general", T0, abandoned_at=T0 + 3 * S))
    answered = FinishedCall("a3", CallKind.INBOUND, "ACRC110", "general", T0, answered_at=T0 + S, ended_at=T0 + 9 * S)
    store.call_finished(answered, caller_digits="01099998888")  # an answered caller is not kept
    with system.uow() as uow:
        assert uow.session is not None
        rows = call_history.abandoned_calls(uow.session, T0, T0 + dt.timedelta(hours=1))
        assert [(r.caller_masked, r.wait_s, r.callback_requested) for r in sorted(rows, key=lambda r: r.wait_s)] == [
            (None, 3.0, False), ("010-****-5678", 40.0, False),
        ]  # fmt: skip
        kept = next(r.call_record_id for r in rows if r.caller_masked)
        assert call_history.abandoned_caller(uow.session, kept) == ("ACRC110", "general", "01012345678", False)
        call_history.mark_callback_requested(uow.session, kept, "sup", T0 + dt.timedelta(minutes=5))
        call_history.mark_callback_requested(uow.session, kept, "other", T0 + dt.timedelta(minutes=6))
        uow.commit()
    with system.uow(readonly=True) as uow:
        assert uow.session is not None
        assert call_history.abandoned_caller(uow.session, kept) == ("ACRC110", "general", "01012345678", True)
        by = uow.session.scalar(select(tables.abandoned_callers.c.callback_requested_by))
        assert by == "sup", "the first request is kept"
        assert uow.session.scalar(select(tables.abandoned_callers.c.caller_digits).where(
            tables.abandoned_callers.c.caller_masked.is_(None))) is None  # fmt: skip
    for value in dataclasses.asdict(store.today(T0)[0][0]).values():
        assert "12345678" not in str(value), "never in the call's own row"
