"""Continuity figures read from the case store (SQLite and PostgreSQL): repeat contacts across centers,
first-contact resolution, transfer chains and paths, callbacks; in a 2020 week the demo seed never touches,
so every figure is known by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from analytics.trends.continuity import read_continuity
from crm.cases.model import Callback, CallbackStatus, Case, Channel, Disposition, Handoff, Interaction
from crm.cases.status import CaseStatus
from crm.door.sql_contacts import SqlPhoneContacts
from crm.store import migrate
from kernel.calendar import SEOUL
from sori.seed.demo import seed_demo
from tests.support.system import make_system

pytestmark = pytest.mark.integration

START, END = dt.date(2020, 3, 2), dt.date(2020, 3, 9)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=SEOUL)


def test_continuity_of_a_week_from_the_case_store(database_url: str, tmp_path: Path) -> None:
    system = make_system(database_url, tmp_path / "state")
    migrate.upgrade(system.engine)
    seed_demo(system)
    with system.uow() as uow:
        a, b, c = (z.id for z in uow.citizens.by_phone("01050000001")[:1] + uow.citizens.by_phone("01050000002")[:1]
                   + uow.citizens.by_phone("01050000003")[:1])  # fmt: skip
        assert None not in (a, b, c)

        def case(number: str, citizen: int | None, opened: str, status: CaseStatus) -> int:
            row = Case(number, citizen or 0, Channel.INBOUND_CALL, "ACRC110", status=status, created_at=at(opened),
                       updated_at=at(opened))  # fmt: skip
            uow.cases.add(row)
            uow.flush()
            assert row.id is not None
            return row.id

        x = case("2020-ACRC110-900001", a, "2020-03-02", CaseStatus.RESOLVED)  # one contact: resolved at first
        y = case("2020-ACRC110-900002", b, "2020-03-03", CaseStatus.RESOLVED)  # two contacts, one hand-off
        z = case("2020-ACRC110-900003", c, "2020-03-04", CaseStatus.OPEN)  # one contact, still open
        w = case("2020-ACRC110-900004", c, "2020-02-20", CaseStatus.RESOLVED)  # opened before the week

        def contact(citizen: int | None, when: dt.datetime, case_id: int | None, center: str = "ACRC110") -> None:
            uow.interactions.add(Interaction(Channel.INBOUND_CALL, center, when, case_id=case_id, citizen_id=citizen,
                                             ended_at=when, disposition=Disposition.ANSWERED))  # fmt: skip

        contact(a, at("2020-02-28"), None)  # before the week, 3 days before a's next: makes it a repeat
        contact(a, at("2020-03-02"), x)  # repeat
        contact(a, at("2020-03-20"), None)  # after the week
        contact(b, at("2020-03-03", 9), y)
        contact(b, at("2020-03-03", 15), y, center="NTS126")  # repeat, at another center
        contact(c, at("2020-02-20"), w)  # 13 days before c's next: not a repeat
        contact(c, at("2020-03-04"), z)
        contact(None, at("2020-03-05"), None)  # an unknown caller: counted, never a repeat
        uow.handoffs.add(Handoff(y, "ACRC110", "NTS126", "세금 문의", "자동차세 납부 기한", at("2020-03-03", 12)))
        uow.callbacks.add(Callback(y, b or 0, "ACRC110", at("2020-03-03", 16), "dropped", at("2020-03-03", 15),
                                   status=CallbackStatus.DONE))  # fmt: skip
        uow.callbacks.add(Callback(z, c or 0, "ACRC110", at("2020-03-04", 16), "dropped", at("2020-03-04", 15)))
        uow.commit()

    m = read_continuity(SqlPhoneContacts(system.engine), START, END)
    assert (m.contacts, m.citizens, m.known_citizen_contacts, m.repeat_contacts) == (5, 3, 4, 2)
    assert m.repeat_rate == 0.5
    assert (m.cases_opened, m.first_contact_resolved) == (3, 1)
    assert m.chains == {"0": 2, "1": 1, "2": 0, "3+": 0}
    assert m.transfers == [("ACRC110", "NTS126", 1)]
    assert m.callbacks == {"done": 1, "pending": 1} and m.callback_completion == 0.5

    nts = read_continuity(SqlPhoneContacts(system.engine), START, END, center="NTS126")
    assert (nts.contacts, nts.repeat_contacts) == (1, 1), "a repeat counts the earlier contact at any center"
    assert nts.transfers == [("ACRC110", "NTS126", 1)] and nts.cases_opened == 0 and nts.callbacks == {}
    empty = read_continuity(SqlPhoneContacts(system.engine), dt.date(2019, 1, 1), dt.date(2019, 1, 2))
    assert (empty.contacts, empty.repeat_rate, empty.fcr_rate, empty.callback_completion) == (0, None, None, None)
    system.engine.dispose()
