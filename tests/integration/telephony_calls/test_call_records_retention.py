"""The call desk's records under the store's retention (``sori purge``): kept as long as a closed case, then
gone; a record never holds a purged contact's link."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from crm.calls.model import AgentStateChange, CallKind, FinishedCall
from crm.cases.model import Channel, Disposition
from crm.door.calls import AnsweredCall
from crm.door.sql_desk import AgentContacts
from crm.store import tables
from sori.purge import purge
from sori.wiring import System

pytestmark = pytest.mark.integration


def test_records_older_than_a_closed_cases_period_go(system: System) -> None:
    store = AgentContacts(system.uow, system.policy, system.calendar)
    now = system.clock()
    days = system.settings.retention.closed_cases_days
    for name, age in (("old", days + 1), ("kept", days - 1)):
        at = now - dt.timedelta(days=age)
        store.call_finished(FinishedCall(name, CallKind.INBOUND, "ACRC110", "general", at, interaction_id=99,
                                         abandoned_at=at + dt.timedelta(seconds=9)))  # fmt: skip
        store.agent_state_changed(AgentStateChange(1, "ACRC110", at, "ready", "not-ready"))
    assert purge(system, dry_run=True)["call_records"] == 1
    counts = purge(system)
    assert (counts["call_records"], counts["agent_state_changes"]) == (1, 1)
    with system.uow(readonly=True) as uow:
        assert uow.session is not None
        assert list(uow.session.scalars(select(tables.call_records.c.call_id))) == ["kept"]
        assert len(list(uow.session.scalars(select(tables.agent_state_changes.c.id)))) == 1


def test_a_purged_contacts_call_record_loses_its_link(system: System) -> None:
    store = AgentContacts(system.uow, system.policy, system.calendar)
    kim = next(a for a in store.agents() if a.login == "kim")
    real_now = system.clock()
    system.clock.now = long_ago = real_now - dt.timedelta(days=4000)  # type: ignore[attr-defined]
    answered = store.answered(kim, long_ago, AnsweredCall(Channel.INBOUND_CALL, "ACRC110", None, None, "old@sip",
                                                          long_ago, None, None))  # fmt: skip
    # a record still within its period that names the contact (as the contact's end writes it)
    yesterday = real_now - dt.timedelta(days=1)
    record = FinishedCall("w1.1#1", CallKind.INBOUND, "ACRC110", "general", yesterday, sip_call_id="old@sip",
                          agent_id=kim.agent_id, interaction_id=answered.interaction_id)  # fmt: skip
    store.ended(kim, long_ago, interaction_id=answered.interaction_id, disposition=Disposition.ANSWERED,
                dropped=False, recording_ref=None, call=record)  # fmt: skip
    system.clock.now = real_now  # type: ignore[attr-defined]
    assert purge(system)["interactions"] == 1
    (row,) = store.today(yesterday)[0]
    assert (row.call_id, row.agent_id, row.interaction_id, row.sip_call_id) == ("w1.1#1", kim.agent_id, None, None)
