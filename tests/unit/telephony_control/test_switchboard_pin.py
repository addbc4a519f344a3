"""The switchboard and the caller's PIN, with an in-memory pool, store and desk: trust comes from the edge's
header only, the PIN is checked for the number's one citizen, its digits are never traced, and a right PIN
travels with the queued call to the agent's contact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from crm.door.calls import CallerInfo
from telephony.control.desk import Caller
from telephony.ivr.actions import PinRequest
from tests.unit.telephony_control.test_switchboard import FakeStore, board, event, hang_up, incoming

PIN_OWNER = CallerInfo("010-5000-0002", "01050000002", "010-****-0002", None, 7, has_pin=True)


@dataclass
class PinStore(FakeStore):
    checked: list[tuple[int, PinRequest]] = field(default_factory=list)

    def pin(self, citizen_id: int, request: PinRequest, now: dt.datetime) -> str:
        self.checked.append((citizen_id, request))
        return "verified" if request.current == "3579" else "wrong"


@dataclass
class FakeDesk:
    queued: list[Caller] = field(default_factory=list)

    def on_transfer_to_menu(self, handler: Any) -> None: ...
    def waits(self, center: str) -> dict[str, Any]:
        return {}

    def enqueue(self, caller: Caller, skill: str, priority: int) -> None:
        self.queued.append(caller)

    def playback_done(self, call_ref: str, playback_id: str) -> bool:
        return False

    def caller_gone(self, call_ref: str, cause: int | None, worker_lost: bool) -> bool:
        return False


def pin_board() -> tuple[Any, Any, PinStore, FakeDesk]:
    switchboard, pool, _, _clock = board(PIN_OWNER)
    store, desk = PinStore(PIN_OWNER), FakeDesk()
    switchboard.store = store  # type: ignore[assignment]
    switchboard.desk = desk  # type: ignore[assignment]
    return switchboard, pool, store, desk


def keys(switchboard: Any, pool: Any, text: str) -> None:
    for key in text:
        event(switchboard, "DtmfReceived", digit=key)


def heard(switchboard: Any, pool: Any) -> None:
    """The prompt now playing ends (the queue's announcement before the call is queued)."""
    event(switchboard, "PlaybackDone", playback_id=pool.last_play())


def test_a_right_pin_goes_with_the_queued_call_and_its_digits_are_not_traced() -> None:
    switchboard, pool, store, desk = pin_board()
    incoming(switchboard, "NTS126", "126", trusted=False)
    event(switchboard, "PlaybackDone", playback_id=pool.last_play())  # the notice
    keys(switchboard, pool, "0")  # 상담원 연결: the PIN first
    keys(switchboard, pool, "3579#")
    heard(switchboard, pool)
    assert [(cid, r.current) for cid, r in store.checked] == [(7, "3579")]
    (caller,) = desk.queued
    assert caller.pin_verified_citizen == 7 and caller.citizen_id == 7
    call = switchboard.calls["w1.1"]
    assert call.traces[0].keys == ["0", "*", "*", "*", "*", "*"] and call.traces[0].pins == ["verified"]


def test_a_wrong_pin_queues_the_call_unverified() -> None:
    switchboard, pool, store, desk = pin_board()
    incoming(switchboard, "NTS126", "126", trusted=False)
    event(switchboard, "PlaybackDone", playback_id=pool.last_play())
    keys(switchboard, pool, "0")
    keys(switchboard, pool, "1111#")
    keys(switchboard, pool, "2222#")
    heard(switchboard, pool)  # 비밀번호가 맞지 않습니다
    heard(switchboard, pool)  # the queue's announcement
    (caller,) = desk.queued
    assert caller.pin_verified_citizen is None and len(store.checked) == 2


def test_only_the_edges_header_makes_a_number_trusted() -> None:
    switchboard, _pool, _store, _ = pin_board()
    incoming(switchboard, "NTS126", "126", trusted=False)
    assert not switchboard.calls["w1.1"].trusted
    hang_up(switchboard)
    incoming(switchboard, "NTS126", "126", ref="w1.2")
    assert switchboard.calls["w1.2"].trusted


def test_a_caller_of_a_number_with_several_citizens_is_never_asked() -> None:
    shared = CallerInfo("010-5000-0002", "01050000002", "010-****-0002", None, None, has_pin=False)
    switchboard, pool, _, _ = board(shared)
    desk = FakeDesk()
    switchboard.desk = desk  # type: ignore[assignment]
    incoming(switchboard, "NTS126", "126", trusted=False)
    event(switchboard, "PlaybackDone", playback_id=pool.last_play())
    keys(switchboard, pool, "0")
    heard(switchboard, pool)
    (caller,) = desk.queued
    assert caller.pin_verified_citizen is None
