"""The screen-pop while the agent's phone rings (``GET /api/v1/agents/me/offer``), with the desk of ``sori up``
and the real case store behind it over real HTTP. No media workers: the desk's media pool is the in-memory one
of the desk's unit tests (it records the legs the desk dials; a phone answers when the test reports its leg
confirmed, as the worker would); tests/e2e/test_console_calls.py rings real phones.

While kim's phone rings: the caller masked, kim's own center's history in full, another center's as summaries
(no words), access-logged as serving; nothing for anyone else, and nothing once nothing rings."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from sori.wiring import System
from telephony.control.desk import Caller, Desk
from tests.conftest import PASSWORD
from tests.support import reactor as rt
from tests.support.api import RunningApi
from tests.support.contacts import served_before
from tests.unit.telephony_control.test_desk import FakeMedia

pytestmark = pytest.mark.integration
PHONE = "010-3456-7890"
OFFER = "/api/v1/agents/me/offer"


def test_the_caller_pops_while_the_phone_rings_with_other_centers_as_summaries(
    desk: Desk, api: RunningApi, system: System
) -> None:
    history = served_before(api, "choi", PHONE, "900101-1234567", "종합소득세 체납 문의", "분납 안내함")
    media = FakeMedia()
    rt.call(setattr, desk, "media", media)
    kim, lee = api.client().login("kim", PASSWORD), api.client().login("lee", PASSWORD)
    assert kim.get(OFFER).json() == {"ringing": False, "call_id": None, "center": None, "queue": None,
                                     "caller": None, "case_number": None, "citizen": None,
                                     "continuable_cases": [], "timeline": []}  # fmt: skip
    put = kim.session.put(api.base + "/api/v1/telephony/agents/me/state", json={"state": "ready"},
                          headers=kim._headers(None), timeout=10)  # fmt: skip
    assert put.status_code == 200, put.text
    caller = Caller("w1", "w1.1", "t-offer@edge", "ACRC110", "01034567890", history.citizen_id, True,
                    phone_masked="010-****-7890")  # fmt: skip
    rt.call(desk.enqueue, caller, "general")
    assert media.of("Dial")[-1]["target_uri"].startswith("sip:kim@")  # ringing at kim's phone
    with system.engine.connect() as conn:
        before = conn.execute(text("SELECT count(*) FROM access_log")).scalar_one()
    pop = kim.get(OFFER)
    assert pop.status_code == 200, pop.text
    body = pop.json()
    assert body["ringing"] and body["call_id"] == "t-offer@edge" and body["caller"] == "010-****-7890"
    assert body["citizen"]["id"] == history.citizen_id and body["citizen"]["identity_verified"] is False
    nts = [i for i in body["timeline"] if i["center_code"] == "NTS126"]
    assert nts and all(i["detail"] == "summary" and not i["text"] for i in nts)
    assert "분납" not in pop.text and "종합소득세" not in pop.text
    with system.engine.connect() as conn:
        logged = conn.execute(text("SELECT purpose, via FROM access_log ORDER BY id")).all()[before:]
    assert ("serving", f"GET {OFFER}") in [tuple(r) for r in logged]
    assert lee.get(OFFER).json()["ringing"] is False  # not lee's phone: nothing of the caller
    dial = media.of("Dial")[-1]
    assert rt.call(desk.leg_state, dial["call_ref"], "confirmed", 200, None)  # kim answers
    assert kim.get(OFFER).json()["ringing"] is False  # the contact's own pop takes over
