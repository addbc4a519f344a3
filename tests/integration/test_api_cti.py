"""``GET /api/v1/cti/events``: agents see their center's events, admins every center's; analysts none."""

from __future__ import annotations

import pytest

from telephony.cti.bus import CtiKind
from tests.conftest import PASSWORD
from tests.support.api import RunningApi

pytestmark = pytest.mark.integration


def test_cti_events_by_center_and_role(api: RunningApi) -> None:
    bus = api.system.cti
    bus.publish(CtiKind.CALL_OFFERED, "ACRC110", "a@edge", dialled="110")
    bus.publish(CtiKind.CALL_OFFERED, "NTS126", "b@edge", dialled="126")
    bus.publish(CtiKind.CALL_ENDED, "ACRC110", "a@edge", disposition="self-service-completed")
    kim = api.client().login("kim", PASSWORD)
    mine = kim.get("/api/v1/cti/events").json()
    assert [(e["kind"], e["call_id"]) for e in mine["events"]] == [("call-offered", "a@edge"), ("call-ended", "a@edge")]
    assert mine["last_seq"] == 3
    assert kim.get("/api/v1/cti/events", {"after": 1}).json()["events"][0]["seq"] == 3
    everything = api.client().login("root", PASSWORD).get("/api/v1/cti/events").json()["events"]
    assert [e["center"] for e in everything] == ["ACRC110", "NTS126", "ACRC110"]
    assert api.client().login("ana", PASSWORD).get("/api/v1/cti/events").status_code == 403
    assert kim.get("/api/v1/cti/events", {"after": "x"}).status_code == 422
