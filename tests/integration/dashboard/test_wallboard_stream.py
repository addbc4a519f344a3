"""The wallboard's push stream and the supervisors' actions over real HTTP (``sori up``'s service tree with the
desk of ``sori up`` and its board): who may subscribe to which scope, snapshots arriving after CTI events, the
actions with their audit rows and scope refusals, and a Dash callback forged by hand for another center."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import requests
from sqlalchemy import select

from crm.store.tables import supervisor_actions
from kernel.calendar import SEOUL
from sori.wiring import System
from telephony.control.desk import Desk
from telephony.cti.bus import CtiKind
from tests.conftest import PASSWORD
from tests.support.api import ApiClient, RunningApi
from tests.support.dashboard_login import post_login
from tests.support.sse import SseClient, SseEvent
from tests.support.supervisor_fakes import call
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration
STREAM = "/dashboard/wallboard-stream?scope="
UPDATE = "/dashboard/wallboard/_dash-update-component"
SUP = "/api/v1/telephony/supervisor"


@pytest.fixture
def running(system: System, clock: FakeClock, desk: Desk) -> Iterator[RunningApi]:
    clock.now = dt.datetime.now(dt.UTC)  # session cookies expire by the real clock
    api = RunningApi(system)
    try:
        yield api
    finally:
        api.stop()


def put(client: ApiClient, path: str, json: Any) -> requests.Response:
    return client.session.put(client.base + path, json=json, headers=client._headers(None), timeout=30)


def cookie(base: str, login: str) -> str:
    client = requests.Session()
    reply = post_login(client, base, {"login": login, "password": PASSWORD}, allow_redirects=False)
    assert reply.status_code == 302, reply.text
    return str(client.cookies.get("sori_dashboard"))


def stream(base: str, scope: str, token: str | None) -> SseClient:
    port = int(base.rsplit(":", 1)[1])
    headers = {"Cookie": f"sori_dashboard={token}"} if token else {}
    return SseClient(port, STREAM + quote(scope), headers)


def snapshot_where(client: SseClient, check: Any, timeout: float = 2.0) -> SseEvent:
    """The first snapshot that passes ``check`` within ``timeout`` seconds (the 2-second promise)."""
    deadline = dt.datetime.now() + dt.timedelta(seconds=timeout)
    while True:
        left = (deadline - dt.datetime.now()).total_seconds()
        assert left > 0, "no matching snapshot in time"
        event = client.next(timeout=left)
        if event.type == "snapshot" and check(event.json()):
            return event


def test_a_supervisor_subscribes_to_their_center_only_and_sees_events(running: RunningApi, system: System) -> None:
    sup = cookie(running.base, "sup")  # ACRC110
    other = stream(running.base, "center:NTS126", sup)
    assert other.status == 403
    assert "NTS126" in other.buffer.decode() or other.status == 403
    assert stream(running.base, "all", sup).status == 403
    assert stream(running.base, "center:ACRC110", None).status == 401
    assert stream(running.base, "center:ACRC110", cookie(running.base, "kim")).status == 403  # an agent
    mine = stream(running.base, "center:ACRC110", sup)
    assert mine.status == 200 and mine.headers["content-type"].startswith("text/event-stream")
    first = mine.next()
    assert first.type == "snapshot" and first.json()["scope"] == "center:ACRC110"
    assert first.id is not None and "." in first.id  # {epoch}.{seq}
    system.cti.publish(CtiKind.QUEUE_CHANGED, "ACRC110", None, None, skill="general", waiting=3, longest_wait_s=75.0)
    seen = snapshot_where(mine, lambda s: s["totals"]["waiting"] == 3).json()
    assert any(a["kind"] == "wait" for a in seen["alerts"]), "75 s > the 60 s wait limit"
    system.cti.publish(CtiKind.QUEUE_CHANGED, "NTS126", None, None, skill="general", waiting=5, longest_wait_s=1.0)
    system.cti.publish(CtiKind.QUEUE_CHANGED, "ACRC110", None, None, skill="general", waiting=0, longest_wait_s=0)
    quiet = snapshot_where(mine, lambda s: s["totals"]["waiting"] == 0).json()
    assert quiet["centers"] == ["ACRC110"]  # another center's queue never shows
    mine.close()


def test_an_admin_subscribes_to_any_center_an_institution_or_all(running: RunningApi, system: System) -> None:
    root = cookie(running.base, "root")
    with system.uow(readonly=True) as uow:
        institution = next(c.institution for c in uow.centers.list() if c.code == "NTS126")
    for scope in ("center:NTS126", "all", f"institution:{institution}"):
        client = stream(running.base, scope, root)
        assert client.status == 200, scope
        snap = client.next().json()
        assert snap["scope"] == scope
        client.close()
    assert stream(running.base, "center:NOPE999", root).status == 404
    assert stream(running.base, "everything", root).status == 400


def test_supervisor_actions_are_audited_and_scoped(running: RunningApi, system: System, desk: Desk) -> None:
    sup = running.client().login("sup", PASSWORD)
    watch = stream(running.base, "center:ACRC110", cookie(running.base, "sup"))
    watch.next()
    reply = put(sup, f"{SUP}/agents/kim/state", json={"state": "ready", "reason": "업무 시작"})
    assert reply.status_code == 200, reply.text
    snap = snapshot_where(watch, lambda s: any(a["login"] == "kim" and a["state"] == "ready" for a in s["agents"]))
    assert next(a for a in snap.json()["agents"] if a["login"] == "kim")["state_text"] == "대기"
    refused = put(sup, f"{SUP}/agents/choi/state", json={"state": "ready", "reason": "x"})  # NTS126
    assert (refused.status_code, refused.json()["error"]) == (403, "other-center")
    assert "NTS126" in refused.json()["message"]
    unknown = put(sup, f"{SUP}/agents/kim/skills", json={"skills": {"general": 1, "tax": 2}})  # NTS126's queue
    assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown-queue"), unknown.text
    assert "tax" in unknown.json()["message"] and desk.agents["kim"].skills.get("tax") is None
    moved = put(sup, f"{SUP}/agents/kim/skills", json={"skills": {"general": 1, "sinmungo": 2}})
    assert moved.status_code == 200, moved.text
    assert desk.agents["kim"].skills == {"general": 1, "sinmungo": 2}
    with system.uow(readonly=True) as uow:
        kept = uow.agents.by_login("kim")
        assert kept is not None and kept.skills == {"general": 1, "sinmungo": 2}, "kept on the account"
    sent = sup.post(f"{SUP}/agents/kim/messages", json={"text": "10분 뒤 회의합니다"})
    assert sent.status_code == 202, sent.text
    kim = running.client().login("kim", PASSWORD)
    messages = kim.get("/api/v1/telephony/agents/me/messages").json()["messages"]
    assert [(m["from_login"], m["text"]) for m in messages] == [("sup", "10분 뒤 회의합니다")]
    assert any(e.kind is CtiKind.SUPERVISOR_MESSAGE for e in system.cti.since(0)[0])
    assert put(kim, f"{SUP}/agents/lee/state", json={"state": "ready", "reason": "x"}).status_code == 403
    with system.uow(readonly=True) as uow:
        assert uow.session is not None
        rows = uow.session.execute(select(supervisor_actions.c.action, supervisor_actions.c.actor_login,
                                          supervisor_actions.c.target_login)).all()  # fmt: skip
    assert sorted(tuple(r) for r in rows) == [("agent-skills", "sup", "kim"), ("agent-state", "sup", "kim"),
                                              ("message", "sup", "kim")]  # fmt: skip
    watch.close()


def test_a_callback_for_an_abandoned_caller(running: RunningApi, system: System) -> None:
    now = system.clock()
    with system.uow() as uow:
        mine = uow.call_log.save_call(call("ACRC110", now - dt.timedelta(minutes=5), wait=40, abandoned=True,
                                           call_id="ab1"), "01012345678")  # fmt: skip
        theirs = uow.call_log.save_call(call("NTS126", now - dt.timedelta(minutes=5), wait=40, abandoned=True,
                                             call_id="ab2"), "01099998888")  # fmt: skip
        uow.commit()
    ids = {}
    with system.uow(readonly=True) as uow:
        assert uow.session is not None
        from crm.store.tables import call_records

        for row in uow.session.execute(select(call_records.c.id, call_records.c.call_id)):
            ids[row.call_id] = row.id
    assert mine is not None and theirs is not None
    sup = running.client().login("sup", PASSWORD)
    started = sup.post(f"{SUP}/callbacks", json={"call_record_id": ids["ab1"]})
    assert started.status_code == 202, started.text
    again = sup.post(f"{SUP}/callbacks", json={"call_record_id": ids["ab1"]})
    assert (again.status_code, again.json()["error"]) == (409, "callback-already-requested")
    other = sup.post(f"{SUP}/callbacks", json={"call_record_id": ids["ab2"]})
    assert (other.status_code, other.json()["error"]) == (403, "other-center")
    # the page's list shows today's abandoned calls with the number masked, the first one already requested
    client = requests.Session()
    post_login(client, running.base, {"login": "sup", "password": PASSWORD})
    body = {"output": "wb-abandoned.children", "outputs": {"id": "wb-abandoned", "property": "children"},
            "inputs": [{"id": "wb-abandon-count", "property": "data", "value": 1},
                       {"id": "wb-action-result", "property": "children", "value": None}],
            "changedPropIds": ["wb-abandon-count.data"],
            "state": [{"id": "wb-url", "property": "pathname", "value": "/dashboard/wallboard/ACRC110"}]}  # fmt: skip
    answer = client.post(running.base + UPDATE, json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    text = json.dumps(answer.json(), ensure_ascii=False)
    assert "010-****-5678" in text and "01012345678" not in text and "9999" not in text
    assert "콜백 요청됨" in text
    assert now.astimezone(SEOUL).date()  # the list is today's


def render_body(path: str, snapshot: dict[str, Any] | None) -> dict[str, Any]:
    return {"output": "..wb-body.children...wb-abandon-count.data..",
            "outputs": [{"id": "wb-body", "property": "children"}, {"id": "wb-abandon-count", "property": "data"}],
            "inputs": [{"id": "wb-snapshot", "property": "data", "value": snapshot}],
            "changedPropIds": ["wb-snapshot.data"],
            "state": [{"id": "wb-url", "property": "pathname", "value": path},
                      {"id": "wb-abandon-count", "property": "data", "value": None}]}  # fmt: skip


def test_a_forged_dash_callback_for_another_center_is_refused(running: RunningApi) -> None:
    client = requests.Session()
    post_login(client, running.base, {"login": "sup", "password": PASSWORD})
    watch = stream(running.base, "center:ACRC110", str(client.cookies.get("sori_dashboard")))
    snap = watch.next().json()
    watch.close()
    mine = client.post(running.base + UPDATE, json=render_body("/dashboard/wallboard/ACRC110", snap), timeout=30)
    assert mine.status_code == 200, mine.text
    assert '"data-testid":"kpi-waiting"' in mine.text
    forged = {**snap, "scope": "center:NTS126"}
    theirs = client.post(running.base + UPDATE, json=render_body("/dashboard/wallboard/NTS126", forged), timeout=30)
    assert theirs.status_code == 403
    assert client.post(running.base + UPDATE, json=render_body("/dashboard/wallboard/all", None),
                       timeout=30).status_code == 403  # fmt: skip
    page = client.get(running.base + "/dashboard/wallboard/ACRC110", timeout=30)
    assert page.status_code == 200 and "wallboard.js" in page.text
