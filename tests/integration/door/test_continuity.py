"""Contract: the facts continuity figures are counted from, the same on every adapter of the door."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.cases.model import Callback, CallbackStatus, Case, Channel, Disposition, Handoff, Interaction
from crm.cases.status import CaseStatus
from crm.citizens.model import Citizen
from kernel.calendar import SEOUL
from tests.integration.door.conftest import DoorWorld

pytestmark = pytest.mark.integration

START, END = dt.date(2020, 3, 2), dt.date(2020, 3, 9)
LOOKBACK = dt.timedelta(days=7)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=SEOUL)


def test_the_facts_of_a_week_overall_and_for_one_center(world: DoorWorld) -> None:
    seed = world.seed
    a, b = seed.citizen(Citizen(birth_year=1970)), seed.citizen(Citizen(birth_year=1990))

    def case(n: int, citizen: int, opened: str, status: CaseStatus, center: str = "ACRC110") -> int:
        return seed.case(Case(f"2020-{center}-{n}", citizen, Channel.INBOUND_CALL, center, status=status,
                              created_at=at(opened), updated_at=at(opened)))  # fmt: skip

    x = case(900001, a, "2020-03-02", CaseStatus.RESOLVED)  # one contact, never handed off
    y = case(900002, b, "2020-03-03", CaseStatus.CLOSED)  # two contacts, one hand-off
    z = case(900003, b, "2020-02-20", CaseStatus.OPEN, "NTS126")  # opened before the week

    def contact(citizen: int | None, when: dt.datetime, case_id: int | None, center: str = "ACRC110",
                channel: Channel = Channel.INBOUND_CALL) -> None:  # fmt: skip
        seed.contact(Interaction(channel, center, when, case_id=case_id, citizen_id=citizen, ended_at=when,
                                 disposition=Disposition.ANSWERED))  # fmt: skip

    contact(a, at("2020-02-27"), None)  # in the lookback, not the period
    contact(a, at("2020-03-02"), x)
    contact(b, at("2020-03-03", 9), y)
    contact(b, at("2020-03-03", 15), y, center="NTS126")
    contact(b, at("2020-03-04"), z, center="NTS126")
    contact(None, at("2020-03-05"), None)  # an unknown caller
    contact(a, at("2020-03-06"), None, channel=Channel.SMS)  # not a voice contact
    contact(a, at("2020-03-09"), None)  # after the period
    seed.handoff(Handoff(y, "ACRC110", "NTS126", "담당 기관", "세금 문의", at("2020-03-03", 10)))
    seed.handoff(Handoff(z, "NTS126", "SEOUL120", "담당 기관", "지방세", at("2020-03-04", 11)))
    seed.handoff(Handoff(z, "NTS126", "SEOUL120", "담당 기관", "지방세", at("2020-03-05", 11)))
    seed.handoff(Handoff(y, "ACRC110", "NTS126", "이전", "이전", at("2020-02-25")))  # before the period
    for status, center in ((CallbackStatus.DONE, "ACRC110"), (CallbackStatus.PENDING, "ACRC110"),
                           (CallbackStatus.DONE, "NTS126")):  # fmt: skip
        seed.callback(Callback(y, b, center, at("2020-03-04", 12), "끊긴 통화", at("2020-03-04", 11), status=status))

    facts = world.continuity.continuity_facts(START, END, lookback=LOOKBACK)
    assert (facts.contacts, facts.citizens, facts.known_citizen_contacts) == (5, 2, 4)
    assert sorted(facts.history) == sorted([
        (a, at("2020-02-27")), (a, at("2020-03-02")), (b, at("2020-03-03", 9)), (b, at("2020-03-03", 15)),
        (b, at("2020-03-04")),
    ])  # fmt: skip
    assert sorted(facts.opened) == [(True, 1, 0), (True, 2, 2)]
    assert sorted(facts.handoffs_per_case) == [0, 2, 2]
    assert facts.transfers == [("NTS126", "SEOUL120", 2), ("ACRC110", "NTS126", 1)]
    assert facts.callbacks == {"done": 2, "pending": 1}

    nts = world.continuity.continuity_facts(START, END, center="NTS126", lookback=LOOKBACK)
    assert (nts.contacts, nts.citizens, nts.known_citizen_contacts) == (2, 1, 2)
    assert sorted(nts.history) == [(b, at("2020-03-03", 9)), (b, at("2020-03-03", 15)), (b, at("2020-03-04"))], (
        "a citizen's history spans every center"
    )
    assert nts.opened == [] and sorted(nts.handoffs_per_case) == [2, 2]
    assert nts.transfers == [("NTS126", "SEOUL120", 2), ("ACRC110", "NTS126", 1)]
    assert nts.callbacks == {"done": 1}

    empty = world.continuity.continuity_facts(dt.date(2019, 1, 1), dt.date(2019, 1, 2), lookback=LOOKBACK)
    assert (empty.contacts, empty.history, empty.opened, empty.transfers, empty.callbacks) == (0, [], [], [], {})
