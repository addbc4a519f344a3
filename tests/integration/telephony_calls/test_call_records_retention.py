"""The call desk's records under the store's retention (``sori purge``): records, state changes and the history's
rollups kept ``telephony.call_records_retention_days``, an abandoned caller's digits
``telephony.abandoned_caller_retention_days``; a record never holds a purged contact's link."""

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
SECOND = dt.timedelta(seconds=1)


def test_records_and_rollups_older_than_their_period_go(system: System) -> None:
    store = AgentContacts(system.uow, system.policy, system.calendar)
    now = system.clock()
    days = system.settings.telephony.call_records_retention_days
    assert days == 400, "the default"
    for name, age in (("old", days + 1), ("kept", days - 1)):
        at = now - dt.timedelta(days=age)
        gone = FinishedCall(name, CallKind.INBOUND, "ACRC110", "general", at, interaction_id=99,
                            abandoned_at=at + dt.timedelta(seconds=9))  # fmt: skip
        store.call_finished(gone, caller_digits="01012345678")
        store.agent_state_changed(AgentStateChange(1, "ACRC110", at, "ready", "not-ready"))
        later = at + dt.timedelta(minutes=20)
        store.agent_state_changed(AgentStateChange(1, "ACRC110", later, "logged-out", "ready"))
    dry = purge(system, dry_run=True)
    assert (dry["call_records"], dry["call_rollups"], dry["abandoned_callers"]) == (1, 1, 1)
    counts = purge(system)
    assert (counts["call_records"], counts["agent_state_changes"], counts["abandoned_callers"]) == (1, 2, 1)
    assert (counts["call_rollups"], counts["call_rollups_daily"]) == (1, 1)
    assert (counts["agent_state_rollups"], counts["agent_state_rollups_daily"]) == (2, 1)  # 20 min: 2 intervals
    assert counts["abandoned_caller_digits"] == 1, "the kept record's caller is older than a week"
    with system.uow(readonly=True) as uow:
        assert uow.session is not None
        assert list(uow.session.scalars(select(tables.call_records.c.call_id))) == ["kept"]
        assert len(list(uow.session.scalars(select(tables.agent_state_changes.c.id)))) == 2
        assert len(list(uow.session.scalars(select(tables.call_rollups.c.offered)))) == 1
        assert len(list(uow.session.scalars(select(tables.agent_state_rollups.c.seconds)))) == 2
        caller = uow.session.execute(select(tables.abandoned_callers)).one()
        assert (caller.caller_masked, caller.caller_digits) == ("010-****-5678", None), "the masked number stays"
    assert purge(system)["abandoned_caller_digits"] == 0


def test_a_recent_abandoned_callers_digits_stay(system: System) -> None:
    store = AgentContacts(system.uow, system.policy, system.calendar)
    at = system.clock() - dt.timedelta(days=6)
    gone = FinishedCall("recent", CallKind.INBOUND, "ACRC110", "general", at, abandoned_at=at + SECOND * 30)
    store.call_finished(gone, caller_digits="0212345678")
    assert purge(system)["abandoned_caller_digits"] == 0
    with system.uow(readonly=True) as uow:
        assert uow.session is not None
        caller = uow.session.execute(select(tables.abandoned_callers)).one()
        assert (caller.caller_masked, caller.caller_digits) == ("02-****-5678", "0212345678")


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


def test_supervisors_actions_and_schedules_go_with_the_records(system: System) -> None:
    """The audit of supervisors' actions (messages to agents included) and imported staffing schedules are kept
    as long as the call records, then purged."""
    from crm.door.supervisor import SupervisorAction, record_supervisor_action
    from crm.store.schedules import replace_schedule

    now = system.clock()
    days = system.settings.telephony.call_records_retention_days
    with system.uow() as uow:
        for name, age in (("old", days + 1), ("kept", days - 1)):
            at = now - dt.timedelta(days=age)
            record_supervisor_action(uow, SupervisorAction(at, 1, "sup", "supervisor", "ACRC110", "message",
                                                           target_login="kim", detail={"text": name}))  # fmt: skip
        uow.commit()
    start = (now - dt.timedelta(days=days + 1)).replace(minute=0, second=0, microsecond=0)
    with system.engine.begin() as conn:
        replace_schedule(conn, "ACRC110", [(start, 3), (start + dt.timedelta(days=2), 4)], "sup", now)
    counts = purge(system)
    assert (counts["supervisor_actions"], counts["staffing_schedules"]) == (1, 1)
    with system.uow(readonly=True) as uow:
        assert uow.session is not None
        kept = list(uow.session.scalars(select(tables.supervisor_actions.c.detail)))
        assert kept == [{"text": "kept"}]
        assert list(uow.session.scalars(select(tables.staffing_schedules.c.agents))) == [4]
