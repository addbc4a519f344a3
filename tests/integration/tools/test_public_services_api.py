"""The public-service tool through the agents' API (``/api/v1/tools/public-services``), over real HTTP to the
reference service: anonymous search stores nothing, a search on a contact is recorded on it, eligibility
answers per condition, the link goes by SMS only to a number on file (once per click-happy agent), and a
request is checked for who asks before anything reaches the external system."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from crm.store import tables
from integrations.sms.memory import InMemorySmsGateway
from sori.wiring import System
from tests.conftest import PASSWORD
from tests.support.api import ApiClient, RunningApi
from tests.support.contacts import connect_call

pytestmark = pytest.mark.integration
TOOL = "/api/v1/tools/public-services"
PHONE = "010-3456-7890"


def uses(system: System) -> list[dict[str, Any]]:
    with system.engine.connect() as conn:
        query = select(tables.tool_uses).order_by(tables.tool_uses.c.id)
        return [dict(row._mapping) for row in conn.execute(query)]


def agent(api: RunningApi, login: str = "lee") -> ApiClient:
    return api.client().login(login, PASSWORD)


def test_anonymous_search_answers_and_stores_nothing(api: RunningApi) -> None:
    found = agent(api).get(TOOL, {"q": "어르신 틀니"})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["total"] > 0 and body["items"][0]["name"]
    assert uses(api.system) == []


def test_a_search_on_a_contact_is_recorded_on_it(api: RunningApi) -> None:
    lee = agent(api)
    iid = connect_call(api.system, "lee", None)["interaction"]["id"]
    found = lee.get(TOOL, {"q": "청년 월세 010-1234-5678", "interaction_id": iid})
    assert found.status_code == 200, found.text
    [use] = uses(api.system)
    assert (use["interaction_id"], use["tool"], use["action"], use["outcome"]) == (iid, "public-services", "search",
                                                                                  "ok")  # fmt: skip
    assert use["summary"] == "검색: 청년 월세 ***"  # a number read out is not kept
    assert use["outcome_detail"] == f"{found.json()['total']}건"
    assert use["citizen_id"] is None  # an anonymous caller stays anonymous


def test_another_agents_contact_is_refused_before_the_system_is_asked(api: RunningApi) -> None:
    iid = connect_call(api.system, "kim", None)["interaction"]["id"]
    refused = agent(api, "lee").get(TOOL, {"q": "아동수당", "interaction_id": iid})
    assert refused.status_code == 403, refused.text
    assert api.client().get(TOOL, {"q": "아동수당"}).status_code == 401
    assert uses(api.system) == []


def test_bad_parameters_are_refused_with_the_reason(api: RunningApi) -> None:
    lee = agent(api)
    assert lee.get(TOOL, {"q": ""}).json()["error"] == "validation-failed"
    assert lee.get(TOOL, {"q": "가" * 201}).status_code == 422
    assert lee.get(TOOL, {"q": "아동", "limit": 51}).status_code == 422
    blank = lee.get(TOOL, {"q": "   "})
    assert blank.status_code == 422 and blank.json()["details"]["parameter"] == "q"
    wide = lee.get(TOOL, {"q": "\u3000\u3000"})  # blank to Korean eyes too (ideographic spaces)
    assert wide.status_code == 422 and "empty" in wide.json()["message"]
    assert lee.get(f"{TOOL}/not*an*id").status_code == 422
    missing = lee.get(f"{TOOL}/000000000000X")
    assert missing.status_code == 404 and missing.json()["error"] == "service-not-found"


def test_one_service_and_its_eligibility(api: RunningApi) -> None:
    lee = agent(api)
    iid = connect_call(api.system, "lee", None)["interaction"]["id"]
    service = lee.get(f"{TOOL}/135200000120")
    assert service.status_code == 200 and service.json()["name"] == "아동수당"
    decision = lee.post(f"{TOOL}/135200000120/eligibility", {"age": 5, "interaction_id": iid})
    assert decision.status_code == 200, decision.text
    body = decision.json()
    assert body["overall"] in ("yes", "unknown") and body["conditions"]
    assert all(set(c) == {"code", "label", "answer", "reason"} for c in body["conditions"])
    too_old = lee.post(f"{TOOL}/135200000120/eligibility", {"age": 40})
    assert too_old.json()["overall"] == "no"
    [use] = uses(api.system)  # the anonymous second check is not recorded
    assert use["action"] == "eligibility" and "만 5세" in use["summary"] and use["ref"] == "135200000120"
    bad = lee.post(f"{TOOL}/135200000120/eligibility", {"age": -1})
    assert bad.status_code == 422
    region = lee.post(f"{TOOL}/135200000120/eligibility", {"region": "화성 올림푸스"})
    assert region.status_code == 422 and region.json()["details"]["errors"][0]["field"] == "region"


def test_the_link_goes_once_to_a_number_on_file(api: RunningApi) -> None:
    sms = api.system.sms
    assert isinstance(sms, InMemorySmsGateway)
    lee = agent(api)
    hidden = connect_call(api.system, "lee", None)["interaction"]["id"]  # a withheld number: no citizen
    refused = lee.post(f"/api/v1/interactions/{hidden}/tools/public-services/135200000120/send-link", {})
    assert refused.json().get("error") == "no-citizen-on-contact", refused.text
    called = connect_call(api.system, "lee", PHONE)  # the caller's record holds the number they called from
    assert called["interaction"]["citizen_id"] is not None, called
    iid = called["interaction"]["id"]
    link = f"/api/v1/interactions/{iid}/tools/public-services/135200000120/send-link"
    sent = lee.post(link, {})
    assert sent.status_code == 202, sent.text
    assert sent.json()["sent_to"] == "010-****-7890" and not sent.json()["replayed"]
    again = lee.post(link, {})
    assert again.status_code == 200 and again.json()["replayed"]
    message = sent.json()["message_id"]
    status = lee.get(f"/api/v1/interactions/{iid}/tools/sms/{message}")
    assert status.status_code == 200 and status.json()["status"] == "delivered", status.text
    assert status.json()["sent_to"] == "010-****-7890"
    other = connect_call(api.system, "lee", None)["interaction"]["id"]
    assert lee.get(f"/api/v1/interactions/{other}/tools/sms/{message}").status_code == 404  # not this contact's
    texts = sms.inbox("01034567890")
    assert len(texts) == 1 and "아동수당" in texts[0].text
    assert lee.post(link, {"phone_index": 1}).status_code == 422  # only numbers on file, never one typed
    assert agent(api, "kim").post(link, {}).status_code == 403
    sends = [u for u in uses(api.system) if u["action"] == "send-link"]
    assert [u["ref"] for u in sends] == [sent.json()["message_id"]] * 2 and sends[0]["citizen_id"] is not None
    with api.system.engine.connect() as conn:
        logged = conn.execute(select(tables.access_log).where(tables.access_log.c.interaction_id == iid)).all()
    assert any(row._mapping["purpose"] == "serving" and "send-link" in row._mapping["via"] for row in logged)
