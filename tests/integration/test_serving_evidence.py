"""Serving is earned, not declared; identity needs evidence; the answers are no oracle (issue 11, part 1).

Over real HTTP on SQLite and PostgreSQL. Calls are connected through the desk's own store path
(tests.support.contacts); the one-time codes go through the in-memory SMS gateway, which honours the
same contract suite as the HTTP adapter and its reference service (tests/integration/sms).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Table, select

from crm.store import tables
from integrations.sms.memory import InMemorySmsGateway
from sori.wiring import System
from tests.conftest import PASSWORD
from tests.support.api import ApiClient, RunningApi
from tests.support.contacts import connect_call
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration
PHONE = "010-3456-7890"
RRN = "900101-1234567"


@pytest.fixture
def sms(clock: FakeClock) -> InMemorySmsGateway:
    return InMemorySmsGateway(clock)


@pytest.fixture
def api(system: System, sms: InMemorySmsGateway) -> Iterator[RunningApi]:
    system.sms = sms
    running = RunningApi(system)
    yield running
    running.stop()


def rows(system: System, table: Table) -> list[dict[str, Any]]:
    with system.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table).order_by(table.c.id))]


def register(api: RunningApi, login: str, phone: str = PHONE, rrn: str = RRN, **extra: Any) -> tuple[int, int]:
    """A call from ``phone`` reaches ``login``, who registers the caller; returns (interaction, citizen)."""
    agent = api.client().login(login, PASSWORD)
    iid = connect_call(api.system, login, phone)["interaction"]["id"]
    body = {"interaction_id": iid, "name": "홍길동", "phones": [phone], "resident_number": rrn, **extra}
    created = agent.post("/api/v1/citizens", body)
    assert created.status_code == 201, created.text
    return iid, created.json()["id"]


def nts_history(api: RunningApi) -> dict[str, Any]:
    """A citizen with a case at NTS126 (국세청) with a summary, words in a hand-off and an event."""
    choi = api.client().login("choi", PASSWORD)
    iid, citizen_id = register(api, "choi")
    opened = {"citizen_id": citizen_id, "summary": "종합소득세 체납 문의", "interaction_id": iid}
    case = choi.post("/api/v1/cases", opened)
    assert case.status_code == 201, case.text
    number = case.json()["number"]
    choi.post(f"/api/v1/interactions/{iid}/end", {"disposition": "answered"})
    choi.post(f"/api/v1/interactions/{iid}/wrap-up", {"notes": "분납 안내", "wrap_up_code": "informed"})
    return {"citizen_id": citizen_id, "number": number}


def test_a_client_cannot_start_a_contact_for_a_number_or_citizen_it_names(api: RunningApi) -> None:
    history = nts_history(api)
    lee = api.client().login("lee", PASSWORD)
    declared = lee.post("/api/v1/interactions", {"channel": "inbound-call", "center_code": "ACRC110", "phone": PHONE})
    assert declared.status_code == 422, declared.text
    declared = lee.post("/api/v1/interactions", {"channel": "callback", "citizen_id": history["citizen_id"]})
    assert declared.status_code == 422
    nothing = lee.post("/api/v1/interactions", {})
    assert nothing.status_code == 422 and "exactly one" in nothing.json()["message"]
    serving = lee.get("/api/v1/citizens", {"phone": PHONE, "purpose": "serving"})
    assert serving.status_code == 403 and serving.json()["error"] == "not-serving"


def test_a_supervisors_attestation_lets_one_agent_serve_one_citizen_once_until_it_expires(
    api: RunningApi, clock: FakeClock
) -> None:
    history = nts_history(api)
    kim, lee, sup = (api.client().login(x, PASSWORD) for x in ("kim", "lee", "sup"))
    kim_id = kim.get("/api/v1/me").json()["id"]
    walk_in = {"agent_id": kim_id, "citizen_id": history["citizen_id"], "kind": "walk-in", "reason": "방문 민원 상담"}
    assert kim.post("/api/v1/attestations", walk_in).status_code == 403, "agents cannot attest for themselves"
    short = sup.post("/api/v1/attestations", {**walk_in, "reason": "x"})
    assert short.status_code == 422
    made = sup.post("/api/v1/attestations", walk_in)
    assert made.status_code == 201, made.text
    attestation = made.json()["id"]
    stolen = lee.post("/api/v1/interactions", {"attestation_id": attestation})
    missing = lee.post("/api/v1/interactions", {"attestation_id": attestation + 1000})
    assert stolen.status_code == missing.status_code == 404
    assert stolen.json()["error"] == missing.json()["error"] == "attestation-unusable"
    started = kim.post("/api/v1/interactions", {"attestation_id": attestation})
    assert started.status_code == 201, started.text
    contact = started.json()["interaction"]
    assert (contact["channel"], contact["citizen_id"]) == ("visit", history["citizen_id"])
    pop = kim.get(f"/api/v1/citizens/{history['citizen_id']}")
    assert pop.status_code == 200 and pop.json()["access"]["purpose"] == "serving"
    assert kim.post("/api/v1/interactions", {"attestation_id": attestation}).status_code == 404, "used once"
    later = sup.post("/api/v1/attestations", {**walk_in, "kind": "outbound-duty", "valid_minutes": 5}).json()["id"]
    clock.advance(minutes=6)
    assert kim.post("/api/v1/interactions", {"attestation_id": later}).status_code == 404, "expired"
    park_id = api.client().login("park", PASSWORD).get("/api/v1/me").json()["id"]
    other = sup.post("/api/v1/attestations", {**walk_in, "agent_id": park_id})
    assert other.status_code == 404, "a supervisor attests agents of their own center only"


def test_a_complaint_assigned_to_the_center_lets_its_agents_serve_its_citizen(api: RunningApi) -> None:
    history = nts_history(api)
    kim, park = api.client().login("kim", PASSWORD), api.client().login("park", PASSWORD)
    complaint = {
        "sinmungo_id": "1AA-2603-0001",
        "received_at": "2026-03-01T00:00:00Z",
        "title": "세금 체납 관련 민원",
        "citizen_id": history["citizen_id"],
    }
    assert kim.post("/api/v1/complaints", complaint).status_code == 201
    assert kim.post("/api/v1/complaints", complaint).status_code == 201, "idempotent for its own center"
    taken = park.post("/api/v1/complaints", complaint)
    assert taken.status_code == 409 and taken.json()["error"] == "complaint-exists"
    assert "세금" not in taken.text and str(history["citizen_id"]) not in taken.text
    foreign = park.post("/api/v1/interactions", {"sinmungo_id": "1AA-2603-0001"})
    unknown = park.post("/api/v1/interactions", {"sinmungo_id": "1AA-2603-9999"})
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json()["message"] == unknown.json()["message"]
    started = kim.post("/api/v1/interactions", {"sinmungo_id": "1AA-2603-0001"})
    assert started.status_code == 201, started.text
    assert started.json()["interaction"]["channel"] == "sinmungo-text"
    assert kim.get(f"/api/v1/citizens/{history['citizen_id']}").json()["access"]["purpose"] == "serving"


def verify(agent: ApiClient, iid: int, **body: Any) -> Any:
    return agent.post(f"/api/v1/interactions/{iid}/verify", body)


def test_the_agents_word_is_no_evidence_and_failures_lock_out_with_audit_rows(api: RunningApi) -> None:
    history = nts_history(api)
    lee = api.client().login("lee", PASSWORD)
    iid = connect_call(api.system, "lee", PHONE)["interaction"]["id"]
    for method in ("birth-date-and-name", "identity-document", "callback-to-registered-number"):
        assert verify(lee, iid, method=method).status_code == 422, method
    answers = set()
    for wrong in ("900101-1234568", "not a number", "800101-1234567", "900101-1234569", "900101-2234567"):
        response = verify(lee, iid, method="resident-number", resident_number=wrong)
        assert response.status_code == 422
        answers.add(response.text)
    assert len(answers) == 1, "every failure answers the same, malformed or not"
    locked = verify(lee, iid, method="resident-number", resident_number=RRN)
    assert locked.status_code == 429 and locked.json()["error"] == "identity-check-locked"
    audit = rows(api.system, tables.identity_attempts)
    lee_rows = [r for r in audit if r["interaction_id"] == iid]
    assert [r["outcome"] for r in lee_rows] == ["failed"] * 5 + ["locked"]
    assert {r["citizen_id"] for r in lee_rows} == {history["citizen_id"]}
    pop = lee.get(f"/api/v1/citizens/{history['citizen_id']}").json()
    assert pop["access"]["scope"] == "all-centers-summary", "nothing was unlocked"


def test_a_one_time_code_to_the_phone_on_file_unlocks_other_centers(
    api: RunningApi, sms: InMemorySmsGateway, clock: FakeClock
) -> None:
    history = nts_history(api)
    lee = api.client().login("lee", PASSWORD)
    iid = connect_call(api.system, "lee", PHONE)["interaction"]["id"]
    assert lee.post(f"/api/v1/interactions/{iid}/verify/sms-code", {"phone_index": 3}).status_code == 422
    assert lee.post(f"/api/v1/interactions/{iid}/verify/sms-code", {"to": "010-9999-9999"}).status_code == 422
    sent = lee.post(f"/api/v1/interactions/{iid}/verify/sms-code", {})
    assert sent.status_code == 202, sent.text
    assert sent.json()["sent_to"] == "010-****-7890"
    [message] = sms.inbox("01034567890")
    code = message.text.split("[")[2].split("]")[0]
    assert code.isdigit() and len(code) == 6
    stored = rows(api.system, tables.identity_challenges)
    assert code not in str(stored), "only the code's keyed hash is kept"
    wrong = verify(lee, iid, method="sms-code", code=f"{(int(code) + 1) % 10**6:06d}")
    assert wrong.status_code == 422 and wrong.json()["error"] == "identity-check-failed"
    other = connect_call(api.system, "kim", PHONE)["interaction"]["id"]
    kim = api.client().login("kim", PASSWORD)
    assert verify(kim, other, method="sms-code", code=code).status_code == 422, "a code is bound to its contact"
    ok = verify(lee, iid, method="sms-code", code=code)
    assert ok.status_code == 200 and ok.json()["verified_method"] == "sms-code"
    assert verify(lee, iid, method="sms-code", code=code).status_code == 422, "used once"
    case = lee.get(f"/api/v1/cases/{history['number']}")
    assert case.status_code == 200 and case.json()["case"]["summary"] == "종합소득세 체납 문의"
    # An expired code is no evidence.
    third = connect_call(api.system, "lee", PHONE)["interaction"]["id"]
    assert lee.post(f"/api/v1/interactions/{third}/verify/sms-code", {}).status_code == 202
    late = sms.inbox("01034567890")[-1].text.split("[")[2].split("]")[0]
    clock.advance(minutes=6)
    assert verify(lee, third, method="sms-code", code=late).status_code == 422


def answer(body: dict[str, Any]) -> tuple[str, str]:
    """An error answer less the id it echoes back."""
    return body["error"], body["message"]


def test_other_centers_records_answer_exactly_like_missing_ones(api: RunningApi) -> None:
    history = nts_history(api)
    lee = api.client().login("lee", PASSWORD)
    year = history["number"].split("-")[0]
    foreign = lee.get(f"/api/v1/cases/{history['number']}")
    missing = lee.get(f"/api/v1/cases/{year}-NTS126-999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["error"] == missing.json()["error"] == "case-not-found"
    assert foreign.json()["message"].replace(history["number"], "N") == missing.json()["message"].replace(
        f"{year}-NTS126-999999", "N"
    )
    reason = {"reason": "민원인 재문의 확인"}
    foreign = lee.get(f"/api/v1/citizens/{history['citizen_id']}", reason)
    missing = lee.get("/api/v1/citizens/987654", reason)
    assert foreign.status_code == missing.status_code == 404
    assert answer(foreign.json()) == answer(missing.json())
    assert answer(lee.get(f"/api/v1/citizens/{history['citizen_id']}").json()) == answer(
        lee.get("/api/v1/citizens/987654").json()
    )
    pop = lee.get("/api/v1/citizens", {"phone": PHONE, **reason})
    assert pop.status_code == 200 and pop.json()["citizens"] == [], "nobody of lee's center has this number"


def test_registering_a_caller_answers_the_same_for_a_known_and_a_new_resident_number(api: RunningApi) -> None:
    history = nts_history(api)
    kim = api.client().login("kim", PASSWORD)
    known_call = connect_call(api.system, "kim", "010-7777-0001")["interaction"]["id"]
    new_call = connect_call(api.system, "kim", "010-7777-0002")["interaction"]["id"]
    body = {"name": "홍길동", "phones": ["010-7777-0009"]}
    known = kim.post("/api/v1/citizens", {**body, "interaction_id": known_call, "resident_number": RRN})
    new = kim.post("/api/v1/citizens", {**body, "interaction_id": new_call, "resident_number": "850315-2345678"})
    assert known.status_code == new.status_code == 201
    assert set(known.json()) == set(new.json()) and known.json()["phones"] == new.json()["phones"]
    # The caller who stated a number on record is that citizen, verified by it; no typed number is added.
    assert known.json()["id"] == history["citizen_id"]
    contact = kim.get(f"/api/v1/interactions/{known_call}").json()
    assert contact["verified_method"] == "resident-number"
    with api.system.engine.connect() as conn:
        phones = conn.execute(
            select(tables.citizen_phones.c.digits).where(tables.citizen_phones.c.citizen_id == history["citizen_id"])
        ).scalars()
        assert "01077770009" not in set(phones)
    assert kim.post("/api/v1/citizens", {**body, "resident_number": RRN}).status_code == 403, "no contact, no register"


def test_continuing_a_case_needs_its_center_and_its_citizen(api: RunningApi) -> None:
    history = nts_history(api)
    kim = api.client().login("kim", PASSWORD)
    iid = connect_call(api.system, "kim", PHONE)["interaction"]["id"]
    other = kim.post(f"/api/v1/interactions/{iid}/continue", {"case_number": history["number"]})
    assert other.status_code == 404 and other.json()["error"] == "case-not-found", "NTS126's case, not kim's center"
    # A shared number: two citizens, the contact has none yet, and a number alone takes over nothing.
    choi = api.client().login("choi", PASSWORD)
    shared = "010-2222-3333"
    register(api, "choi", shared, "800101-1234567")
    jid, second = register(api, "choi", shared, "810101-2234567")
    opened = choi.post("/api/v1/cases", {"citizen_id": second, "summary": "부가세", "interaction_id": jid})
    call = connect_call(api.system, "choi", shared)
    assert call["interaction"]["citizen_id"] is None and len(call["citizen_candidates"]) == 2
    took = choi.post(
        f"/api/v1/interactions/{call['interaction']['id']}/continue", {"case_number": opened.json()["number"]}
    )
    assert took.status_code == 409 and "citizen" in took.json()["message"]
    contact = call["interaction"]["id"]
    picked = choi.post(f"/api/v1/interactions/{contact}/citizen", {"citizen_id": history["citizen_id"]})
    assert picked.status_code == 404, "only the citizens on record for the number that called can be picked"


def test_the_case_page_honours_summary_scope(api: RunningApi) -> None:
    history = nts_history(api)
    choi = api.client().login("choi", PASSWORD)
    choi.post(
        f"/api/v1/cases/{history['number']}/handoffs",
        {"to_center": "MOEL1350", "reason": "체불 임금 관련", "summary": "체납 사유가 임금 체불"},
    )
    lee = api.client().login("lee", PASSWORD)
    connect_call(api.system, "lee", PHONE)
    page = lee.get(f"/api/v1/cases/{history['number']}")
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["access"]["scope"] == "all-centers-summary"
    for words in ("종합소득세", "체납", "임금", "분납"):
        assert words not in page.text, words
    assert body["events"] and all(e["before"] is None and e["after"] is None for e in body["events"])
    # The store kept every word: only the view was cut.
    assert choi.get(f"/api/v1/cases/{history['number']}").json()["case"]["summary"] == "종합소득세 체납 문의"


def test_a_client_cannot_set_a_recording_reference(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    iid = connect_call(api.system, "kim", PHONE)["interaction"]["id"]
    for ref in ("../../etc/passwd", "/etc/shadow", "calls/ok.wav"):
        response = kim.post(f"/api/v1/interactions/{iid}/end", {"disposition": "answered", "recording_ref": ref})
        assert response.status_code == 422 and "recording_ref" in response.text
    assert rows(api.system, tables.interactions)[-1]["recording_ref"] is None


def test_a_case_is_opened_only_on_a_contact_with_its_own_citizen(api: RunningApi) -> None:
    """Naming a citizen id in a new case would make them one of the center's, visible to its searches."""
    history = nts_history(api)
    kim = api.client().login("kim", PASSWORD)
    direct = kim.post("/api/v1/cases", {"citizen_id": history["citizen_id"], "summary": "조회용"})
    assert direct.status_code == 403, "only admins open a case without a contact"
    iid = connect_call(api.system, "kim", "010-4444-5555")["interaction"]["id"]
    other = kim.post("/api/v1/cases", {"citizen_id": history["citizen_id"], "interaction_id": iid})
    assert other.status_code == 409
    search = kim.get(f"/api/v1/citizens/{history['citizen_id']}", {"reason": "민원인 재문의 확인"})
    assert search.status_code == 404, "still none of kim's center"


