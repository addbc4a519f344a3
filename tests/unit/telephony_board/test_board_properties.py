"""Properties of the board's counters over any finished calls: counting them live from CTI events (in any order)
and rebuilding them from the stored records give the same figures; the figures add up."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from crm.calls.model import AgentStateChange, CallKind, FinishedCall
from telephony.board import Board
from telephony.board.calls import finished_data
from telephony.cti.bus import CtiBus, CtiKind

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)  # 18:00 in Seoul
CENTERS = ("ACRC110", "NTS126")


@st.composite
def calls(draw: st.DrawFn, index: int) -> FinishedCall:
    enqueued = NOW - dt.timedelta(seconds=draw(st.integers(60, 40_000)))  # from 06:53 in Seoul: today
    kind = draw(st.sampled_from(list(CallKind)))
    center = draw(st.sampled_from(CENTERS))
    wait = draw(st.floats(0, 600, allow_nan=False).map(lambda x: round(x, 3)))
    if draw(st.booleans()) or kind is CallKind.CALLBACK:
        talk = draw(st.integers(1, 900))
        hold = draw(st.integers(0, talk))
        answered = enqueued + dt.timedelta(seconds=wait)
        ended = answered + dt.timedelta(seconds=talk)
        return FinishedCall(
            f"c{index}", kind, center, "general", enqueued, agent_id=draw(st.integers(1, 4)),
            answered_center=draw(st.sampled_from(CENTERS)), answered_at=answered, ended_at=ended,
            wrapup_ended_at=ended + dt.timedelta(seconds=10), hold_seconds=hold,
            transferred_to=draw(st.sampled_from([None, "NTS126/general", "external:police"])),
        )  # fmt: skip
    return FinishedCall(f"c{index}", kind, center, "general", enqueued,
                        abandoned_at=enqueued + dt.timedelta(seconds=wait))  # fmt: skip


call_lists = st.integers(0, 25).flatmap(lambda n: st.tuples(*(calls(i) for i in range(n))))


@settings(max_examples=150, deadline=None)
@given(call_lists, st.randoms())
def test_live_counting_and_rebuilding_agree(found: tuple[FinishedCall, ...], random: object) -> None:
    live_order = list(found)
    random.shuffle(live_order)  # type: ignore[attr-defined]
    bus = CtiBus(lambda: NOW, strict=True)
    live = Board(lambda: NOW)
    bus.subscribe(live.apply)
    for c in live_order:
        bus.publish(CtiKind.CALL_FINISHED, c.queue_center, None, c.agent_id, **finished_data(c))
    rebuilt = Board(lambda: NOW)
    rebuilt.restore(found, [])
    for center in CENTERS:
        assert live.center(center).today == rebuilt.center(center).today
        assert live.center(center).queues == rebuilt.center(center).queues


@settings(max_examples=150, deadline=None)
@given(call_lists)
def test_the_figures_add_up(found: tuple[FinishedCall, ...]) -> None:
    board = Board(lambda: NOW)
    board.restore(found, [])
    states = [board.center(c) for c in CENTERS]
    counted = [c for c in found if not (c.kind is CallKind.CONSULT and not c.answered)]
    offered = sum(s.today.offered for s in states)
    assert offered == sum(1 for c in counted if c.kind is not CallKind.CALLBACK)
    for s in states:
        assert s.today.offered == s.today.answered + s.today.abandoned
    assert sum(s.today.callbacks for s in states) == sum(1 for c in found if c.kind is CallKind.CALLBACK)
    assert sum(s.today.overflow_in for s in states) == sum(s.today.overflow_out for s in states)
    assert sum(s.today.transferred for s in states) == sum(1 for c in counted if c.transferred_to)
    # each agent's calls handled, once a state change names the agent (their counters are kept meanwhile)
    board.restore(found, [AgentStateChange(i, "ACRC110", NOW, "ready", "not-ready") for i in range(1, 5)])
    agents = board.center("ACRC110").agents
    assert sum(a.handled for a in agents) == sum(1 for c in counted if c.answered)
    for agent in agents:
        assert agent.state == "logged-out" and agent.reason == "restart"
    talk = round(sum(c.talk_seconds for c in counted if c.answered), 3)
    assert abs(sum(s.today.talk_s for s in states) - talk) < 1e-6
