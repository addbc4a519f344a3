"""What every certificate issuer does the same way, whatever keeps its register (memory or SQLite): the kinds on
offer, the forgery check of an uploaded PDF against the register, the published keys, the IVR's reissue, and the
outage switch. An issuer subclasses ``IssuerBase`` and says how it finds a certificate's signed content."""

from __future__ import annotations

from typing import Any

from integrations.certificates.citizens import CitizenRecord
from integrations.certificates.errors import CertificateIssuerUnavailable
from integrations.certificates.issuing import reissue_request
from integrations.certificates.kinds import CertificateKind, KindTable
from integrations.certificates.pdf import verify_certificate
from integrations.certificates.port import CertificateReceipt, IssuedCertificate, IssueRequest, Verdict
from integrations.certificates.signing import KeyRing


class IssuerBase:
    keys: KeyRing
    available: bool
    _kinds: KindTable
    _citizens: dict[str, CitizenRecord]

    def issue(self, request: IssueRequest) -> IssuedCertificate:
        raise NotImplementedError

    def _registered_content(self, issue_number: str) -> bytes | None:
        """The canonical content the register holds for ``issue_number`` (None: never issued here)."""
        raise NotImplementedError

    def kinds(self) -> list[CertificateKind]:
        self._check_available()
        return list(self._kinds)

    def verify_pdf(self, pdf: bytes) -> Verdict:
        self._check_available()
        checked = verify_certificate(pdf, self.keys.public())
        if checked.content is None:
            return checked.verdict
        registered = self._registered_content(checked.content.issue_number)
        if registered is None or registered != checked.content.to_bytes():
            return Verdict.of("unknown")  # signed by our key but not in our register (e.g. another instance's)
        return checked.verdict

    def public_keys(self) -> dict[str, Any]:
        return self.keys.public().to_json()

    def reissue(self, kind: str, citizen_ref: str) -> CertificateReceipt | None:
        self._check_available()
        request = reissue_request(kind, citizen_ref, self._kinds, self._citizens)
        if request is None:
            return None
        issued = self.issue(request)
        return CertificateReceipt(issued.kind_name, issued.receipt_number, issued.issue_number)

    def _check_available(self) -> None:
        if not self.available:
            raise CertificateIssuerUnavailable("certificate issuer unavailable")