def test_the_staff_list_is_per_center(api: RunningApi) -> None:
    kim, root = api.client().login("kim", PASSWORD), api.client().login("root", PASSWORD)
    own = kim.get("/api/v1/agents")
    assert own.status_code == 200 and {a["center_code"] for a in own.json()["agents"]} == {"ACRC110"}
    assert kim.get("/api/v1/agents", {"center": "NTS126"}).status_code == 403
    assert [a["login"] for a in root.get("/api/v1/agents", {"center": "NTS126"}).json()["agents"]] == ["choi"]


def test_a_replayed_answer_is_shown_only_while_the_actor_may_still_see_it(api: RunningApi) -> None:
    """An Idempotency-Key replays the stored answer to the same agent only after a fresh access check."""
    kim = api.client().login("kim", PASSWORD)
    iid = connect_call(api.system, "kim", "010-6060-7070")["interaction"]["id"]
    key = {"idempotency-key": "register-1"}
    body = {"interaction_id": iid, "name": "김민원", "phones": ["010-6060-7070"]}
    first = kim.post("/api/v1/citizens", body, headers=key)
    assert first.status_code == 201
    again = kim.post("/api/v1/citizens", body, headers=key)
    assert again.status_code == 201 and again.headers.get("idempotent-replayed") == "true"
    citizen = first.json()["id"]
    consent = {"idempotency-key": "consent-1"}
    assert kim.post(f"/api/v1/citizens/{citizen}/consents", {"recording": True}, headers=consent).status_code == 200
    kim.post(f"/api/v1/interactions/{iid}/end", {"disposition": "answered"})
    wrapped = kim.post(f"/api/v1/interactions/{iid}/wrap-up", {"notes": "등록 안내", "wrap_up_code": "informed"})
    assert wrapped.status_code == 200
    after = kim.post("/api/v1/citizens", body, headers=key)
    assert after.status_code == 409 and after.json()["error"] == "interaction-closed"
    assert "김민원" not in after.text
    stale = kim.post(f"/api/v1/citizens/{citizen}/consents", {"recording": True}, headers=consent)
    assert stale.status_code == 403 and stale.json()["error"] == "not-serving"


def test_a_code_the_gateway_could_not_send_leaves_nothing_behind(api: RunningApi, sms: InMemorySmsGateway) -> None:
    nts_history(api)
    lee = api.client().login("lee", PASSWORD)
    iid = connect_call(api.system, "lee", PHONE)["interaction"]["id"]
    sms.available = False
    down = lee.post(f"/api/v1/interactions/{iid}/verify/sms-code", {})
    assert down.status_code == 503 and down.json()["error"] == "sms-unavailable" and down.json()["message"]
    assert rows(api.system, tables.identity_challenges) == [], "no code is kept that the caller never got"
    sms.available = True
    assert lee.post(f"/api/v1/interactions/{iid}/verify/sms-code", {}).status_code == 202
    assert len(sms.inbox("01034567890")) == 1
