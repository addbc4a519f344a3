"""The port: what Sori asks of a bill ledger, the answer's shape, and the error every adapter raises (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from integrations.errors import ServiceUnavailable


@dataclass(frozen=True)
class Bill:
    """An amount the citizen owes: kind (종합소득세, 지방세 …), amount in won, due date."""

    kind: str
    amount_won: int
    due: dt.date


class BillLedgerUnavailable(ServiceUnavailable):
    """The ledger could not answer."""

    code = "bill-ledger-unavailable"


class BillLedger(Protocol):
    def lookup_bill(self, citizen_ref: str, bill_kind: str) -> Bill | None:
        """The open bill of that kind for the citizen (``citizen_ref``: their phone number), None when there is
        none; ``BillLedgerUnavailable`` when the ledger cannot answer."""
        ...
