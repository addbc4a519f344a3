"""The reference service's demo ledger follows the day: a service started before midnight answers after it as
one started that day would (the demo's notices anchored to today, not to the day it started)."""

from __future__ import annotations

import datetime as dt
import sqlite3

from integrations.bills.demo import demo_channels, demo_records_on
from integrations.bills.memory import InMemoryBillLedger
from integrations.bills.stored import StoredBillLedger


def test_the_demo_ledger_moves_to_the_new_day_at_midnight() -> None:
    day = [dt.date(2026, 12, 7)]
    stored = StoredBillLedger(sqlite3.connect(":memory:"), demo_records_on, today=lambda: day[0],
                              channels=demo_channels())  # fmt: skip
    ref = demo_records_on(day[0])[0][0]
    before = stored.notices(ref)
    day[0] = dt.date(2026, 12, 8)
    after = stored.notices(ref)
    fresh = InMemoryBillLedger(demo_records_on(day[0]), today=lambda: day[0], channels=demo_channels())
    assert after == fresh.notices(ref)
    assert [n.record.issued_on for n in after] == [n.record.issued_on + dt.timedelta(days=1) for n in before]
