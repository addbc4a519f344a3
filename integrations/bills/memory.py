"""An in-memory bill ledger, and the demo ledger ``sori up`` serves until the real one is configured."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from integrations.bills.port import Bill, BillLedgerUnavailable
from integrations.demo_citizens import demo_citizens


class InMemoryBillLedger:
    """Bills keyed by (citizen_ref, kind); ``available`` False simulates an outage."""

    def __init__(self, bills: Iterable[tuple[str, Bill]] = (), *, available: bool = True) -> None:
        self._bills: dict[tuple[str, str], Bill] = {(ref, bill.kind): bill for ref, bill in bills}
        self.available = available

    def lookup_bill(self, citizen_ref: str, bill_kind: str) -> Bill | None:
        if not self.available:
            raise BillLedgerUnavailable("bill ledger unavailable")
        return self._bills.get((citizen_ref, bill_kind))


DEMO_BILL_KINDS: Mapping[str, tuple[int, dt.date]] = {
    "종합소득세": (1_234_560, dt.date(2026, 5, 31)),
    "부가가치세": (387_200, dt.date(2026, 7, 25)),
    "자동차세": (142_340, dt.date(2026, 6, 30)),
}


def demo_bill_ledger() -> InMemoryBillLedger:
    """Every even demo citizen owes each demo bill kind, with amounts varied per citizen."""
    bills = [
        (ref, Bill(kind, amount + index * 1_010, due))
        for index, ref in enumerate(demo_citizens())
        if index % 2 == 0
        for kind, (amount, due) in DEMO_BILL_KINDS.items()
    ]
    return InMemoryBillLedger(bills)
