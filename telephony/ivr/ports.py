"""Integration ports the IVR's self-service steps call, with in-memory adapters and demo data.

The real adapters (the tax office's ledger, 정부24 certificate issuing) arrive with the
agent-tools issue; until then the in-memory ports honour the same contract. Citizens are looked
up by the caller's phone number (``citizen_ref``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from telephony.ivr.errors import PortUnavailable

if TYPE_CHECKING:
    from telephony.ivr.actions import SelfService
    from telephony.ivr.events import PortResult


@dataclass(frozen=True)
class Bill:
    """An amount the citizen owes: kind (종합소득세, 지방세 …), amount in won, due date."""

    kind: str
    amount_won: int
    due: dt.date


@dataclass(frozen=True)
class CertificateReceipt:
    """Acknowledgement of a certificate reissue request."""

    kind: str
    receipt_number: str


class BillLedger(Protocol):
    def lookup_bill(self, citizen_ref: str, bill_kind: str) -> Bill | None:
        """The open bill of that kind, None when there is none; ``PortUnavailable`` when the ledger cannot answer."""
        ...


class CertificateIssuer(Protocol):
    def reissue(self, kind: str, citizen_ref: str) -> CertificateReceipt | None:
        """Request a reissue; None when the citizen is unknown; ``PortUnavailable`` when the issuer cannot answer."""
        ...


class InMemoryBillLedger:
    """Bills keyed by (citizen_ref, kind); ``available`` False simulates an outage."""

    def __init__(self, bills: Iterable[tuple[str, Bill]] = (), *, available: bool = True) -> None:
        self._bills: dict[tuple[str, str], Bill] = {(ref, bill.kind): bill for ref, bill in bills}
        self.available = available

    def lookup_bill(self, citizen_ref: str, bill_kind: str) -> Bill | None:
        if not self.available:
            raise PortUnavailable("bill ledger unavailable")
        return self._bills.get((citizen_ref, bill_kind))


class InMemoryCertificateIssuer:
    """Issues receipt numbers R-<year>-<sequence> for known citizens and certificate kinds."""

    def __init__(
        self, citizens: Iterable[str] = (), kinds: Iterable[str] = (), *, year: int = 2026, available: bool = True
    ) -> None:
        self._citizens = frozenset(citizens)
        self._kinds = frozenset(kinds)
        self._year = year
        self._sequence = 0
        self.issued: list[tuple[str, CertificateReceipt]] = []
        self.available = available

    def reissue(self, kind: str, citizen_ref: str) -> CertificateReceipt | None:
        if not self.available:
            raise PortUnavailable("certificate issuer unavailable")
        if citizen_ref not in self._citizens or kind not in self._kinds:
            return None
        self._sequence += 1
        receipt = CertificateReceipt(kind, f"R-{self._year}-{self._sequence:06d}")
        self.issued.append((citizen_ref, receipt))
        return receipt


def demo_citizens() -> list[str]:
    """The demo citizens' numbers, as in the foundation's demo data (010-5000-0000 … 0039)."""
    return [f"010-5000-{n:04d}" for n in range(40)]


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


def demo_certificate_issuer() -> InMemoryCertificateIssuer:
    return InMemoryCertificateIssuer(demo_citizens(), ("납세증명서", "소득금액증명", "사업자등록증명"))


def run_self_service(action: SelfService, ledger: BillLedger, issuer: CertificateIssuer) -> PortResult:
    """Carry out a ``SelfService`` action against the ports; failures become ``PortResult(error=...)``."""
    from telephony.ivr.events import PortResult

    try:
        if action.kind == "bill-inquiry":
            return PortResult(ledger.lookup_bill(action.citizen_ref, action.item))
        if action.kind == "certificate-reissue":
            return PortResult(issuer.reissue(action.item, action.citizen_ref))
    except PortUnavailable as exc:
        return PortResult(error=exc.message)
    return PortResult(error=f"unknown self-service kind {action.kind!r}")
