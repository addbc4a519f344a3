"""Console sessions under a hand-set clock: idle and absolute expiry, input versus pushed events, calls."""

from __future__ import annotations

from console.ports import Viewer
from console.sessions import ConsoleSessions

KIM = Viewer(7, "kim", "김상담", "agent", "ACRC110")
MIN = 60.0
HOUR = 60 * MIN


def world(on_call: set[int] | None = None) -> ConsoleSessions:
    calls = on_call if on_call is not None else set()
    return ConsoleSessions(lambda agent: agent in calls)


def test_idle_expiry_after_30_minutes_without_input() -> None:
    sessions = world()
    sid = sessions.open("tok", KIM, now=0).session_id
    assert sessions.resolve(sid, 29 * MIN, input=False) is not None
    assert sessions.resolve(sid, 30 * MIN, input=False) is None
    assert sessions.resolve(sid, 1, input=True) is None  # gone for good
    assert sessions.revocations() == ["tok"]


def test_input_restarts_idle_time() -> None:
    sessions = world()
    sid = sessions.open("tok", KIM, now=0).session_id
    assert sessions.touch(sid, 20 * MIN)
    found = sessions.resolve(sid, 45 * MIN, input=True)
    assert found is not None and found.viewer == KIM
    assert sessions.resolve(sid, 74 * MIN, input=False) is not None
    assert sessions.resolve(sid, 75 * MIN, input=False) is None


def test_pushed_events_do_not_keep_a_session_alive() -> None:
    sessions = world()
    sid = sessions.open("tok", KIM, now=0).session_id
    for minute in range(1, 30):  # the stream checks itself every minute
        assert sessions.resolve(sid, minute * MIN, input=False) is not None
    assert sessions.resolve(sid, 30 * MIN, input=False) is None


def test_absolute_limit_of_ten_hours_despite_input() -> None:
    sessions = world()
    sid = sessions.open("tok", KIM, now=0).session_id
    t = 0.0
    while t < 10 * HOUR - 20 * MIN:
        t += 20 * MIN
        assert sessions.touch(sid, t), t
    assert not sessions.touch(sid, 10 * HOUR)


def test_an_expiry_that_falls_mid_call_waits_for_the_call_to_end() -> None:
    calls: set[int] = set()
    sessions = world(calls)
    sid = sessions.open("tok", KIM, now=0).session_id
    calls.add(KIM.agent_id)
    assert sessions.resolve(sid, 40 * MIN, input=False) is not None  # idle deadline (30 min) passed mid-call
    assert sessions.sweep(55 * MIN) == 0  # still on the call: the sweep records it
    calls.clear()
    # idle counts from the last time the call was seen (55 min): alive until 85 min
    assert sessions.resolve(sid, 84 * MIN, input=False) is not None
    assert sessions.sweep(85 * MIN) == 1
    assert sessions.resolve(sid, 86 * MIN, input=True) is None


def test_absolute_limit_is_postponed_by_a_call_then_ends_at_the_first_check_off_call() -> None:
    calls: set[int] = set()
    sessions = world(calls)
    sid = sessions.open("tok", KIM, now=0).session_id
    for minute in range(20, 600, 20):
        assert sessions.touch(sid, minute * MIN)
    calls.add(KIM.agent_id)
    assert sessions.touch(sid, 10 * HOUR + 5 * MIN)
    calls.clear()
    assert sessions.resolve(sid, 10 * HOUR + 6 * MIN, input=True) is None


def test_every_login_gets_a_new_random_id() -> None:
    sessions = world()
    ids = {sessions.open(f"tok{i}", KIM, now=0).session_id for i in range(50)}
    assert len(ids) == 50 and all(len(i) >= 43 for i in ids)
    assert len({s.csrf for s in (sessions.open("x", KIM, 0), sessions.open("y", KIM, 0))}) == 2


def test_logout_ends_the_session_and_queues_its_api_token() -> None:
    sessions = world()
    sid = sessions.open("tok", KIM, now=0).session_id
    closed = sessions.close(sid)
    assert closed is not None and closed.api_token == "tok"
    assert sessions.resolve(sid, 1, input=True) is None
    assert sessions.revocations() == ["tok"] and sessions.revocations() == []


def test_the_store_is_bounded_and_drops_the_oldest() -> None:
    sessions = ConsoleSessions(lambda _: False, max_sessions=3)
    ids = [sessions.open(f"tok{i}", KIM, now=i).session_id for i in range(5)]
    assert len(sessions) == 3
    assert sessions.resolve(ids[0], 5, input=False) is None
    assert sessions.resolve(ids[4], 5, input=False) is not None
    assert sessions.revocations() == ["tok0", "tok1"]


def test_a_logout_that_revokes_the_token_itself_queues_nothing() -> None:
    sessions = world()
    sid = sessions.open("tok", KIM, now=0).session_id
    assert sessions.close(sid, queue=False) is not None
    assert sessions.revocations() == []


def test_the_stream_can_ask_whether_an_agent_is_still_signed_in_without_touching_idle_time() -> None:
    sessions = world()
    sid = sessions.open("tok", KIM, now=0).session_id
    assert sessions.agent_signed_in(KIM.agent_id, 29 * MIN)
    assert not sessions.agent_signed_in(KIM.agent_id, 30 * MIN)
    assert not sessions.agent_signed_in(99, 0)
    assert sessions.resolve(sid, 30 * MIN, input=True) is None
