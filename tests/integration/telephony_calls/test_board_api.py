"""``GET /api/v1/telephony/board`` over real HTTP: the board fed by CTI events, read by supervisors (their center),
admins (any center, or all) and nobody else; without telephony it answers 503."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.calls.model import CallKind, FinishedCall
from sori.wiring import System
from telephony.board import Board
from telephony.board.calls import finished_data
from telephony.cti.bus import CtiKind
from tests.conftest import PASSWORD
from tests.support.api import RunningApi

pytestmark = pytest.mark.integration
BOARD = "/api/v1/telephony/board"


def test_supervisors_read_their_centers_board_and_admins_any(system: System, api: RunningApi) -> None:
    sup = api.client().login("sup", PASSWORD)  # ACRC110
    assert sup.get(BOARD).status_code == 503, "no telephony, no board"
    board = Board(system.clock, [("ACRC110", "general"), ("NTS126", "general")])
    system.cti.subscribe(board.apply)
    system.desk.board = board
    now = system.clock()
    system.cti.publish(CtiKind.AGENT_STATE_CHANGED, "ACRC110", None, 1, previous="logged-out", state="not-ready",
                       reason="login")  # fmt: skip
    system.cti.publish(CtiKind.QUEUE_CHANGED, "ACRC110", None, None, skill="general", waiting=3, longest_wait_s=40.5)
    call = FinishedCall("w1.1#1", CallKind.INBOUND, "ACRC110", "general", now - dt.timedelta(seconds=90),
                        abandoned_at=now - dt.timedelta(seconds=60))  # fmt: skip
    system.cti.publish(CtiKind.CALL_FINISHED, "ACRC110", None, None, **finished_data(call))
    system.clock.advance(seconds=10)  # type: ignore[attr-defined]
    reply = sup.get(BOARD)
    assert reply.status_code == 200, reply.text
    (center,) = reply.json()["centers"]
    assert (center["center"], center["waiting"], center["longest_wait_s"]) == ("ACRC110", 3, 50.5)
    assert (center["today"]["offered"], center["today"]["abandoned"], center["today"]["abandoned_wait_s"]) == (1, 1, 30)
    assert [(a["agent_id"], a["state"], a["reason"], a["in_state_s"]) for a in center["agents"]] == [
        (1, "not-ready", "login", 10.0)
    ]
    other = sup.get(BOARD, params={"center": "NTS126"})
    assert (other.status_code, other.json()["error"]) == (403, "other-center")
    root = api.client().login("root", PASSWORD)
    every = root.get(BOARD).json()["centers"]
    assert [c["center"] for c in every] == ["ACRC110", "NTS126"]
    assert root.get(BOARD, params={"center": "NTS126"}).json()["centers"][0]["waiting"] == 0
    kim = api.client().login("kim", PASSWORD)
    assert kim.get(BOARD).status_code == 403, "agents read their own state, not the board"
