"""Transfers to a named agent, with the in-memory media pool and case store of ``test_desk.py``: warm rings that
agent's phone alone, blind offers the caller to them alone, a named agent who is not ready is refused (the caller
stays), and the case and summary go with the caller as in every transfer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from twisted.internet import defer

from kernel.errors import ValidationFailed
from telephony.acd import AgentNotAvailable, UnknownAgent
from tests.unit.telephony_control.test_desk import World
from tests.unit.telephony_control.test_desk_events import SUMMARY, PersonalStore, world


def _talking(tmp: Path, *ready: str) -> tuple[World, PersonalStore]:
    w, store, _ = world(tmp)
    for login in ("kim", *ready):
        w.desk.agent_state(login, "ready")
    w.caller("w1.1")  # kim is ready longest: the caller reaches kim
    assert w.dialled()[-1] == "sip:kim@127.0.0.1:5060"
    w.answer(w.leg())
    return w, store


def _result(d: defer.Deferred[dict[str, Any]]) -> dict[str, Any]:
    out: list[dict[str, Any]] = []
    d.addCallback(out.append)
    assert out, "the transfer answered at once (in-memory store)"
    return out[0]


def test_warm_to_a_named_agent_rings_only_that_agent_and_completes_with_the_case(tmp_path: Path) -> None:
    w, store = _talking(tmp_path, "lee", "choi")
    # lee is also ready in ACRC110 and idle longer than choi would be: the consult still goes to choi only
    view = _result(w.desk.transfer("kim", mode="warm", summary=SUMMARY, to_agent="choi"))
    assert view["consulting"] is not None and view["held"] is True
    assert w.dialled()[-1] == "sip:choi@127.0.0.1:5060"
    assert store.handoffs[-1] | {"summary": None} == {
        "interaction_id": 101, "to_center": "NTS126", "to_queue": None, "summary": None,
        "reason": "warm-transfer", "to_agent_id": 3,
    }  # fmt: skip
    assert w.desk.agent_view("lee")["state"] == "ready"
    w.answer(w.leg())
    w.desk.complete_transfer("kim")
    assert store.answered_calls[-1]["agent"] == "choi"
    assert w.desk.agent_view("choi")["call"]["case_number"] == "2026-ACRC110-000001"


def test_blind_to_a_named_agent_offers_the_caller_to_them_alone(tmp_path: Path) -> None:
    w, store = _talking(tmp_path, "lee")
    w.desk.agent_state("choi", "ready")
    result = _result(w.desk.transfer("kim", mode="blind", summary=SUMMARY, to_agent="lee"))
    assert result == {"case_number": "2026-ACRC110-000001", "handoff_id": 1, "mode": "blind"}
    assert w.dialled()[-1] == "sip:lee@127.0.0.1:5060", "same center, the named agent"
    assert store.handoffs[-1]["to_agent_id"] == 2 and store.handoffs[-1]["to_center"] == "ACRC110"
    assert w.desk.agent_view("kim")["state"] == "wrap-up" and w.desk.agent_view("choi")["state"] == "ready"
    w.answer(w.leg())
    assert store.answered_calls[-1]["agent"] == "lee"
    assert w.desk.agent_view("lee")["call"]["handoff_summary"] == SUMMARY


def test_a_named_agent_who_does_not_answer_leaves_the_caller_to_their_centers_queue(tmp_path: Path) -> None:
    w, _ = _talking(tmp_path, "lee")
    _result(w.desk.transfer("kim", mode="blind", summary=SUMMARY, to_agent="lee"))
    w.desk.agent_state("choi", "ready")
    w.advance(11)  # lee's phone rang out (10 s)
    assert w.desk.agent_view("lee")["state"] == "not-ready"
    assert w.desk.queues_view({"ACRC110"})[0]["waiting"] == 1, "the caller waits in ACRC110, not lost"


@pytest.mark.parametrize("mode", ["blind", "warm"])
def test_a_named_agent_who_is_not_ready_is_refused_and_the_caller_stays(tmp_path: Path, mode: str) -> None:
    w, store = _talking(tmp_path, "lee")
    w.desk.agent_state("lee", "not-ready", "meal")
    dialled = len(w.dialled())
    with pytest.raises(AgentNotAvailable) as refused:
        w.desk.transfer("kim", mode=mode, summary=SUMMARY, to_agent="lee")
    assert refused.value.code == "agent-not-available" and "대기" in str(refused.value)
    with pytest.raises(AgentNotAvailable):
        w.desk.transfer("kim", mode=mode, summary=SUMMARY, to_agent="choi")  # logged out
    assert store.handoffs == [] and len(w.dialled()) == dialled
    view = w.desk.agent_view("kim")
    assert view["state"] == "on-call" and view["call"]["held"] is False and view["call"]["consulting"] is None


def test_a_named_agent_must_be_another_agent_known_to_telephony_and_the_only_target(tmp_path: Path) -> None:
    w, _ = _talking(tmp_path, "lee")
    with pytest.raises(UnknownAgent):
        w.desk.transfer("kim", mode="blind", summary=SUMMARY, to_agent="nobody")
    with pytest.raises(ValidationFailed, match="another agent"):
        w.desk.transfer("kim", mode="blind", summary=SUMMARY, to_agent="kim")
    with pytest.raises(ValidationFailed, match="only to_agent"):
        w.desk.transfer("kim", mode="blind", summary=SUMMARY, to_agent="lee", to_center="NTS126")
