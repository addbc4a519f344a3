"""The HTTP adapter of ``CertificateIssuer``: the 정부24 certificate-issuing API as
``docs/integrations/certificates.openapi.json`` states it, through the shared ``JsonClient`` (timeouts, retries
of reads and of keyed writes, a circuit breaker). Blocking: it runs on the control process's tool thread pool,
or on the IVR's.

Issuing always carries an ``Idempotency-Key`` (the request's, or a fresh one for this call), so a retry after a
lost answer never issues twice. The system's refusals come back as the port's typed errors by their code; an
answer that is not what the document states is ``CertificateIssuerUnavailable(reason="protocol")``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import ValidationError

from integrations.certificates import errors, wire
from integrations.certificates.kinds import CertificateKind
from integrations.certificates.pdf import MAX_PDF_BYTES
from integrations.certificates.port import CertificateReceipt, Delivery, IssuedCertificate, IssueRequest, Verdict
from integrations.http_client import JsonClient, Rejection
from integrations.settings import ToolConfig
from kernel.errors import DomainError

T = TypeVar("T")
SYSTEM = "증명서 발급 시스템(정부24)"
_ISSUE_NUMBER = re.compile(wire.ISSUE_NUMBER["pattern"])
_CODE = re.compile(wire.CODE_PATTERN)
# The system's error codes and the port's errors they are (anything else it refuses is a protocol failure).
REFUSALS: Mapping[str, type[DomainError]] = {
    error.code: error
    for error in (
        errors.UnknownCitizen,
        errors.UnknownKind,
        errors.CertificateNotFound,
        errors.ChannelNotOffered,
        errors.DeliveryNotAllowed,
        errors.NoContactPoint,
        errors.InvalidIssueRequest,
        errors.IdempotencyConflict,
        errors.UnreadableDocument,
    )
}
# What the IVR's reissue answers with None rather than an error (the port says so).
NOT_REISSUABLE = (
    errors.UnknownCitizen,
    errors.UnknownKind,
    errors.ChannelNotOffered,
    errors.DeliveryNotAllowed,
    errors.NoContactPoint,
)


class HttpCertificateIssuer:
    def __init__(self, base_url: str, api_key: str, config: ToolConfig) -> None:
        self.client = JsonClient(
            base_url, api_key, config, system=SYSTEM, unavailable=errors.CertificateIssuerUnavailable
        )

    def kinds(self) -> list[CertificateKind]:
        return self._read(wire.kinds_in, self._call(lambda: self.client.get("/v1/kinds")))

    def issue(self, request: IssueRequest) -> IssuedCertificate:
        key = request.idempotency_key or f"sori-{uuid.uuid4()}"  # a retry of this call issues once
        body = self._call(lambda: self.client.post("/v1/certificates", wire.issue_body(request), idempotency_key=key))
        return self._read(wire.certificate_in, body)

    def get(self, issue_number: str) -> IssuedCertificate:
        return self._read(wire.certificate_in, self._call(lambda: self.client.get(self._path(issue_number))))

    def pdf(self, issue_number: str) -> bytes:
        body = self._call(lambda: self.client.get(self._path(issue_number) + "/pdf"))
        if not isinstance(body, bytes) or not body.startswith(b"%PDF-"):
            raise self.client.failure("protocol", detail="the answer is not a PDF")
        return body

    def deliveries(self, issue_number: str) -> list[Delivery]:
        body = self._call(lambda: self.client.get(self._path(issue_number) + "/deliveries"))
        return self._read(wire.deliveries_in, body)

    def verify(self, issue_number: str, code: str) -> Verdict:
        number, code = issue_number.strip(), code.strip().upper()
        if not _ISSUE_NUMBER.fullmatch(number) or not _CODE.fullmatch(code):
            return Verdict.of("unknown")  # no such certificate can exist: asked of nobody
        body = {"issue_number": number, "verification_code": code}
        return self._read(wire.verdict_in, self._call(lambda: self.client.post("/v1/verifications", body)))

    def verify_pdf(self, pdf: bytes) -> Verdict:
        if len(pdf) > MAX_PDF_BYTES:
            raise errors.UnreadableDocument(f"파일이 너무 큽니다 ({len(pdf):,}바이트, 최대 {MAX_PDF_BYTES:,}바이트)")
        if not pdf.startswith(b"%PDF-"):
            raise errors.UnreadableDocument("PDF 파일이 아닙니다")
        body = self._call(
            lambda: self.client.post("/v1/verifications/pdf", None, raw=pdf, content_type="application/pdf")
        )
        return self._read(wire.verdict_in, body)

    def public_keys(self) -> dict[str, Any]:
        body = self._call(lambda: self.client.get("/v1/public-keys"))
        return self._read(lambda data: wire.PublicKeysOut.model_validate(data).model_dump(), body)

    def reissue(self, kind: str, citizen_ref: str) -> CertificateReceipt | None:
        """Issued by post on the IVR channel; None when the issuer refuses it as the port says."""
        try:
            issued = self.issue(IssueRequest(citizen_ref, kind, "ivr", "post"))
        except NOT_REISSUABLE:
            return None
        return CertificateReceipt(issued.kind_name, issued.receipt_number, issued.issue_number)

    def _path(self, issue_number: str) -> str:
        if not _ISSUE_NUMBER.fullmatch(issue_number):
            raise errors.CertificateNotFound("발급번호에 해당하는 증명서가 없습니다")  # never a path of another form
        return f"/v1/certificates/{quote(issue_number, safe='')}"

    def _call(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except Rejection as rejected:
            raise self._refused(rejected) from None

    def _refused(self, rejected: Rejection) -> Exception:
        """The system's refusal as the port's error of that code; an unknown code or a 413 said in its words."""
        if rejected.status == 413:
            return errors.UnreadableDocument("파일이 너무 큽니다", remote_error=rejected.code)
        if rejected.code == "validation-failed":  # a request off the document's schema
            return errors.InvalidIssueRequest(rejected.message or rejected.code, remote_error=rejected.code)
        error = REFUSALS.get(rejected.code)
        if error is not None:
            return error(rejected.message or rejected.code, **dict(rejected.details))
        return self.client.failure("protocol", status=rejected.status, remote_error=rejected.code)

    def _read(self, parse: Callable[[Any], T], body: Any) -> T:
        try:
            return parse(body)
        except (ValidationError, TypeError, ValueError, KeyError, DomainError):
            raise self.client.failure("protocol") from None
