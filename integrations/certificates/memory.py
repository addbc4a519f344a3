"""An in-memory certificate issuer, and the demo issuer ``sori up`` serves until the real one is configured."""

from __future__ import annotations

from collections.abc import Iterable

from integrations.certificates.port import CertificateIssuerUnavailable, CertificateReceipt
from integrations.demo_citizens import demo_citizens


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
            raise CertificateIssuerUnavailable("certificate issuer unavailable")
        if citizen_ref not in self._citizens or kind not in self._kinds:
            return None
        self._sequence += 1
        receipt = CertificateReceipt(kind, f"R-{self._year}-{self._sequence:06d}")
        self.issued.append((citizen_ref, receipt))
        return receipt


def demo_certificate_issuer() -> InMemoryCertificateIssuer:
    return InMemoryCertificateIssuer(demo_citizens(), ("납세증명서", "소득금액증명", "사업자등록증명"))
