"""Calls the telephony layer connected, for HTTP tests that need no SIP.

No client can start a call contact over HTTP: the desk starts the agent's contact through
``AgentContacts.answered``, with the caller's number from the SIP signalling. These helpers take that
same store path, only without the SIP legs (a stand-in, said so here: the e2e tests and
``tests/integration/telephony_calls`` drive it with real calls through Kamailio and pjsua2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crm.cases.continuity import continuable_cases
from crm.cases.model import Channel
from crm.citizens.phone import normalize_phone
from crm.door.calls import AnsweredCall
from crm.door.sql_desk import AgentContacts
from sori.wiring import System

if TYPE_CHECKING:
    from tests.support.api import RunningApi

_calls = iter(range(1, 10**9))


def connect_call(
    system: System,
    login: str,
    phone: str | None,
    *,
    channel: Channel = Channel.INBOUND_CALL,
    case_number: str | None = None,
) -> dict[str, Any]:
    """``login`` answers a call from ``phone``; returns what the old start answer held (ids only)."""
    store = AgentContacts(system.uow, system.policy, system.calendar)
    agent = next(a for a in store.agents() if a.login == login)
    now = system.clock()
    answered = store.answered(
        agent,
        now,
        AnsweredCall(
            channel=channel,
            center=agent.center,
            phone=phone,
            citizen_id=None,
            sip_call_id=f"test-{next(_calls)}@edge",
            queued_at=None,
            case_number=case_number,
            handoff_id=None,
        ),
    )
    with system.uow(readonly=True) as uow:
        candidates = [c.id for c in uow.citizens.by_phone(normalize_phone(phone).digits)] if phone else []
        chosen = answered.citizen_id
        offered = continuable_cases(uow.cases.for_citizen(chosen), now, system.policy) if chosen else []
    return {
        "interaction": {"id": answered.interaction_id, "citizen_id": answered.citizen_id},
        "citizen_candidates": candidates,
        "continuable_cases": [{"number": c.number, "owner_center": c.owner_center} for c in offered],
        "case_number": answered.case_number,
    }


@dataclass(frozen=True)
class History:
    citizen_id: int
    case_number: str
    interaction_id: int


def served_before(api: RunningApi, login: str, phone: str, resident_number: str, summary: str, note: str) -> History:
    """``login`` served a caller from ``phone`` before: registered them (홍길동, with the 주민등록번호), opened a
    case with ``summary`` and wrapped the call up with ``note`` — through the HTTP API, as an agent would."""
    from tests.conftest import PASSWORD  # the test world's agents' password

    agent = api.client().login(login, PASSWORD)
    iid = connect_call(api.system, login, phone)["interaction"]["id"]
    body = {"interaction_id": iid, "name": "홍길동", "phones": [phone], "resident_number": resident_number}
    created = agent.post("/api/v1/citizens", body)
    assert created.status_code == 201, created.text
    case = agent.post("/api/v1/cases", {"citizen_id": created.json()["id"], "summary": summary, "interaction_id": iid})
    assert case.status_code == 201, case.text
    assert agent.post(f"/api/v1/interactions/{iid}/end", {"disposition": "answered"}).status_code == 200
    wrapped = agent.post(f"/api/v1/interactions/{iid}/wrap-up", {"notes": note, "wrap_up_code": "informed"})
    assert wrapped.status_code == 200, wrapped.text
    return History(created.json()["id"], case.json()["number"], int(iid))
