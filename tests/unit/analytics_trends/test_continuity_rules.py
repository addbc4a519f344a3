"""The continuity counting rules (``analytics.trends.continuity``): repeat contacts within the week before,
first-contact resolution, transfer-chain buckets."""

from __future__ import annotations

import datetime as dt

from analytics.trends.continuity import chains, first_contact_resolved, repeat_contacts
from kernel.calendar import SEOUL


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=SEOUL)


def test_the_counting_rules() -> None:
    start = at("2020-03-02", 0)
    contacts = [(1, at("2020-02-22", 9)), (1, at("2020-03-02", 8)), (2, at("2020-03-03")), (2, at("2020-03-11"))]
    assert repeat_contacts(contacts, start) == 0, "8 days and 23 hours apart: not within the week"
    assert repeat_contacts([*contacts, (2, at("2020-03-03", 18))], start) == 1, "03-11 is 7 days 16 hours later"
    assert first_contact_resolved([(True, 1, 0), (True, 2, 0), (True, 1, 1), (False, 1, 0)]) == 1
    assert chains([0, 1, 2, 3, 7, 0]) == {"0": 2, "1": 1, "2": 1, "3+": 2}
