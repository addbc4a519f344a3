"""The switchboard's decisions with an in-memory pool, store and clock: which flow runs, what each call is
recorded as. (Real SIP and pjsua2 are in tests/integration/telephony_calls and tests/e2e.)"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twisted.internet import defer, task

from crm.cases.ingest import FinishedContact
from crm.cases.model import Channel, Disposition
from crm.door.calls import CallerInfo
from integrations.bills.memory import demo_bill_ledger
from integrations.certificates.memory import demo_certificate_issuer
from kernel.calendar import WorkCalendar
from kernel.centers import Center
from telephony.control.switchboard import Switchboard
from telephony.cti.bus import CtiBus, CtiKind
from telephony.ivr.actions import PromptPart, SelfService
from telephony.ivr.events import PortResult
from telephony.ivr.loader import load_flows, shipped_flows_dir
from telephony.ivr.ports import run_self_service
from telephony.media import protocol as media
from telephony.media.pool import WorkerEvent, WorkerLost

NOW = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)  # Tuesday 11:00 in Seoul: every center is open
CENTERS = {
    code: Center(code=code, name=code, institution="기관", public_number=number, hours="24/7")
    for code, number in [("NTS126", "126"), ("SEOUL120", "120"), ("BUSAN120", "120"), ("ACRC110", "110")]
}


@dataclass
class FakePool:
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def command(self, worker_id: str, command: type[Any], **arguments: Any) -> defer.Deferred[dict[str, Any]]:
        self.sent.append((command.__name__, arguments))
        return defer.succeed({})

    def names(self) -> list[str]:
        return [name for name, _ in self.sent]

    def last_play(self) -> str:
        return next(args["playback_id"] for name, args in reversed(self.sent) if name == "Play")


@dataclass
class FakeStore:
    info: CallerInfo
    recorded: list[FinishedContact] = field(default_factory=list)

    def lookup_caller(self, caller: str, now: dt.datetime) -> CallerInfo:
        return self.info

    def record(self, contact: FinishedContact) -> int:
        self.recorded.append(contact)
        return len(self.recorded)


def board(info: CallerInfo | None = None) -> tuple[Switchboard, FakePool, FakeStore, task.Clock]:
    pool, clock = FakePool(), task.Clock()
    store = FakeStore(info or CallerInfo("010-5000-0002", "01050000002", "010-****-0002", None, 7))

    def prompts(part: PromptPart) -> defer.Deferred[Path]:
        return defer.succeed(Path(f"/p/{abs(hash(part.text))}.wav"))

    def ports(action: SelfService) -> defer.Deferred[PortResult]:
        return defer.succeed(run_self_service(action, demo_bill_ledger(), demo_certificate_issuer()))

    switchboard = Switchboard(
        pool=pool, flows=load_flows(shipped_flows_dir()), centers=CENTERS, calendar=WorkCalendar(),
        store=store,  # type: ignore[arg-type]
        db=lambda f, *a: defer.maybeDeferred(f, *a), prompts=prompts, self_service=ports, scheduler=clock,
        clock=lambda: NOW, hold_music=lambda: defer.succeed(Path("/p/hold.wav")),
        events=CtiBus(lambda: NOW, strict=True),
    )  # fmt: skip
    return switchboard, pool, store, clock


def incoming(switchboard: Switchboard, candidates: str, dialled: str, ref: str = "w1.1", trusted: bool = True) -> None:
    headers = {"X-Sori-Dialled": dialled, "X-Sori-Center-Candidates": candidates}
    if trusted:  # as the edge adds it for a trunk's call
        headers["X-Sori-Trusted-Caller"] = "1"
    switchboard.on_event(WorkerEvent("w1", "IncomingCall", {
        "call_ref": ref, "call_id": f"{ref}@edge", "from_uri": '"x" <sip:01050000002@127.0.0.1>',
        "to_uri": f"<sip:{dialled}@127.0.0.1>", "headers": headers}))  # fmt: skip


def event(switchboard: Switchboard, name: str, ref: str = "w1.1", **args: Any) -> None:
    switchboard.on_event(WorkerEvent("w1", name, {"call_ref": ref, **args}))


def hang_up(switchboard: Switchboard, ref: str = "w1.1") -> None:
    event(switchboard, "CallState", ref, state="disconnected", code=200, reason="bye")


def test_a_caller_who_leaves_during_the_notice_is_abandoned_before_menu() -> None:
    switchboard, pool, store, _ = board()
    incoming(switchboard, "NTS126", "126")
    assert pool.names()[:2] == ["Answer", "Play"]
    hang_up(switchboard)
    (contact,) = store.recorded
    assert (contact.disposition, contact.channel, contact.center_code) == (
        Disposition.ABANDONED_BEFORE_MENU,
        Channel.INBOUND_CALL,
        "NTS126",
    )
    assert contact.sip_call_id == "w1.1@edge" and contact.citizen_id == 7 and contact.case_number is None
    assert switchboard.calls == {}


def test_a_call_without_center_candidates_is_refused_and_not_recorded() -> None:
    switchboard, pool, store, _ = board()
    incoming(switchboard, "", "999")
    assert pool.sent == [("Hangup", {"call_ref": "w1.1", "code": 404})]
    hang_up(switchboard)
    assert store.recorded == [] and switchboard.calls == {}


def test_self_service_then_hangup_is_recorded_as_self_service() -> None:
    switchboard, pool, store, _ = board()
    incoming(switchboard, "NTS126", "126")
    event(switchboard, "PlaybackDone", playback_id=pool.last_play())  # the notice
    event(switchboard, "DtmfReceived", digit="1")
    event(switchboard, "DtmfReceived", digit="2")
    for _ in range(3):  # "조회하고 있습니다", the amount, the after-self-service menu
        event(switchboard, "PlaybackDone", playback_id=pool.last_play())
    event(switchboard, "DtmfReceived", digit="9")  # 통화 종료
    event(switchboard, "PlaybackDone", playback_id=pool.last_play())  # goodbye
    assert pool.names()[-1] == "Hangup"
    hang_up(switchboard)
    (contact,) = store.recorded
    assert (contact.disposition, contact.channel) == (Disposition.SELF_SERVICE_COMPLETED, Channel.IVR_SELF_SERVICE)
    assert "부가가치세" in (contact.notes or "")


def test_the_shared_120_from_a_mobile_asks_the_region_and_transfers_to_that_centers_flow() -> None:
    switchboard, pool, store, _ = board()
    incoming(switchboard, "SEOUL120,BUSAN120", "120")
    region_menu = pool.last_play()
    event(switchboard, "DtmfReceived", digit="2")  # 부산
    assert pool.last_play() != region_menu
    call = switchboard.calls["w1.1"]
    assert call.center == "BUSAN120" and len(call.traces) == 2
    hang_up(switchboard)
    assert store.recorded[0].center_code == "BUSAN120"


def test_a_caller_waiting_for_an_agent_hears_hold_music_and_is_abandoned_in_queue() -> None:
    switchboard, pool, store, _ = board()
    incoming(switchboard, "NTS126", "126")
    event(switchboard, "PlaybackDone", playback_id=pool.last_play())
    event(switchboard, "DtmfReceived", digit="0")  # 상담원 연결
    event(switchboard, "PlaybackDone", playback_id=pool.last_play())  # "연결해 드리겠습니다"
    name, args = pool.sent[-1]
    assert name == "Play" and args["loop"] is True and args["wav_paths"] == ["/p/hold.wav"]
    hang_up(switchboard)
    (contact,) = store.recorded
    assert contact.disposition is Disposition.ABANDONED_IN_QUEUE and contact.queued_at == NOW
    assert switchboard.events is not None
    events, _ = switchboard.events.since(0)
    assert [e.kind for e in events] == [CtiKind.CALL_OFFERED, CtiKind.CALL_ANSWERED, CtiKind.CALL_QUEUED,
                                        CtiKind.CALL_ENDED]  # fmt: skip
    assert {e.center for e in events} == {"NTS126"} and {e.call_id for e in events} == {"w1.1@edge"}
    assert events[1].data == {"by": "ivr"} and events[2].data["skill"] == "general", "no caller number, not even masked"
    assert not [e for e in events if "0002" in repr(e)]
    assert events[-1].data["disposition"] == "abandoned-in-queue"


def test_calls_of_a_lost_worker_are_recorded_as_worker_lost() -> None:
    switchboard, _, store, _ = board()
    incoming(switchboard, "ACRC110", "110")
    switchboard.on_lost(WorkerLost("w1", ("w1.1",)))
    hang_up(switchboard)  # a late event for the same call changes nothing
    (contact,) = store.recorded
    assert contact.disposition is Disposition.WORKER_LOST and contact.center_code == "ACRC110"


def test_an_open_case_is_offered_and_continuing_it_is_recorded_on_the_case() -> None:
    info = CallerInfo(
        "010-5000-0002", "01050000002", "010-****-0002", None, 7, (("2026-NTS126-12", frozenset({"NTS126"})),)
    )
    switchboard, pool, store, _ = board(info)
    incoming(switchboard, "NTS126", "126")
    event(switchboard, "PlaybackDone", playback_id=pool.last_play())  # notice
    event(switchboard, "DtmfReceived", digit="1")  # 이전 상담 이어서 하기
    hang_up(switchboard)
    (contact,) = store.recorded
    assert contact.case_number == "2026-NTS126-12"
    assert media.Play.__name__ in pool.names()


def test_a_center_offers_only_the_cases_it_may_continue() -> None:
    """Another center's open case is not offered: only the owner, or a center it was handed to, continues it."""
    info = CallerInfo(
        "010-5000-0002", "01050000002", "010-****-0002", None, 7, (("2026-NTS126-12", frozenset({"NTS126"})),)
    )
    switchboard, pool, store, _ = board(info)
    incoming(switchboard, "ACRC110", "110")
    event(switchboard, "PlaybackDone", playback_id=pool.last_play())  # notice
    event(switchboard, "DtmfReceived", digit="1")  # at 110, "1" is not 이전 상담 이어서 하기
    hang_up(switchboard)
    (contact,) = store.recorded
    assert contact.case_number is None
