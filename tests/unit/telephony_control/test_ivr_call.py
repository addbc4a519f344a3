"""The IVR runner against the real shipped flows, an in-memory media leg and a fake clock (no sockets).

The leg is a fake because these tests are about the order of media commands and timers; the same
runner is driven by real pjsua2 workers in the integration tests of the call flow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from twisted.internet import defer, task

from integrations.bills.memory import demo_bill_ledger
from integrations.certificates.memory import demo_certificate_issuer
from kernel.calendar import WorkCalendar
from telephony.control.ivr_call import IvrCall
from telephony.ivr.actions import Enqueue, Hangup, PromptPart, SelfService
from telephony.ivr.events import PortResult
from telephony.ivr.loader import load_flows, shipped_flows_dir
from telephony.ivr.ports import run_self_service
from telephony.ivr.session import CallContext, IvrSession

FLOWS = load_flows(shipped_flows_dir())
CALENDAR = WorkCalendar()


@dataclass
class FakeLeg:
    """Records what the runner asks of the caller's leg; the test says when a playback ends."""

    plays: list[tuple[str, list[Path]]] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)

    def play(self, wavs: Sequence[Path], playback_id: str) -> defer.Deferred[object]:
        self.plays.append((playback_id, list(wavs)))
        return defer.succeed(None)

    def stop_play(self, playback_id: str) -> defer.Deferred[object]:
        self.stopped.append(playback_id)
        return defer.succeed(None)

    @property
    def current(self) -> str:
        return self.plays[-1][0]


def prompts(part: PromptPart) -> defer.Deferred[Path]:
    return defer.succeed(Path("/prompts") / f"{abs(hash(part.text))}.wav")


def ports(action: SelfService) -> defer.Deferred[PortResult]:
    return defer.succeed(run_self_service(action, demo_bill_ledger(), demo_certificate_issuer()))


def nts_call(caller: str = "010-5000-0002", **context: object) -> tuple[IvrCall, FakeLeg, task.Clock]:
    leg, clock = FakeLeg(), task.Clock()
    context.setdefault("trusted_caller", True)  # a trunk's number: self-service without a PIN
    session = IvrSession(
        FLOWS.for_center("NTS126"), CallContext(center="NTS126", dialled="126", caller=caller, **context)
    )  # type: ignore[arg-type]
    call = IvrCall(session, leg, prompts, ports, clock)
    call.start()
    return call, leg, clock


def outcome(call: IvrCall) -> object:
    return call.outcome if call.finished else "pending"


def test_keys_during_the_recording_notice_are_ignored_and_the_menu_can_be_keyed_through() -> None:
    call, leg, _ = nts_call()
    notice = leg.current
    call.digit("1")  # during the notice: nobody is listening for keys yet
    assert call.trace.keys == [] and len(leg.plays) == 1
    call.playback_done(notice)
    assert call.trace.notice_heard
    menu = leg.current
    assert menu != notice
    call.digit("1")  # barge-in: the menu stops at once
    assert leg.stopped == [menu]
    assert call.trace.played[-1] == (call.trace.played[-1][0], False)
    assert "종합소득세는 1번" in call.trace.played[-1][0] or len(leg.plays) == 3


def test_bill_inquiry_is_heard_to_the_end() -> None:
    call, leg, _ = nts_call()
    call.playback_done(leg.current)  # notice
    call.digit("1")  # main menu: bill inquiry
    call.digit("1")  # bill menu: 종합소득세
    for _ in range(10):  # play every prompt to its end until the runner waits for a key again
        if call.trace.self_service and call.trace.played and "원" in call.trace.played[-1][0]:
            break
        call.playback_done(leg.current)
    ((action, result),) = call.trace.self_service
    assert action.kind == "bill-inquiry" and action.citizen_ref == "010-5000-0002"
    assert result.value is not None and result.error is None
    spoken = [text for text, heard in call.trace.played if heard]
    assert any("원" in text and "납부" in text for text in spoken), spoken


def test_silence_runs_the_retries_then_goes_to_an_agent() -> None:
    call, leg, clock = nts_call()
    call.playback_done(leg.current)  # notice
    for _ in range(20):
        if outcome(call) != "pending":
            break
        call.playback_done(leg.current)
        clock.advance(60)
    result = outcome(call)
    assert isinstance(result, Enqueue) and result.center == "NTS126"
    retries = [text for text, _ in call.trace.played if "입력이 확인되지 않" in text]
    assert len(retries) >= 2, call.trace.played
    assert call.trace.keys == []


def test_a_caller_who_hangs_up_ends_the_run_and_nothing_more_is_played() -> None:
    call, leg, clock = nts_call()
    call.playback_done(leg.current)
    call.hung_up()
    plays = len(leg.plays)
    call.playback_done(leg.current)
    call.digit("1")
    clock.advance(300)
    assert outcome(call) is None and len(leg.plays) == plays


def test_a_failing_prompt_is_skipped_and_the_flow_goes_on() -> None:
    leg, clock = FakeLeg(), task.Clock()

    def broken(part: PromptPart) -> defer.Deferred[Path]:
        if "녹음" in part.text:
            return defer.fail(RuntimeError("espeak-ng crashed"))
        return prompts(part)

    session = IvrSession(
        FLOWS.for_center("NTS126"), CallContext(center="NTS126", dialled="126", caller="010-5000-0002")
    )
    call = IvrCall(session, leg, broken, ports, clock)
    call.start()
    assert call.trace.played[0][1] is False  # the notice could not be played
    call.digit("0")  # the menu is already playing and collecting
    for _ in range(5):
        if call.finished:
            break
        call.playback_done(leg.current)
    assert isinstance(outcome(call), Enqueue)


@pytest.mark.parametrize("key", ["A", "", "12", "#"])
def test_odd_keys_never_break_the_run(key: str) -> None:
    call, leg, clock = nts_call()
    call.playback_done(leg.current)
    call.digit(key)
    assert outcome(call) == "pending"
    assert leg.plays[-1][0] != leg.plays[0][0]
    clock.advance(1)


def test_a_closed_center_says_so_and_hangs_up_when_the_caller_declines_a_callback() -> None:
    from telephony.ivr.session import CenterStatus

    call, leg, _ = nts_call(status=CenterStatus.CLOSED)
    for _ in range(10):
        if outcome(call) != "pending":
            break
        if call.trace.played and "1번" in call.trace.played[-1][0] and call.trace.keys == []:
            call.digit("2")
            continue
        call.playback_done(leg.current)
    assert isinstance(outcome(call), Hangup)
    assert any("상담 시간이 아닙니다" in text for text, _ in call.trace.played)
    assert not call.trace.notice_heard
