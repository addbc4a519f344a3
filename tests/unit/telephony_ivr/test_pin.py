"""The caller's PIN in the IVR (pure session): asked before an agent and before personal self-service of a
number not from a trusted trunk; right, wrong, *, silence; the change menu. The store's side is in
tests/integration/test_citizen_pin.py."""

from __future__ import annotations

from telephony.ivr import model as m
from telephony.ivr import pin as pins
from telephony.ivr.actions import Action, CollectDigits, Enqueue, PinRequest, Play, SelfService
from telephony.ivr.events import Digit, Event, InputTimeout, PinAnswer, Started
from telephony.ivr.loader import FlowSet
from telephony.ivr.session import CallContext, IvrSession

CALLER = "010-5000-0002"


def session(flows: FlowSet, **context: object) -> IvrSession:
    values: dict[str, object] = {"center": "NTS126", "dialled": "126", "caller": CALLER}
    values.update(context)
    return IvrSession(flows.for_center("NTS126"), CallContext(**values))  # type: ignore[arg-type]


def run(s: IvrSession, *events: Event) -> list[Action]:
    actions = s.handle(Started())
    for event in events:
        actions += s.handle(event)
    return actions


def keys(text: str) -> list[Event]:
    return [Digit(k) for k in text]


def texts(actions: list[Action]) -> list[str]:
    return [part.text for a in actions if isinstance(a, Play) for part in a.parts]


def test_an_untrusted_number_without_a_pin_gets_no_personal_data_but_the_agent(flows: FlowSet) -> None:
    s = session(flows)  # the number did not come from a trunk: anyone may have put it in From
    actions = run(s, *keys("12"))  # 세금 조회 → 부가가치세
    assert not any(isinstance(a, SelfService) for a in actions)
    assert pins.NOT_TRUSTED.text in texts(actions)
    assert isinstance(actions[-1], Enqueue) and not s.verified


def test_a_trusted_trunks_number_goes_straight_to_self_service(flows: FlowSet) -> None:
    actions = run(session(flows, trusted_caller=True, pin_enrolled=True), *keys("12"))
    assert actions[-1] == SelfService("bill-inquiry", "부가가치세", CALLER)
    assert pins.ASK.text not in texts(actions)


def test_an_untrusted_number_with_the_right_pin_gets_self_service(flows: FlowSet) -> None:
    s = session(flows, pin_enrolled=True)
    actions = run(s, *keys("12"))
    assert isinstance(actions[-2], Play) and actions[-2].parts[-1] == pins.ASK
    assert actions[-1] == CollectDigits(1, 5.0, terminator="#", secret=True)
    actions = []
    for key in "3579#":
        actions += s.handle(Digit(key))
    assert actions[-1] == PinRequest("3579") and "3579" not in repr(actions[-1])  # never in a log line
    actions = s.handle(PinAnswer("verified"))
    assert s.verified and actions[-1] == SelfService("bill-inquiry", "부가가치세", CALLER)


def test_wrong_twice_star_or_silence_go_on_unverified_without_personal_data(flows: FlowSet) -> None:
    s = session(flows, pin_enrolled=True)
    run(s, *keys("12"), *keys("1111#"))
    retry = s.handle(PinAnswer("wrong"))
    assert pins.WRONG.text in texts(retry)  # asked once more
    after = [*run_more(s, "2222#"), *s.handle(PinAnswer("wrong"))]
    assert not any(isinstance(a, SelfService | PinRequest) for a in after[-3:])
    assert pins.NOT_TRUSTED.text in texts(after) and isinstance(after[-1], Enqueue) and not s.verified

    star = session(flows, pin_enrolled=True)
    actions = run(star, *keys("12"), Digit("*"))
    assert not any(isinstance(a, SelfService | PinRequest) for a in actions) and isinstance(actions[-1], Enqueue)

    silent = session(flows, pin_enrolled=True)
    actions = run(silent, *keys("12"), Digit("4"), InputTimeout())
    assert not any(isinstance(a, SelfService | PinRequest) for a in actions) and isinstance(actions[-1], Enqueue)

    locked = session(flows, pin_enrolled=True)
    run(locked, *keys("12"), *keys("1357#"))
    actions = locked.handle(PinAnswer("locked"))
    assert pins.LOCKED.text in texts(actions) and isinstance(actions[-1], Enqueue)


def run_more(s: IvrSession, text: str) -> list[Action]:
    return [a for key in text for a in s.handle(Digit(key))]


def test_the_pin_is_asked_once_before_an_agent_and_a_right_one_marks_the_call(flows: FlowSet) -> None:
    s = session(flows, trusted_caller=True, pin_enrolled=True)
    actions = run(s, Digit("0"))  # 상담원 연결
    assert pins.ASK.text in texts(actions) and not any(isinstance(a, Enqueue) for a in actions)
    run_more(s, "2468#")
    assert isinstance(s.handle(PinAnswer("verified"))[-1], Enqueue) and s.verified

    unknown = session(flows, trusted_caller=True, pin_enrolled=True)
    actions = run(unknown, Digit("0"), InputTimeout())  # a caller who does not answer still reaches the agent
    assert isinstance(actions[-1], Enqueue) and not unknown.verified

    no_pin = session(flows, trusted_caller=True)
    assert isinstance(run(no_pin, Digit("0"))[-1], Enqueue)  # nobody to ask a PIN of

    transferred = session(flows, pin_enrolled=True, pin_asked=True)  # asked in the flow before a transfer
    assert isinstance(run(transferred, Digit("0"))[-1], Enqueue)


def test_changing_the_pin_needs_the_current_one_then_the_new_one_twice(flows: FlowSet) -> None:
    s = session(flows, pin_enrolled=True)
    actions = run(s, Digit("8"))
    assert pins.CHANGE_CURRENT.text in texts(actions)
    assert pins.CHANGE_NEW.text in texts(run_more(s, "2468#"))
    assert pins.CHANGE_REPEAT.text in texts(run_more(s, "975310#"))
    request = run_more(s, "975310#")
    assert request[-1] == PinRequest("2468", "975310", "975310")
    assert all(a == CollectDigits(1, 5.0, terminator="#", secret=True) for a in request[:-1])
    actions = s.handle(PinAnswer("verified"))
    assert texts(actions)[0] == "비밀번호가 바뀌었습니다." and s.verified
    assert isinstance(actions[-1], CollectDigits)  # back in the main menu

    refused = session(flows, pin_enrolled=True)
    run(refused, Digit("8"), *keys("2468#"), *keys("1234#"), *keys("1234#"))
    assert texts(refused.handle(PinAnswer("trivial")))[0] == pins.CHANGE_OUTCOMES["trivial"].text
    assert not refused.verified

    cancelled = session(flows, pin_enrolled=True)
    actions = run(cancelled, Digit("8"), *keys("2468#"), Digit("*"))
    assert pins.NOT_CHANGED.text in texts(actions) and not any(isinstance(a, PinRequest) for a in actions)

    none = session(flows)
    assert pins.NO_PIN.text in texts(run(none, Digit("8")))


def test_a_pin_change_step_is_read_from_the_flow(flows: FlowSet) -> None:
    step = flows.for_center("NTS126").steps["pin-change"]
    assert step == m.PinChangeStep("pin-change", "main")
