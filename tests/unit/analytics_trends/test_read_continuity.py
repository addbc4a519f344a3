"""``read_continuity`` counts the figures from the door's facts (the in-memory door here; the SQL adapter agrees
with it in tests/integration/door/ and is read end to end in tests/integration/analytics_trends/)."""

from __future__ import annotations

import datetime as dt

from analytics.trends.continuity import REPEAT_WINDOW, read_continuity
from crm.cases.model import Case, Channel, Handoff, Interaction
from crm.cases.status import CaseStatus
from crm.citizens.model import Citizen
from crm.door.memory import MemoryDoor
from crm.door.ports import ContinuityFacts
from kernel.calendar import SEOUL

START, END = dt.date(2020, 3, 2), dt.date(2020, 3, 9)


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=SEOUL)


class Facts:
    def __init__(self, facts: ContinuityFacts) -> None:
        self.facts = facts
        self.asked: list[tuple[dt.date, dt.date, str | None, dt.timedelta]] = []

    def continuity_facts(
        self, start: dt.date, end: dt.date, *, center: str | None = None, lookback: dt.timedelta
    ) -> ContinuityFacts:
        self.asked.append((start, end, center, lookback))
        return self.facts


def test_the_figures_are_the_rules_applied_to_the_facts() -> None:
    facts = ContinuityFacts(
        contacts=5, citizens=2, known_citizen_contacts=4,
        history=[(1, at("2020-02-28")), (1, at("2020-03-02")), (2, at("2020-03-03")), (2, at("2020-03-20"))],
        opened=[(True, 1, 0), (True, 2, 0), (False, 1, 0)], handoffs_per_case=[0, 1, 5],
        transfers=[("A", "B", 2)], callbacks={"done": 1, "pending": 1},
    )  # fmt: skip
    source = Facts(facts)
    m = read_continuity(source, START, END, "ACRC110")
    assert source.asked == [(START, END, "ACRC110", REPEAT_WINDOW)]
    assert (m.contacts, m.citizens, m.known_citizen_contacts, m.repeat_contacts) == (5, 2, 4, 1)
    assert (m.cases_opened, m.first_contact_resolved, m.fcr_rate) == (3, 1, 1 / 3)
    assert m.chains == {"0": 1, "1": 1, "2": 0, "3+": 1}
    assert m.transfers == [("A", "B", 2)] and m.callback_completion == 0.5


def test_read_from_the_in_memory_door() -> None:
    door = MemoryDoor()
    a = door.add_citizen(Citizen())
    case = door.add_case(Case("2020-ACRC110-1", a, Channel.INBOUND_CALL, "ACRC110", status=CaseStatus.RESOLVED,
                              created_at=at("2020-03-02")))  # fmt: skip
    for when in (at("2020-02-27"), at("2020-03-02")):
        door.add_interaction(Interaction(Channel.INBOUND_CALL, "ACRC110", when, case_id=case, citizen_id=a))
    door.add_handoff(Handoff(case, "ACRC110", "NTS126", "담당", "요약", at("2020-03-03")))
    m = read_continuity(door, START, END)
    assert (m.contacts, m.repeat_contacts, m.cases_opened, m.first_contact_resolved) == (1, 1, 1, 0)
    assert m.transfers == [("ACRC110", "NTS126", 1)] and m.chains["1"] == 1
