"""A complaint recorded without a citizen (an Open311 request from an app) joins a citizen's timeline only when an
agent of its center says it is the caller's of the contact they are serving, whose identity they verified with
evidence on it: never by matching a number or a name. ``POST /api/v1/complaints/{id}/complainant``."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from crm.store import tables
from tests.conftest import PASSWORD
from tests.support.api import ApiClient, RunningApi
from tests.support.contacts import connect_call

pytestmark = pytest.mark.integration
PHONE = "010-3456-7890"
RRN = "900101-1234567"


def record(client: ApiClient, sinmungo_id: str, **extra: Any) -> dict[str, Any]:
    body = {"sinmungo_id": sinmungo_id, "received_at": "2026-03-09T10:00:00+09:00", "title": "정류장 파손", **extra}
    response = client.post("/api/v1/complaints", body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def identify(client: ApiClient, complaint_id: int, interaction_id: int) -> Any:
    return client.post(f"/api/v1/complaints/{complaint_id}/complainant", {"interaction_id": interaction_id})


def verified_caller(api: RunningApi, login: str, phone: str, rrn: str) -> tuple[int, int]:
    """A call from ``phone`` reaches ``login``, who registers the caller stating their 주민등록번호 (the evidence);
    returns (interaction, citizen)."""
    agent = api.client().login(login, PASSWORD)
    iid = connect_call(api.system, login, phone)["interaction"]["id"]
    body = {"interaction_id": iid, "name": "홍길동", "phones": [phone], "resident_number": rrn}
    created = agent.post("/api/v1/citizens", body)
    assert created.status_code == 201, created.text
    assert agent.get(f"/api/v1/interactions/{iid}").json()["verified_method"] == "resident-number"
    return iid, created.json()["id"]


def test_a_verified_caller_becomes_the_complainant_and_the_complaint_joins_their_case(api: RunningApi) -> None:
    kim, lee, park, sup = (api.client().login(x, PASSWORD) for x in ("kim", "lee", "park", "sup"))
    complaint = record(kim, "O311-0001")
    assert (complaint["citizen_id"], complaint["case_number"]) == (None, None)
    path = f"/api/v1/complaints/{complaint['id']}/complainant"

    # An unverified contact: the number picked a citizen record, but nobody proved who is calling.
    unverified = connect_call(api.system, "lee", "010-5555-6666")["interaction"]
    assert unverified["citizen_id"] is not None
    assert lee.get(f"/api/v1/interactions/{unverified['id']}").json()["verified_method"] is None
    refused = identify(lee, complaint["id"], unverified["id"])
    assert refused.status_code == 403 and refused.json()["error"] == "identity-not-verified", refused.text
    assert kim.get(f"/api/v1/complaints/{complaint['id']}").json()["citizen_id"] is None

    iid, citizen_id = verified_caller(api, "kim", PHONE, RRN)
    opened = kim.post("/api/v1/cases", {"citizen_id": citizen_id, "summary": "정류장 파손 신고", "interaction_id": iid})
    assert opened.status_code == 201, opened.text
    number = opened.json()["number"]

    # Another center's agent: the complaint does not exist for them, whatever the contact.
    hidden = identify(park, complaint["id"], iid)
    assert hidden.status_code == 404 and hidden.json()["error"] == "complaint-not-found"
    # Another agent of the center cannot use kim's contact.
    assert identify(lee, complaint["id"], iid).status_code == 403
    assert kim.post(path, {}).status_code == 422 and kim.post(path, {"interaction_id": 0}).status_code == 422

    done = identify(kim, complaint["id"], iid)
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["citizen_id"], body["case_number"]) == (citizen_id, number)
    assert [(e["kind"], e["note"]) for e in body["events"]] == [("received", None), ("linked", number)]
    again = identify(kim, complaint["id"], iid)
    assert again.status_code == 200 and again.json() == body, "the same call twice: the same answer"

    case = kim.get(f"/api/v1/cases/{number}").json()
    assert [c["sinmungo_id"] for c in case["complaints"]] == ["O311-0001"]
    assert [e["kind"] for e in case["events"]].count("complaint-linked") == 1
    pop = kim.get(f"/api/v1/interactions/{iid}/screen-pop").json()
    assert [t["ref"] for t in pop["timeline"] if t["kind"] == "complaint"] == ["O311-0001"]
    log = sup.get("/api/v1/access-log", {"citizen_id": citizen_id, "agent": "kim"}).json()["entries"]
    served = [e for e in log if e["via"] == "POST /api/v1/complaints/{id}/complainant"]
    # the caller's record read on the contact ("serving"), then the complaint shown in the answer ("worklist")
    assert {e["purpose"] for e in served} == {"serving", "worklist"}

    # A complaint already another citizen's is not taken over by this caller.
    theirs = record(kim, "O311-0002", citizen_id=unverified["citizen_id"])
    taken = identify(kim, theirs["id"], iid)
    assert taken.status_code == 409 and taken.json()["error"] == "link-rejected"
    assert kim.get(f"/api/v1/complaints/{theirs['id']}").json()["citizen_id"] == unverified["citizen_id"]


def test_a_contact_without_a_case_sets_the_complainant_only(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    complaint = record(kim, "O311-0003")
    iid, citizen_id = verified_caller(api, "kim", "010-2468-1357", "850315-2345678")
    done = identify(kim, complaint["id"], iid)
    assert done.status_code == 200, done.text
    assert (done.json()["citizen_id"], done.json()["case_number"]) == (citizen_id, None)
    assert [(e["kind"], e["note"]) for e in done.json()["events"]][-1] == ("linked", "민원인 확인")
    # A contact with no citizen picked (a withheld number) identifies nobody.
    anonymous = connect_call(api.system, "kim", None)["interaction"]["id"]
    other = record(kim, "O311-0004")
    nobody = identify(kim, other["id"], anonymous)
    assert nobody.status_code == 409 and nobody.json()["error"] == "no-citizen-on-contact"


def test_an_older_attestation_only_check_is_no_evidence(api: RunningApi) -> None:
    """A contact marked verified by the agent's word alone (before evidence was required) identifies nobody."""
    kim = api.client().login("kim", PASSWORD)
    complaint = record(kim, "O311-0005")
    call = connect_call(api.system, "kim", "010-1212-3434")["interaction"]
    assert call["citizen_id"] is not None
    with api.system.engine.begin() as conn:
        conn.execute(update(tables.interactions).where(tables.interactions.c.id == call["id"])
                     .values(verified_at=api.system.clock(), verified_method="birth-date-and-name"))  # fmt: skip
    refused = identify(kim, complaint["id"], call["id"])
    assert refused.status_code == 403 and refused.json()["error"] == "identity-not-verified"
    assert kim.get(f"/api/v1/complaints/{complaint['id']}").json()["citizen_id"] is None
