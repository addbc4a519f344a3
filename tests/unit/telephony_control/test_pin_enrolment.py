"""A first PIN keyed by the caller while talking to an agent (in-memory pool and clock): the caller's keys go
to the enrolment and nowhere else, the prompts go to the caller's leg, the digits are never traced."""

from __future__ import annotations

from typing import Any

from twisted.internet import defer

from telephony.control.pin_enrolment import EnrolmentInProgress, PinEnrolments
from telephony.ivr import enrolment
from telephony.ivr import pin as pins
from telephony.ivr.actions import PinRequest, Play
from telephony.ivr.events import Digit, InputTimeout, PinAnswer, Started
from tests.unit.telephony_control.test_switchboard import board, event, hang_up, incoming


def test_the_session_asks_twice_then_reports_the_stores_answer() -> None:
    told: list[str] = []
    s = enrolment.EnrolmentSession(told.append)
    first = s.handle(Started())
    assert isinstance(first[0], Play) and first[0].parts == (enrolment.ENROL_NEW,)
    actions = [a for k in "2580#" for a in s.handle(Digit(k))]
    assert isinstance(actions[-2], Play) and actions[-2].parts == (pins.CHANGE_REPEAT,)
    actions = [a for k in "2580#" for a in s.handle(Digit(k))]
    assert actions[-1] == PinRequest("", "2580", "2580") and not s.done
    assert s.handle(PinAnswer("verified")) == [Play((enrolment.ENROLLED,))]
    assert told == ["enrolled"] and s.handle(Digit("1")) == []

    refused = enrolment.EnrolmentSession()
    for event_ in (Started(), *map(Digit, "1111#"), *map(Digit, "1111#")):
        refused.handle(event_)
    assert refused.handle(PinAnswer("trivial")) == [Play((pins.CHANGE_OUTCOMES["trivial"],))]
    assert refused.outcome == "trivial"

    silent = enrolment.EnrolmentSession()
    silent.handle(Started())
    assert silent.handle(InputTimeout()) == [Play((enrolment.NOT_ENROLLED,))] and silent.outcome == "cancelled"


def setup() -> tuple[Any, Any, PinEnrolments, list[tuple[str, str]]]:
    switchboard, pool, _, clock = board()
    enrolments = PinEnrolments(lambda: pool, switchboard.prompts, clock)
    switchboard.enrolments = enrolments
    incoming(switchboard, "NTS126", "126")
    stored: list[tuple[str, str]] = []
    return switchboard, pool, enrolments, stored


def test_the_callers_keys_reach_the_store_and_only_the_store() -> None:
    switchboard, pool, enrolments, stored = setup()
    ivr = switchboard.calls["w1.1"].ivr

    def enrol(pin: str, repeated: str) -> defer.Deferred[str]:
        stored.append((pin, repeated))
        return defer.succeed("verified")

    result = enrolments.start("w1", "w1.1", enrol)
    with_enrolment = len(pool.sent)
    assert pool.sent[-1][0] == "Play" and pool.sent[-1][1]["call_ref"] == "w1.1"  # to the caller's leg
    for key in "2580#":
        event(switchboard, "DtmfReceived", digit=key)
    event(switchboard, "PlaybackDone", playback_id=pool.last_play())
    for key in "2580#":
        event(switchboard, "DtmfReceived", digit=key)
    assert stored == [("2580", "2580")] and result.result == "enrolled"
    assert ivr is not None and "2" not in ivr.trace.keys  # the IVR never saw the keys
    assert len(pool.sent) > with_enrolment
    enrolment_keys = enrolments._running["w1.1"][0].trace.keys
    assert set(enrolment_keys) == {"*"}
    with_done = enrolments.start("w1", "w1.1", enrol)  # a second one after the first ended: allowed
    try:
        enrolments.start("w1", "w1.1", enrol)
        raise AssertionError("a second enrolment at once must be refused")
    except EnrolmentInProgress:
        pass
    hang_up(switchboard)
    assert with_done.result == "hung-up"
