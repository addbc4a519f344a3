"""``POST /api/v1/interactions/{id}/pin-enrolment`` over real HTTP: refused before the caller hears anything
unless the agent's own open contact was verified with evidence and its call is connected to the agent.

The keypad part (prompts to the caller's leg, keys to the store only) is in
tests/unit/telephony_control/test_pin_enrolment.py; the store's rules in tests/integration/test_citizen_pin.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from twisted.internet import defer

from sori.wiring import System
from telephony.control.desk import Desk
from telephony.control.pin_enrolment import PinEnrolments
from tests.conftest import PASSWORD
from tests.support import reactor as rt
from tests.support.api import RunningApi
from tests.support.contacts import connect_call

pytestmark = pytest.mark.integration
PHONE = "010-3456-7890"
RRN = "900101-1234567"


@pytest.fixture
def api(system: System) -> Iterator[RunningApi]:
    running = RunningApi(system)
    yield running
    running.stop()


def test_enrolment_needs_evidence_on_the_agents_own_connected_call(api: RunningApi, desk: Desk) -> None:
    system = api.system
    system.desk.enrolments = PinEnrolments(lambda: None, lambda part: defer.fail(RuntimeError("none")), rt.reactor)  # type: ignore[arg-type,return-value]
    choi = api.client().login("choi", PASSWORD)
    iid = connect_call(system, "choi", PHONE)["interaction"]["id"]
    created = choi.post("/api/v1/citizens", {"interaction_id": iid, "name": "홍길동", "phones": [PHONE]})
    assert created.status_code == 201, created.text
    path = f"/api/v1/interactions/{iid}/pin-enrolment"

    unverified = choi.post(path)
    assert unverified.status_code == 403 and unverified.json()["error"] == "forbidden"
    lee = api.client().login("lee", PASSWORD)
    assert lee.post(path).status_code in (403, 404)  # another agent's contact
    verified = choi.post(f"/api/v1/interactions/{iid}/verify", {"method": "resident-number", "resident_number": RRN})
    assert verified.status_code == 422  # registered without a 주민등록번호: nothing to match
    second = connect_call(system, "choi", "010-2222-3333")["interaction"]["id"]
    body = {"interaction_id": second, "name": "김철수", "phones": ["010-2222-3333"], "resident_number": RRN}
    assert choi.post("/api/v1/citizens", body).status_code == 201
    ok = choi.post(f"/api/v1/interactions/{second}/verify", {"method": "resident-number", "resident_number": RRN})
    assert ok.status_code == 200, ok.text
    not_connected = choi.post(f"/api/v1/interactions/{second}/pin-enrolment")
    assert not_connected.status_code == 409 and not_connected.json()["error"] == "not-on-call"
    system.desk.desk = None  # telephony off
    off = choi.post(f"/api/v1/interactions/{second}/pin-enrolment")
    assert off.status_code == 503
