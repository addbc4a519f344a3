"""The desk's decisions with an in-memory media pool and case store and a fake clock: which legs it dials,
bridges and hangs up as the ACD decides, and what it refuses. (The same paths over real SIP, pjsua2 and
softphones are in tests/e2e/test_agent_calls.py; here the timing rules can be checked exactly.)"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from twisted.internet import defer, task

from crm.door.calls import AgentRecord, Answered, AnsweredCall, Ended
from kernel.calendar import WorkCalendar
from kernel.centers import Center
from kernel.errors import ValidationFailed
from telephony.acd import Acd, QueueConfig, QueueKey
from telephony.control.desk import Caller, Desk, DeskSettings, NoMediaCapacity, NotOnCall
from telephony.media import protocol as media

NOW = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)  # Tuesday 11:00 in Seoul
CENTERS = [
    Center("ACRC110", "정부민원안내콜센터", "국민권익위원회", "110", hours="24/7"),
    Center("NTS126", "국세상담센터", "국세청", "126", hours="24/7"),
]
AGENTS = [
    AgentRecord(1, "kim", "ACRC110", {"general": 3}, "agent"),
    AgentRecord(2, "lee", "ACRC110", {"general": 2}, "agent"),
    AgentRecord(3, "choi", "NTS126", {"general": 3}, "agent"),
]


@dataclass
class FakeMedia:
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    free: int = 2

    def command(self, worker_id: str, command: type[Any], **arguments: Any) -> defer.Deferred[dict[str, Any]]:
        self.sent.append((command.__name__, arguments))
        return defer.succeed({"call_id": "out@worker"} if command is media.Dial else {})

    def worker_free_slots(self, worker_id: str) -> int:
        return self.free

    def worker_with_slots(self, slots: int) -> str | None:
        return "w1" if self.free >= slots else None

    def of(self, name: str) -> list[dict[str, Any]]:
        return [args for n, args in self.sent if n == name]


@dataclass
class FakeStore:
    answered_calls: list[dict[str, Any]] = field(default_factory=list)
    ended_calls: list[dict[str, Any]] = field(default_factory=list)

    def answered(self, agent: AgentRecord, now: dt.datetime, call: AnsweredCall) -> Answered:
        self.answered_calls.append({"agent": agent.login, **dataclasses.asdict(call)})
        return Answered(100 + len(self.answered_calls), call.case_number, call.citizen_id)

    def ended(self, agent: AgentRecord, now: dt.datetime, **kw: Any) -> Ended:
        self.ended_calls.append({"agent": agent.login, **kw})
        return Ended(kw["interaction_id"], None)


class World:
    def __init__(self, tmp: Path, announce_every_s: float = 45.0, auto_answer: bool = False) -> None:
        self.clock = task.Clock()
        self.media = FakeMedia()
        self.store = FakeStore()
        queues = [QueueConfig(QueueKey(c.code, "general"), overflow_after=None) for c in CENTERS]
        self.desk = Desk(
            Acd(CENTERS, queues, WorkCalendar()),
            self.store,  # type: ignore[arg-type]
            db=lambda f, *a, **kw: defer.maybeDeferred(f, *a, **kw),
            clock=lambda: NOW + dt.timedelta(seconds=self.clock.seconds()),
            scheduler=self.clock,  # type: ignore[arg-type]
            settings=DeskSettings(
                "127.0.0.1",
                5060,
                tmp,
                ring_timeout_s=10,
                announce_every_s=announce_every_s,
                external_destinations={"police": "tel:112", "pstn-line": "sip:01099998888@pstn.example"},
                auto_answer=auto_answer,
            ),
            prompts=lambda part: defer.succeed(tmp / "prompt.wav"),
            hold_music=lambda: defer.succeed(tmp / "music.wav"),
        )
        self.desk.media = self.media
        self.desk.start(AGENTS, [])

    def caller(self, ref: str = "w1.1", center: str = "ACRC110") -> Caller:
        caller = Caller("w1", ref, f"{ref}@sip", center, "01050000001", 7, notice_heard=True, case_number="C-1")
        self.desk.enqueue(caller, "general")
        return caller

    def dialled(self) -> list[str]:
        return [args["target_uri"] for args in self.media.of("Dial")]

    def leg(self, index: int = -1) -> str:
        return str(self.media.of("Dial")[index]["call_ref"])

    def answer(self, ref: str) -> None:
        assert self.desk.leg_state(ref, "confirmed", 200, None)

    def advance(self, seconds: float) -> None:
        for _ in range(int(seconds)):
            self.clock.advance(1)


def test_an_offer_rings_the_agents_phone_with_the_case_and_bridges_on_answer(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.desk.agent_state("kim", "ready")
    world.caller()
    assert world.dialled() == ["sip:kim@127.0.0.1:5060"]
    headers = world.media.of("Dial")[0]["headers"]
    assert headers["X-Sori-Case"] == "C-1" and headers["User-to-User"].endswith(
        ";encoding=hex;purpose=call-transfer;content=sori-case"
    )
    assert bytes.fromhex(headers["User-to-User"].split(";")[0]) == b"sori-case=C-1"
    world.answer(world.leg())
    assert world.media.of("Bridge") == [{"call_ref_a": "w1.1", "call_ref_b": world.leg()}]
    assert world.store.answered_calls[0]["agent"] == "kim" and world.store.answered_calls[0]["case_number"] == "C-1"
    assert world.desk.agent_view("kim")["call"]["interaction_id"] == 101


def test_agents_phones_are_asked_to_answer_by_themselves_only_when_configured(tmp_path: Path) -> None:
    plain = World(tmp_path)
    plain.desk.agent_state("kim", "ready")
    plain.caller()
    assert "Answer-Mode" not in plain.media.of("Dial")[0]["headers"]
    auto = World(tmp_path, auto_answer=True)
    auto.desk.agent_state("kim", "ready")
    auto.caller()
    headers = auto.media.of("Dial")[0]["headers"]
    assert headers["Answer-Mode"] == "Auto" and headers["Call-Info"] == "<sip:127.0.0.1:5060>;answer-after=0"
    assert headers["X-Sori-Case"] == "C-1"  # the case's headers stay


def test_an_unanswered_phone_gives_the_call_to_the_next_agent_and_the_first_one_a_break(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.desk.agent_state("kim", "ready")
    world.desk.agent_state("lee", "ready")
    world.caller()
    first = world.dialled()[0]
    world.advance(11)  # the ring timeout is 10 s
    assert len(world.dialled()) == 2 and world.dialled()[1] != first
    assert world.media.of("Hangup")[0]["call_ref"] == world.leg(0), "the first phone stops ringing"
    assert world.desk.agent_view(first.split(":")[1].split("@")[0])["state"] == "not-ready"


def test_a_busy_phone_declines_at_once(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.desk.agent_state("kim", "ready")
    world.caller()
    assert world.desk.leg_state(world.leg(), "disconnected", 486, None)
    assert world.desk.agent_view("kim")["state"] == "not-ready"


def test_a_caller_who_hangs_up_while_the_phone_rings_stops_it_and_counts_as_abandoned(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.desk.agent_state("kim", "ready")
    world.caller()
    world.advance(6)
    assert world.desk.caller_gone("w1.1", cause=16) is False, "never answered: the switchboard records it"
    assert world.media.of("Hangup")[-1]["call_ref"] == world.leg()
    assert world.desk.agent_view("kim")["state"] == "ready"
    assert world.desk.queues_view({"ACRC110"})[0]["abandoned"] == 1


def test_waiting_callers_hear_their_position_at_each_interval_then_the_music_again(tmp_path: Path) -> None:
    world = World(tmp_path, announce_every_s=30)
    world.desk.agent_state("kim", "ready")
    world.caller("w1.0")
    world.answer(world.leg())  # kim is busy: the next callers wait, with an expected wait
    world.caller("w1.1")
    world.caller("w1.2")
    world.advance(29)
    assert not [p for p in world.media.of("Play") if p["playback_id"].startswith("position-")]
    world.advance(2)
    positions = [p["playback_id"] for p in world.media.of("Play") if p["playback_id"].startswith("position-")]
    assert positions == ["position-w1.1", "position-w1.2"]
    music_before = len([p for p in world.media.of("Play") if p["playback_id"] == "hold-w1.2"])
    assert world.desk.playback_done("w1.2", "position-w1.2")
    assert len([p for p in world.media.of("Play") if p["playback_id"] == "hold-w1.2"]) == music_before + 1


def test_a_line_failure_is_a_drop_and_a_normal_hang_up_is_not(tmp_path: Path) -> None:
    for cause, disposition in ((41, "dropped"), (16, "answered"), (None, "answered")):
        world = World(tmp_path)
        world.desk.agent_state("kim", "ready")
        world.caller()
        world.answer(world.leg())
        assert world.desk.caller_gone("w1.1", cause=cause) is True
        ended = world.store.ended_calls[-1]
        assert (str(ended["disposition"]), ended["dropped"]) == (disposition, disposition == "dropped")
        assert world.media.of("Hangup")[-1]["call_ref"] == world.leg(), "the agent's phone hangs up too"


def test_hold_unbridges_and_plays_music_and_back(tmp_path: Path) -> None:
    world = World(tmp_path)
    world.desk.agent_state("kim", "ready")
    world.caller()
    world.answer(world.leg())
    assert world.desk.hold("kim", True)["held"] is True
    assert world.media.of("Unbridge")[-1] == {"call_ref_a": "w1.1", "call_ref_b": world.leg()}
    assert world.media.of("Play")[-1]["playback_id"] == "hold-w1.1"
    assert world.desk.hold("kim", False)["held"] is False
    assert len(world.media.of("Bridge")) == 2


def test_transfers_refuse_what_they_cannot_do(tmp_path: Path) -> None:
    world = World(tmp_path)
    with pytest.raises(NotOnCall):
        world.desk.transfer("kim", mode="blind", summary="요약", to_center="NTS126", to_queue="general")
    world.desk.agent_state("kim", "ready")
    world.caller()
    world.answer(world.leg())
    world.media.free = 0
    with pytest.raises(NoMediaCapacity):
        world.desk.transfer("kim", mode="warm", summary="요약", to_center="NTS126", to_queue="general")
    with pytest.raises(Exception, match="summary"):
        world.desk.transfer("kim", mode="blind", summary="  ", to_center="NTS126")
    with pytest.raises(Exception, match="blind"):
        world.desk.transfer("kim", mode="warm", summary="요약", to_external="police")
    with pytest.raises(ValidationFailed, match="no outside destination"):
        world.desk.transfer("kim", mode="blind", summary="요약", to_external="my-own-phone")


def test_an_outside_transfer_goes_only_to_a_configured_destination(tmp_path: Path) -> None:
    """Agents pick a named destination; the address comes from the configuration, never from the agent."""
    world = World(tmp_path)
    world.desk.agent_state("kim", "ready")
    world.caller()
    world.answer(world.leg())
    world.desk.transfer("kim", mode="blind", summary="경찰 신고 연결", to_external="police")
    assert world.media.of("Transfer")[-1]["target_uri"] == "tel:112"
