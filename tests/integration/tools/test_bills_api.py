"""The bill tool through the agents' API (``/api/v1/interactions/{id}/tools/bills``), over real HTTP to the
reference ledger: nothing before the caller's identity is checked on the contact, then the citizen's notices,
one notice, and a resend that a double click sends once — each read of the citizen access-logged as serving and
each use recorded on the contact with no amount in its words."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from crm.store import tables
from integrations.bills.model import Status
from sori.wiring import System
from tests.conftest import PASSWORD
from tests.integration.tools.test_bills_contract import expected
from tests.support.api import ApiClient, RunningApi
from tests.support.contacts import connect_call

pytestmark = pytest.mark.integration
PHONE = "010-5000-0000"  # demo citizen 0 of the reference ledger: 카카오톡, 문자 and post on file
RRN = "900101-1234567"


def agent(api: RunningApi, login: str) -> ApiClient:
    return api.client().login(login, PASSWORD)


def uses(system: System) -> list[dict[str, Any]]:
    with system.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(select(tables.tool_uses).order_by(tables.tool_uses.c.id))]


def serving(api: RunningApi, login: str = "lee") -> tuple[ApiClient, int]:
    """``login`` registers the caller from PHONE (their 주민등록번호 stated), then takes a second call from the
    same number: the contact's citizen is known, their identity not yet checked on it."""
    client = agent(api, login)
    first = connect_call(api.system, login, PHONE)["interaction"]["id"]
    body = {"interaction_id": first, "name": "홍길동", "phones": [PHONE], "resident_number": RRN}
    created = client.post("/api/v1/citizens", body)
    assert created.status_code == 201, created.text
    second = connect_call(api.system, login, PHONE)["interaction"]
    assert second["citizen_id"] == created.json()["id"]
    return client, second["id"]


def tool(iid: int, rest: str = "") -> str:
    return f"/api/v1/interactions/{iid}/tools/bills/notices{rest}"


def logged(system: System, iid: int) -> list[dict[str, Any]]:
    with system.engine.connect() as conn:
        query = select(tables.access_log).where(tables.access_log.c.interaction_id == iid)
        return [dict(row._mapping) for row in conn.execute(query)]


def test_nothing_before_the_callers_identity_is_checked_and_only_on_ones_own_contact(api: RunningApi) -> None:
    lee, iid = serving(api)
    for refused in (lee.get(tool(iid)), lee.get(tool(iid, "/N-0000-01")),
                    lee.post(tool(iid, "/N-0000-01/resend"), {"channel": None})):  # fmt: skip
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"] == "identity-not-verified"
    hidden = connect_call(api.system, "lee", None)["interaction"]["id"]  # a withheld number: no citizen
    assert lee.get(tool(hidden)).json()["error"] == "no-citizen-on-contact"
    verified = lee.post(f"/api/v1/interactions/{iid}/verify", {"method": "resident-number", "resident_number": RRN})
    assert verified.status_code == 200, verified.text
    kim = agent(api, "kim")
    assert kim.get(tool(iid)).status_code == 403
    assert kim.post(tool(iid, "/N-0000-01/resend"), {}).status_code == 403
    assert uses(api.system) == [] and not any(r["purpose"] == "serving" and "bills" in r["via"]
                                              for r in logged(api.system, iid))  # fmt: skip


def test_notices_one_notice_and_a_resend_sent_once(api: RunningApi) -> None:
    lee, iid = serving(api)
    assert lee.post(f"/api/v1/interactions/{iid}/verify", {"method": "resident-number",
                                                           "resident_number": RRN}).status_code == 200  # fmt: skip
    truth = expected().notices(PHONE)
    listed = lee.get(tool(iid))
    assert listed.status_code == 200, listed.text
    assert [n["id"] for n in listed.json()["items"]] == [n.id for n in truth]
    overdue = lee.get(tool(iid), {"status": "overdue"}).json()["items"]
    assert overdue and [n["id"] for n in overdue] == [n.id for n in truth if n.status is Status.OVERDUE]
    assert {n["status_label"] for n in overdue} == {"체납"}
    assert lee.get(tool(iid), {"status": "owing"}).status_code == 422

    property_tax = next(n for n in truth if n.kind == "재산세")
    one = lee.get(tool(iid, f"/{property_tax.id}"))
    assert one.status_code == 200, one.text
    body = one.json()
    standing = property_tax.standing
    assert (body["amount_due_won"], body["surcharge_won"], body["days_overdue"]) == (
        standing.amount_due_won, standing.surcharge_won, standing.days_overdue)  # fmt: skip
    assert body["surcharge"]["name"] == "납부지연가산세" and body["virtual_account"]["number"]
    missing = lee.get(tool(iid, "/N-9999-99"))
    assert missing.status_code == 404 and missing.json()["error"] == "bill-notice-not-found"
    assert lee.get(tool(iid, "/N-0001-01")).status_code == 404  # another citizen's notice

    car = next(n for n in truth if n.kind == "자동차세")
    assert api.system.tools is not None and api.system.tools.bills is not None
    before = api.system.tools.bills.resends(PHONE, car.id)
    sent, again = (lee.post(tool(iid, f"/{car.id}/resend"), {"channel": None}) for _ in range(2))
    assert (sent.status_code, again.status_code) == (202, 200), (sent.text, again.text)
    assert sent.json()["id"] == again.json()["id"] and (sent.json()["replayed"], again.json()["replayed"]) == (
        False, True)  # fmt: skip
    assert sent.json()["channel"] == "kakaotalk" and sent.json()["status"] == "queued"
    not_on_file = lee.post(tool(iid, f"/{car.id}/resend"), {"channel": "naver"})
    assert not_on_file.status_code == 422 and not_on_file.json()["error"] == "bill-channel-not-on-file"
    assert lee.post(tool(iid, f"/{car.id}/resend"), {"channel": "fax"}).status_code == 422
    assert [r.id for r in api.system.tools.bills.resends(PHONE, car.id)] == [*(r.id for r in before), sent.json()["id"]]

    recorded = [(u["tool"], u["action"], u["summary"], u["outcome"], u["ref"]) for u in uses(api.system)]
    assert recorded == [
        ("bills", "notices", "고지 조회: 전체", "ok", None),
        ("bills", "notices", "고지 조회: 체납", "ok", None),
        ("bills", "notice", f"고지서 조회: {property_tax.id}", "ok", property_tax.id),
        ("bills", "notice", "고지서 조회: N-9999-99", "not-found", None),
        ("bills", "notice", "고지서 조회: N-0001-01", "not-found", None),
        ("bills", "resend", f"재발송: 자동차세 {car.record.period} (카카오톡)", "ok", sent.json()["id"]),
        ("bills", "resend", f"재발송: 자동차세 {car.record.period} (카카오톡)", "ok", sent.json()["id"]),
        ("bills", "resend", f"재발송: 자동차세 {car.record.period} (네이버)", "refused", None),
    ]
    assert all(str(standing.amount_due_won) not in u["summary"] + u["outcome_detail"] for u in uses(api.system))
    assert {u["citizen_id"] for u in uses(api.system)} == {lee.get(f"/api/v1/interactions/{iid}").json()["citizen_id"]}
    rows = [r for r in logged(api.system, iid) if "tools/bills" in r["via"]]
    assert len(rows) == 8 and {r["purpose"] for r in rows} == {"serving"}
