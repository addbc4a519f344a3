"""The IVR's self-service calls: a ``SelfService`` action carried out against the integrations' ports.

The ports and their in-memory adapters are the integrations' own (``integrations.bills``,
``integrations.certificates``); the real adapters (the tax office's ledger, 정부24 certificate issuing)
arrive with the agent-tools issue and honour the same contract. Citizens are looked up by the caller's
phone number (``citizen_ref``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from integrations.bills.port import BillLedger
from integrations.certificates.port import CertificateIssuer
from integrations.errors import ServiceUnavailable
from telephony.ivr.events import PortResult

if TYPE_CHECKING:
    from telephony.ivr.actions import SelfService


def run_self_service(action: SelfService, ledger: BillLedger, issuer: CertificateIssuer) -> PortResult:
    """Carry out a ``SelfService`` action against the ports; failures become ``PortResult(error=...)``."""
    try:
        if action.kind == "bill-inquiry":
            return PortResult(ledger.lookup_bill(action.citizen_ref, action.item))
        if action.kind == "certificate-reissue":
            return PortResult(issuer.reissue(action.item, action.citizen_ref))
    except ServiceUnavailable as exc:
        return PortResult(error=exc.message)
    return PortResult(error=f"unknown self-service kind {action.kind!r}")
