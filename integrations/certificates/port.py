"""The port: what Sori asks of a certificate issuer, the answer's shape, and the error every adapter raises
(pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from integrations.errors import ServiceUnavailable


@dataclass(frozen=True)
class CertificateReceipt:
    """Acknowledgement of a certificate reissue request."""

    kind: str
    receipt_number: str


class CertificateIssuerUnavailable(ServiceUnavailable):
    """The issuer could not answer."""

    code = "certificate-issuer-unavailable"


class CertificateIssuer(Protocol):
    def reissue(self, kind: str, citizen_ref: str) -> CertificateReceipt | None:
        """Request a reissue for the citizen (``citizen_ref``: their phone number); None when the citizen or the
        kind is unknown; ``CertificateIssuerUnavailable`` when the issuer cannot answer."""
        ...
