"""The desk's HTTP routes over real HTTP, with a real ACD behind them (no media workers: no calls here).

Agents log in to the ACD, take breaks, log out; supervisors see agents and queues; every bad request is
refused with its reason, and without telephony the routes say so (503)."""

from __future__ import annotations

import pytest

from telephony.control.desk import Desk
from tests.conftest import PASSWORD
from tests.support.api import RunningApi

pytestmark = pytest.mark.integration
STATE = "/api/v1/telephony/agents/me/state"


def test_without_telephony_the_routes_answer_503(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    reply = kim.get("/api/v1/telephony/agents/me")
    assert reply.status_code == 503 and reply.json()["error"] == "telephony-unavailable"


def test_agents_log_in_take_breaks_and_log_out(desk: Desk, api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    assert kim.get("/api/v1/telephony/agents/me").json()["state"] == "logged-out"
    ready = kim.session.put(api.base + STATE, json={"state": "ready"}, headers=kim._headers(None), timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json() | {"wrapup_until": None} == {"login": "kim", "center": "ACRC110", "state": "ready",
                                                    "reason": None, "wrapup_until": None, "after_call_mode": "timed",
                                                    "call": None}  # fmt: skip
    meal = kim.session.put(api.base + STATE, json={"state": "not-ready", "reason": "meal"}, headers=kim._headers(None))
    assert (meal.json()["state"], meal.json()["reason"]) == ("not-ready", "meal")
    events = kim.get("/api/v1/cti/events").json()["events"]
    changes = [(e["data"]["previous"], e["data"]["state"]) for e in events if e["kind"] == "agent-state-changed"]
    assert changes == [("logged-out", "not-ready"), ("not-ready", "ready"), ("ready", "not-ready")]
    sup = api.client().login("sup", PASSWORD)
    agents = sup.get("/api/v1/telephony/agents").json()["agents"]
    assert [(a["login"], a["state"]) for a in agents] == [("kim", "not-ready")]
    queues = {(q["center"], q["skill"]): q for q in sup.get("/api/v1/telephony/queues").json()["queues"]}
    assert ("ACRC110", "general") in queues and ("NTS126", "general") not in queues, "a supervisor sees their center"
    assert queues[("ACRC110", "general")]["waiting"] == 0
    out = kim.session.put(api.base + STATE, json={"state": "logged-out"}, headers=kim._headers(None))
    assert out.json()["state"] == "logged-out"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("PUT", STATE, {"state": "dancing"}, 422, "validation-failed"),
        ("PUT", STATE, {"state": "ready", "extra": 1}, 422, "validation-failed"),
        ("PUT", STATE, {"state": "not-ready", "reason": ""}, 422, "validation-failed"),
        ("POST", "/api/v1/telephony/calls/current/hold", {"on": True}, 409, "not-on-call"),
        ("POST", "/api/v1/telephony/calls/current/hangup", None, 409, "not-on-call"),
        ("POST", "/api/v1/telephony/calls/current/transfer",
         {"mode": "blind", "summary": "요약", "to_center": "NTS126"}, 409, "not-on-call"),
        ("POST", "/api/v1/telephony/calls/current/transfer", {"mode": "sideways", "summary": "요약"}, 422,
         "validation-failed"),
        ("POST", "/api/v1/telephony/calls/current/transfer/complete", None, 409, "not-on-call"),
        ("POST", "/api/v1/telephony/calls/current/transfer/cancel", None, 409, "not-on-call"),
    ],
)  # fmt: skip
def test_bad_requests_are_refused_with_their_reason(
    desk: Desk, api: RunningApi, method: str, path: str, body: object, status: int, code: str
) -> None:
    kim = api.client().login("kim", PASSWORD)
    reply = kim.session.request(method, api.base + path, json=body, headers=kim._headers(None), timeout=10)
    assert (reply.status_code, reply.json()["error"]) == (status, code), reply.text


def test_roles_that_take_no_calls_are_refused(desk: Desk, api: RunningApi) -> None:
    analyst = api.client().login("ana", PASSWORD)
    reply = analyst.session.put(api.base + STATE, json={"state": "ready"}, headers=analyst._headers(None))
    assert reply.status_code == 403
    kim = api.client().login("kim", PASSWORD)
    assert kim.get("/api/v1/telephony/agents").status_code == 403, "agents do not see other agents' states"
