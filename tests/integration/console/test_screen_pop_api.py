"""The console's screen-pop route (``GET /api/v1/interactions/{id}/screen-pop``) over real HTTP on SQLite and
PostgreSQL: the scope is the access rules' (another center's contacts and cases as summaries until the caller
is verified with evidence, full after), each read is access-logged, and nobody else's contact pops."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from crm.store import tables
from sori.wiring import System
from tests.conftest import PASSWORD
from tests.support.api import RunningApi
from tests.support.contacts import connect_call, served_before

pytestmark = pytest.mark.integration
PHONE = "010-3456-7890"
RRN = "900101-1234567"


@pytest.fixture
def api(system: System) -> Iterator[RunningApi]:
    running = RunningApi(system)
    yield running
    running.stop()


def nts_history(api: RunningApi) -> dict[str, Any]:
    """choi (NTS126) served the caller: a registered citizen, a case with a summary and a note."""
    found = served_before(api, "choi", PHONE, RRN, "종합소득세 체납 문의", "분납 안내함")
    return {"citizen_id": found.citizen_id, "number": found.case_number, "iid": found.interaction_id}


def access_rows(system: System) -> int:
    with system.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(tables.access_log)).scalar_one())


def test_the_screen_pop_shows_other_centers_as_summaries_until_verified_then_in_full(api: RunningApi) -> None:
    history = nts_history(api)
    lee = api.client().login("lee", PASSWORD)
    call = connect_call(api.system, "lee", PHONE)
    iid = call["interaction"]["id"]
    before = access_rows(api.system)
    pop = lee.get(f"/api/v1/interactions/{iid}/screen-pop")
    assert pop.status_code == 200, pop.text
    body = pop.json()
    assert body["caller"] and "3456" not in body["caller"]  # masked
    assert body["citizen"]["id"] == history["citizen_id"]
    assert [c["number"] for c in body["continuable_cases"]] == [history["number"]]
    nts = [i for i in body["timeline"] if i["center_code"] == "NTS126"]
    assert nts and all(i["detail"] == "summary" for i in nts)
    assert not any(i.get("text") for i in nts)  # no words of another center before verification
    assert "분납" not in pop.text and "종합소득세" not in pop.text
    assert access_rows(api.system) > before  # the citizen and case reads are logged
    verified = lee.post(f"/api/v1/interactions/{iid}/verify", {"method": "resident-number", "resident_number": RRN})
    assert verified.status_code == 200, verified.text
    full = lee.get(f"/api/v1/interactions/{iid}/screen-pop").json()
    notes = [i for i in full["timeline"] if i["kind"] == "contact" and i["interaction_id"] == history["iid"]]
    assert notes and notes[0]["detail"] == "full" and notes[0]["text"] == "분납 안내함"
    assert full["citizen"]["identity_verified"] is True


def test_nobody_else_pops_an_agents_contact_and_a_new_caller_has_no_history(api: RunningApi) -> None:
    nts_history(api)
    kim = api.client().login("kim", PASSWORD)
    lee = api.client().login("lee", PASSWORD)
    iid = connect_call(api.system, "lee", PHONE)["interaction"]["id"]
    assert kim.get(f"/api/v1/interactions/{iid}/screen-pop").status_code == 403
    assert lee.get("/api/v1/interactions/999999/screen-pop").status_code == 404
    stranger = connect_call(api.system, "kim", "010-2222-3333")["interaction"]["id"]
    pop = kim.get(f"/api/v1/interactions/{stranger}/screen-pop").json()
    assert pop["citizen"]["name"] is None and pop["candidates"] == []  # a new record for a new number
    assert [i["interaction_id"] for i in pop["timeline"]] == [stranger]  # only this call: no one's history
