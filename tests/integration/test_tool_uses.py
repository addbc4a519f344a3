"""Agents' tool uses in the case store (SQLite and PostgreSQL): recorded on the contact and its case, read back
by contact and by case (with the contact's uses from before it joined the case), shown on the case's timeline
as the access rules allow, and purged with their contact."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from crm.cases import services
from crm.cases.model import Channel, Interaction
from crm.cases.status import CaseStatus
from crm.cases.tool_uses import Outcome, Tool, ToolUse, record_tool_use
from crm.citizens.services import register_citizen
from crm.store import tables
from kernel.actor import Actor
from sori.purge import purge
from sori.wiring import System
from tests.conftest import PASSWORD
from tests.support.api import ApiClient, RunningApi
from tests.support.contacts import connect_call
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration


def agent(system: System, login: str) -> Actor:
    with system.uow(readonly=True) as uow:
        found = uow.agents.by_login(login)
        assert found is not None
        return Actor(center_code=found.center_code, role=found.role, login=login, agent_id=found.id)


def use(system: System, actor: Actor, interaction_id: int, tool: Tool, action: str, summary: str,
        outcome: Outcome = Outcome.OK, detail: str = "", ref: str | None = None) -> ToolUse:  # fmt: skip
    with system.uow() as uow:
        recorded = record_tool_use(uow, actor, system.clock(), interaction_id=interaction_id, tool=tool,
                                   action=action, summary=summary, outcome=outcome, outcome_detail=detail,
                                   ref=ref)  # fmt: skip
        uow.commit()
    assert recorded.id is not None
    return recorded


def count(system: System, table: Table) -> int:
    with system.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def open_case(api: RunningApi, agent: ApiClient, login: str, phone: str = "010-4567-8901") -> tuple[int, str, int]:
    """``login`` answers a call from ``phone`` and opens a case on it (as tests/integration/test_api_cases.py)."""
    body = connect_call(api.system, login, phone)
    citizen_id = body["citizen_candidates"][0]
    case = agent.post("/api/v1/cases", {"citizen_id": citizen_id, "category": "복지", "summary": "틀니 지원",
                                        "interaction_id": body["interaction"]["id"]})  # fmt: skip
    assert case.status_code == 201, case.text
    return citizen_id, case.json()["number"], body["interaction"]["id"]


def test_a_case_lists_its_contacts_tool_uses_in_order(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    kim_actor = agent(api.system, "kim")
    call = connect_call(api.system, "kim", "010-4567-8901")["interaction"]["id"]
    before = use(api.system, kim_actor, call, Tool.PUBLIC_SERVICES, "search", "검색: 어르신 틀니", detail="12건")
    with api.system.uow(readonly=True) as uow:
        assert uow.tool_uses.for_interaction(call)[0].case_id is None, "no case yet"
    _, number, iid = open_case(api, kim, "kim")
    eligible = use(api.system, kim_actor, iid, Tool.PUBLIC_SERVICES, "eligibility",
                   "자격확인: 135200000002 (나이 67, 소득 2구간)", detail="해당", ref="135200000002")  # fmt: skip
    sent = use(api.system, kim_actor, iid, Tool.SMS, "send-link", "링크: 135200000002", Outcome.UNAVAILABLE,
               "문자 서버 응답 없음")  # fmt: skip
    assert (eligible.case_id, eligible.citizen_id) != (None, None) and eligible.center_code == "ACRC110"
    with api.system.uow(readonly=True) as uow:
        assert [u.id for u in uow.tool_uses.for_interaction(iid)] == [eligible.id, sent.id]
        assert [u.id for u in uow.tool_uses.for_case(eligible.case_id or 0)] == [eligible.id, sent.id]
        assert [u.id for u in uow.tool_uses.for_interaction(call)] == [before.id]

    detail = kim.get(f"/api/v1/cases/{number}")
    assert detail.status_code == 200, detail.text
    listed = detail.json()["tool_uses"]
    assert [u["id"] for u in listed] == [eligible.id, sent.id]
    assert listed[0] == {
        "id": eligible.id, "at": listed[0]["at"], "tool": "public-services", "action": "eligibility",
        "summary": "자격확인: 135200000002 (나이 67, 소득 2구간)", "outcome": "ok", "outcome_detail": "해당",
        "ref": "135200000002", "interaction_id": iid, "agent_id": kim_actor.agent_id, "detail": "full",
    }  # fmt: skip
    assert dt.datetime.fromisoformat(listed[0]["at"]) == eligible.at
    assert (listed[1]["tool"], listed[1]["outcome"], listed[1]["ref"]) == ("sms", "unavailable", None)


def test_a_contacts_earlier_uses_and_a_merged_cases_uses_join_the_case(system: System) -> None:
    actor = agent(system, "kim")
    with system.uow() as uow:
        citizen = register_citizen(uow, Actor.system("test"), system.clock(), system.rrn_key, name="김민원")
        uow.flush()
        assert citizen.id is not None
        contacts = [Interaction(Channel.INBOUND_CALL, "ACRC110", system.clock(), citizen_id=citizen.id,
                                agent_id=actor.agent_id) for _ in range(2)]  # fmt: skip
        for contact in contacts:
            uow.interactions.add(contact)
        uow.commit()
    first, second = (c.id or 0 for c in contacts)
    early = use(system, actor, first, Tool.BILLS, "notices", "고지서 조회", Outcome.NOT_FOUND, "0건")
    numbers = []
    for iid in (first, second):
        with system.uow() as uow:
            numbers.append(services.open_case(uow, actor, system.clock(), citizen_id=citizen.id,
                                              center_code="ACRC110", channel=Channel.INBOUND_CALL,
                                              interaction_id=iid).number)  # fmt: skip
            uow.commit()
    issued = use(system, actor, second, Tool.CERTIFICATES, "issue", "주민등록등본 재발급", detail="발급", ref="CERT-1")
    with system.uow() as uow:
        target = uow.cases.get(numbers[0])
        assert target is not None and target.id is not None
        assert [u.id for u in uow.tool_uses.for_case(target.id)] == [early.id], "the use before the case"
        services.merge_cases(uow, actor, system.clock(), target_number=numbers[0], source_number=numbers[1])
        uow.commit()
    with system.uow(readonly=True) as uow:
        assert [u.id for u in uow.tool_uses.for_case(target.id)] == [early.id, issued.id], "moved with its contact"


def test_other_centers_see_tool_uses_only_as_the_access_rules_allow(api: RunningApi) -> None:
    kim = api.client().login("kim", PASSWORD)
    park, choi = api.client().login("park", PASSWORD), api.client().login("choi", PASSWORD)
    _, number, iid = open_case(api, kim, "kim")
    use(api.system, agent(api.system, "kim"), iid, Tool.PUBLIC_SERVICES, "eligibility", "자격확인: 어르신 틀니",
        detail="해당", ref="135200000002")  # fmt: skip
    sent = kim.post(f"/api/v1/cases/{number}/handoffs",
                    {"to_center": "SEOUL120", "reason": "서울시 소관", "summary": "틀니 지원 문의"})  # fmt: skip
    assert sent.status_code == 201, sent.text
    worklist = park.get(f"/api/v1/cases/{number}").json()
    assert worklist["contacts"] == [] and worklist["tool_uses"] == [], "another center's contact: hidden"
    connect_call(api.system, "park", "010-4567-8901")  # park serves the caller, identity not checked
    serving = park.get(f"/api/v1/cases/{number}").json()
    assert [c["detail"] for c in serving["contacts"]][:1] == ["summary"]
    assert [(u["tool"], u["action"], u["outcome"], u["detail"]) for u in serving["tool_uses"]] == [
        ("public-services", "eligibility", "ok", "summary")
    ]
    assert (serving["tool_uses"][0]["summary"], serving["tool_uses"][0]["outcome_detail"]) == ("", "")
    assert serving["tool_uses"][0]["ref"] is None, "no words, no external id"
    connect_call(api.system, "choi", "010-4567-8901")  # a center the case never reached: summary only
    summary_only = choi.get(f"/api/v1/cases/{number}")
    assert summary_only.status_code == 200 and summary_only.json()["tool_uses"] == []
    with api.system.uow(readonly=True) as uow:
        kept = uow.tool_uses.for_interaction(iid)
        assert kept[0].summary == "자격확인: 어르신 틀니" and kept[0].ref == "135200000002", "reads copy, never write"


def test_tool_uses_go_with_their_contact_and_a_kept_contact_keeps_its_own(system: System, clock: FakeClock) -> None:
    real_now = dt.datetime.now(dt.UTC)
    clock.now = real_now - dt.timedelta(days=4000)
    actor, system_actor = agent(system, "kim"), Actor.system("test")
    with system.uow() as uow:
        citizen = register_citizen(uow, system_actor, clock(), system.rrn_key, name="홍길동")
        uow.flush()
        assert citizen.id is not None
        old = services.open_case(uow, system_actor, clock(), citizen_id=citizen.id, center_code="ACRC110",
                                 channel=Channel.INBOUND_CALL)  # fmt: skip
        uow.flush()
        contacts = [Interaction(Channel.INBOUND_CALL, "ACRC110", clock(), case_id=old.id, citizen_id=citizen.id,
                                agent_id=actor.agent_id) for _ in range(2)]  # fmt: skip
        caseless = Interaction(Channel.INBOUND_CALL, "ACRC110", clock(), agent_id=actor.agent_id)
        for contact in (*contacts, caseless):
            uow.interactions.add(contact)
        uow.commit()
    for contact in (*contacts, caseless):
        use(system, actor, contact.id or 0, Tool.PUBLIC_SERVICES, "search", "검색: 기초연금")
    clock.now = real_now - dt.timedelta(days=5)
    with system.uow() as uow:
        recent = services.open_case(uow, system_actor, clock(), citizen_id=citizen.id, center_code="ACRC110",
                                    channel=Channel.INBOUND_CALL)  # fmt: skip
        uow.flush()
        for target in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            services.change_status(uow, system_actor, clock(), number=old.number, target=target, reason=None,
                                   expected_version=None)  # fmt: skip
        uow.commit()
    with system.engine.begin() as conn:  # the second contact was moved to a recent case (as a merge would)
        i, c = tables.interactions.c, tables.cases.c
        conn.execute(update(tables.interactions).where(i.id == contacts[1].id).values(case_id=recent.id))
        conn.execute(update(tables.cases).where(c.id == old.id).values(updated_at=real_now - dt.timedelta(4000)))
        conn.execute(insert(tables.tool_uses).values(
            interaction_id=contacts[1].id, case_id=old.id, citizen_id=citizen.id, center_code="ACRC110",
            tool="bills", action="notice", summary="고지서", outcome="ok", outcome_detail="", at=clock()))  # fmt: skip
    clock.now = real_now
    assert count(system, tables.tool_uses) == 4
    done = purge(system)
    assert done["cases"] == 1 and done["interactions"] == 2 and done["tool_uses"] == 2
    with system.uow(readonly=True) as uow:
        left = uow.tool_uses.for_case(recent.id or 0)
        # both were on the purged case; they stay with their contact, found through it
        assert [(u.interaction_id, u.case_id) for u in left] == [(contacts[1].id, None)] * 2
        assert uow.tool_uses.for_interaction(caseless.id or 0) == [] and uow.citizens.get(citizen.id)


def test_the_database_refuses_a_tool_use_without_its_contact(system: System) -> None:
    with pytest.raises(IntegrityError), system.engine.begin() as conn:
        conn.execute(insert(tables.tool_uses).values(
            interaction_id=999_999, center_code="ACRC110", tool="sms", action="send-link", summary="",
            outcome="ok", outcome_detail="", at=system.clock()))  # fmt: skip
