"""The citizen's IVR PIN in the case store (issue 11, part 1, third evidence): enrolment only on a contact
verified with evidence, argon2id only, trivial PINs refused, lockout after 5 wrong PINs with audit rows, the
change, and a PIN-verified call that starts the agent's contact verified (real HTTP, SQLite and PostgreSQL).

The keypad side is in tests/unit/telephony_ivr/test_pin.py and, with real SIP, in
tests/integration/telephony_calls/test_switchboard_pin.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from crm.cases.model import Channel
from crm.citizens.pin import CitizenPin, PinHasher, PinPolicy, PinRefused
from crm.citizens.pin_services import enrol_pin
from crm.citizens.services import register_citizen
from crm.door.calls import AnsweredCall
from crm.door.sql_calls import CaseStoreCalls
from crm.door.sql_desk import AgentContacts
from crm.errors import Forbidden
from crm.store import tables
from kernel.actor import Actor
from sori.purge import purge
from sori.wiring import System
from telephony.ivr.actions import PinRequest
from tests.conftest import PASSWORD
from tests.integration.test_purge import closed_case
from tests.support.api import RunningApi
from tests.support.contacts import connect_call
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration
PHONE = "010-3456-7890"
RRN = "900101-1234567"
HASHER = PinHasher()


@pytest.fixture
def api(system: System) -> Iterator[RunningApi]:
    running = RunningApi(system)
    yield running
    running.stop()


def registered(api: RunningApi, login: str = "choi") -> tuple[int, int]:
    """``login`` takes a call from PHONE and registers the caller with the 주민등록번호; (interaction, citizen)."""
    agent = api.client().login(login, PASSWORD)
    iid = connect_call(api.system, login, PHONE)["interaction"]["id"]
    body = {"interaction_id": iid, "name": "홍길동", "phones": [PHONE], "resident_number": RRN}
    created = agent.post("/api/v1/citizens", body)
    assert created.status_code == 201, created.text
    return iid, created.json()["id"]


def enrol(system: System, login: str, iid: int, pin: str, repeated: str | None = None) -> PinRefused | None:
    with system.uow() as uow:
        actor = next(a for a in AgentContacts(system.uow, system.policy, system.calendar).agents() if a.login == login)
        refused = enrol_pin(uow, actor.actor(), system.clock(), HASHER, PinPolicy(), interaction_id=iid, pin=pin,
                            repeated=pin if repeated is None else repeated)  # fmt: skip
        uow.commit()
    return refused


def pin_attempts(system: System) -> list[str]:
    t = tables.identity_attempts
    with system.engine.connect() as conn:
        return [str(r.outcome) for r in conn.execute(select(t).where(t.c.method == "ivr-pin").order_by(t.c.id))]


def test_a_pin_is_enrolled_only_after_evidence_and_kept_only_as_argon2id(api: RunningApi) -> None:
    system = api.system
    choi = api.client().login("choi", PASSWORD)
    _, citizen_id = registered(api)
    fresh = connect_call(system, "choi", PHONE)["interaction"]["id"]  # the number alone: anyone may spoof it
    with pytest.raises(Forbidden):
        enrol(system, "choi", fresh, "3579")
    verified = choi.post(f"/api/v1/interactions/{fresh}/verify", {"method": "resident-number", "resident_number": RRN})
    assert verified.status_code == 200, verified.text
    assert enrol(system, "choi", fresh, "1234") is PinRefused.TRIVIAL
    assert enrol(system, "choi", fresh, "0000") is PinRefused.TRIVIAL
    assert enrol(system, "choi", fresh, "0101") is PinRefused.TRIVIAL  # the birth date in the masked number
    assert enrol(system, "choi", fresh, "7890") is PinRefused.TRIVIAL  # the end of the number on file
    assert enrol(system, "choi", fresh, "123") is PinRefused.FORMAT
    assert enrol(system, "choi", fresh, "3579", "3578") is PinRefused.MISMATCH
    assert enrol(system, "choi", fresh, "3579") is None
    with system.engine.connect() as conn:
        (row,) = conn.execute(select(tables.citizen_pins)).all()
    assert row.citizen_id == citizen_id and row.pin_hash.startswith("$argon2id$") and "3579" not in row.pin_hash
    assert pin_attempts(system) == ["registered"]
    store = CaseStoreCalls(system.uow, system.policy)
    assert store.lookup_caller("01034567890", system.clock()).has_pin


def test_five_wrong_pins_lock_it_for_thirty_minutes_without_locking_the_agents_checks(
    api: RunningApi, clock: FakeClock
) -> None:
    system = api.system
    iid, citizen_id = registered(api)
    choi = api.client().login("choi", PASSWORD)
    assert choi.post(f"/api/v1/interactions/{iid}/verify", {"method": "resident-number", "resident_number": RRN}).ok
    assert enrol(system, "choi", iid, "3579") is None
    store = CaseStoreCalls(system.uow, system.policy)

    def keyed(pin: str, new: str | None = None) -> str:
        return store.pin(citizen_id, PinRequest(pin, new, new), system.clock())

    assert [keyed(p) for p in ("1111", "2222", "3333", "4444")] == ["wrong"] * 4
    assert keyed("3579") == "verified"  # a right PIN starts the count again
    assert [keyed(p) for p in ("1111", "2222", "3333", "4444", "5555")] == ["wrong"] * 4 + ["locked"]
    assert keyed("3579") == "locked"  # refused without checking while locked
    assert pin_attempts(system) == ["registered", *["failed"] * 4, "verified", *["failed"] * 5, "locked", "locked"]
    # Nine failed PINs do not lock the agents' checks of this citizen (5 in an hour would).
    lee_iid = connect_call(system, "lee", PHONE)["interaction"]["id"]
    lee = api.client().login("lee", PASSWORD)
    ok = lee.post(f"/api/v1/interactions/{lee_iid}/verify", {"method": "resident-number", "resident_number": RRN})
    assert ok.status_code == 200, ok.text
    clock.advance(minutes=31)
    assert keyed("3579") == "verified"
    # The change: the current PIN, then a new one that is not guessable.
    assert keyed("1111", "2468") == "wrong"
    assert keyed("3579", "9999") == "trivial"
    assert keyed("3579", "2468") == "verified"
    assert keyed("3579") == "wrong" and keyed("2468") == "verified"


def test_a_call_verified_by_pin_starts_the_agents_contact_verified_and_unlocks_other_centers(
    api: RunningApi,
) -> None:
    system = api.system
    iid, citizen_id = registered(api)  # choi of 국세청 (NTS126) registers the caller and opens a case
    choi = api.client().login("choi", PASSWORD)
    case = choi.post(
        "/api/v1/cases", {"citizen_id": citizen_id, "summary": "종합소득세 체납 문의", "interaction_id": iid}
    )
    assert case.status_code == 201, case.text
    number = case.json()["number"]
    choi.post(f"/api/v1/interactions/{iid}/end", {"disposition": "answered"})

    def answered_by_lee(pin_verified: int | None) -> dict[str, Any]:
        store = AgentContacts(system.uow, system.policy, system.calendar)
        lee = next(a for a in store.agents() if a.login == "lee")
        call = AnsweredCall(channel=Channel.INBOUND_CALL, center=lee.center, phone=PHONE, citizen_id=None,
                            sip_call_id=f"pin-{pin_verified}@edge", queued_at=None, case_number=None,
                            handoff_id=None, pin_verified_citizen=pin_verified)  # fmt: skip
        done = store.answered(lee, system.clock(), call)
        with system.engine.connect() as conn:
            t = tables.interactions
            return dict(conn.execute(select(t).where(t.c.id == done.interaction_id)).one()._mapping)

    lee = api.client().login("lee", PASSWORD)
    plain = answered_by_lee(None)
    assert plain["verified_method"] is None
    assert lee.get(f"/api/v1/cases/{number}").json()["case"].get("summary") != "종합소득세 체납 문의"
    lee.post(f"/api/v1/interactions/{plain['id']}/end", {"disposition": "answered"})

    contact = answered_by_lee(citizen_id)
    assert contact["citizen_id"] == citizen_id
    assert (contact["verified_method"], contact["verified_by"]) == ("ivr-pin", None)  # the system checked it
    detail = lee.get(f"/api/v1/cases/{number}")
    assert detail.status_code == 200 and detail.json()["case"]["summary"] == "종합소득세 체납 문의"


def test_a_purged_citizens_pin_goes_with_them(system: System, clock: FakeClock) -> None:
    real_now = dt.datetime.now(dt.UTC)
    clock.now = real_now - dt.timedelta(days=4000)
    with system.uow() as uow:
        citizen = register_citizen(uow, Actor.system("test"), clock(), system.rrn_key, name="홍길동")
        uow.flush()
        assert citizen.id is not None
        uow.pins.add(CitizenPin(citizen.id, HASHER.hash("3579"), clock()))
        uow.commit()
    closed_case(system, citizen.id)
    clock.now = real_now
    done = purge(system)
    assert done["cases"] == 1 and done["citizens"] == 1
    with system.engine.connect() as conn:
        assert conn.execute(select(tables.citizen_pins)).all() == []
