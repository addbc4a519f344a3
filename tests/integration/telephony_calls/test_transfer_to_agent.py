"""Transfers to a named agent through the desk's HTTP API, with the real case store behind the desk.

No media workers: the desk's media pool is the in-memory one of the desk's unit tests (it records the legs it
is asked to dial and bridge; a phone "answers" when the test reports its leg confirmed, as the worker would).
Everything an agent does goes over real HTTP; the hand-off is written by the real SQL unit of work."""

from __future__ import annotations

from typing import Any

import pytest

from crm.citizens.services import register_citizen
from kernel.actor import Actor
from sori.wiring import System
from telephony.control.desk import Caller, Desk
from tests.conftest import PASSWORD
from tests.support import reactor as rt
from tests.support.api import ApiClient, RunningApi
from tests.unit.telephony_control.test_desk import FakeMedia

pytestmark = pytest.mark.integration
ME = "/api/v1/telephony/agents/me"
TRANSFER = "/api/v1/telephony/calls/current/transfer"
SUMMARY = "여권 재발급 문의, 본인 확인 완료"


def _state(api: RunningApi, client: ApiClient, state: str, reason: str | None = None) -> None:
    body: dict[str, Any] = {"state": state} | ({"reason": reason} if reason else {})
    reply = client.session.put(api.base + f"{ME}/state", json=body, headers=client._headers(None), timeout=10)
    assert reply.status_code == 200, reply.text


def _answer(desk: Desk, media: FakeMedia, login: str) -> None:
    """The phone of ``login`` (the last leg dialled) answers."""
    dial = media.of("Dial")[-1]
    assert dial["target_uri"].startswith(f"sip:{login}@"), dial["target_uri"]
    assert rt.call(desk.leg_state, dial["call_ref"], "confirmed", 200, None)


def test_blind_then_warm_transfer_to_named_agents_carry_the_case(desk: Desk, api: RunningApi, system: System) -> None:
    with system.uow() as uow:
        citizen = register_citizen(uow, Actor.system("test"), system.clock(), system.rrn_key, name="홍길동",
                                   phones=["010-5000-0009"])  # fmt: skip
        uow.commit()
        citizen_id = citizen.id
    media = FakeMedia()
    rt.call(setattr, desk, "media", media)
    kim, lee, choi = (api.client().login(login, PASSWORD) for login in ("kim", "lee", "choi"))
    _state(api, kim, "ready")
    caller = Caller("w1", "w1.1", "t-agent-transfer@edge", "ACRC110", "01050000009", citizen_id, True)
    rt.call(desk.enqueue, caller, "general")
    _answer(desk, media, "kim")
    _state(api, lee, "not-ready", "meal")

    refused = kim.post(TRANSFER, {"mode": "blind", "summary": SUMMARY, "to_agent": "lee"})
    assert (refused.status_code, refused.json()["error"]) == (409, "agent-not-available"), refused.text
    assert "대기" in refused.json()["message"]
    mine = kim.get(ME).json()
    assert mine["state"] == "on-call" and mine["call"]["held"] is False, "the caller stays with kim"
    unknown = kim.post(TRANSFER, {"mode": "blind", "summary": SUMMARY, "to_agent": "nobody"})
    assert unknown.status_code == 404, unknown.text

    _state(api, lee, "ready")
    blind = kim.post(TRANSFER, {"mode": "blind", "summary": SUMMARY, "to_agent": "lee"})
    assert blind.status_code == 200, blind.text
    number = blind.json()["case_number"]
    assert number and kim.get(ME).json()["state"] == "wrap-up"
    _answer(desk, media, "lee")
    call = lee.get(ME).json()["call"]
    assert (call["case_number"], call["handoff_summary"]) == (number, SUMMARY)
    with system.uow(readonly=True) as uow:
        ids = {a.login: a.id for a in uow.agents.list()}
    detail = lee.get(f"/api/v1/cases/{number}").json()
    handoff = detail["handoffs"][-1]
    assert (handoff["to_center"], handoff["to_agent_id"], handoff["summary"]) == ("ACRC110", ids["lee"], SUMMARY)
    assert detail["case"]["owner_agent_id"] == ids["lee"], "the case follows the caller to the named agent"

    _state(api, choi, "ready")
    warm = lee.post(TRANSFER, {"mode": "warm", "summary": "세무 상담 필요", "to_agent": "choi"})
    assert warm.status_code == 202, warm.text
    assert warm.json()["case_number"] == number and warm.json()["call"]["consulting"] is not None
    _answer(desk, media, "choi")
    done = lee.post(TRANSFER + "/complete")
    assert done.status_code == 200, done.text
    taken = choi.get(ME).json()
    assert taken["state"] == "on-call" and taken["call"]["case_number"] == number
