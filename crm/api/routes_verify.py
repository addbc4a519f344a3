"""Routes: the public forgery check of a certificate (no login) — by issue number and verification code, or by
the PDF itself.

Anyone holding a certificate (a bank, a landlord, the citizen) may check it, so these routes take no token
and answer only ``{verdict, kind, issued_on, name}`` (the name masked, and the fields only when valid). A wrong
code and a number never issued answer alike (``unknown``), and so does an issue number or code that cannot be
one: the answer never says whether a number exists. Checks are rate-limited per client address
(``public_verify.TokenBuckets``: 429 with ``Retry-After``).

The API's bodies are JSON (``kernel.http.body``), so the PDF comes base64-encoded as ``{"pdf_base64": …}``, at
most ``MAX_PDF_BYTES`` once decoded (the ``/verify`` page takes the file itself, as a form upload). Bytes that
are no PDF at all answer ``unknown`` like any file this issuer did not seal (the page says it is unreadable).
"""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal

from pydantic import Field
from twisted.internet import defer

from crm.api.deps import ApiDeps
from crm.api.public_verify import MAX_PDF_BYTES, issue_number, too_many_message, verification_code
from crm.api.routes_core import V1
from crm.api.tools import available, configured
from integrations.certificates.errors import UnreadableDocument
from integrations.certificates.port import Verdict
from kernel.http.errors import error_body
from kernel.http.kit import ApiRequest, Later, Reply, Router
from kernel.http.models import In, Out

PUBLIC = f"{V1}/public/certificates"
MAX_PDF_BASE64 = 4 * ((MAX_PDF_BYTES + 2) // 3)
_TEXT = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
BASE64 = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


class CertificateCheckIn(In):
    issue_number: Annotated[str, Field(min_length=1, max_length=40, pattern=_TEXT)] = Field(
        description="발급번호 as printed (16 digits; spaces or hyphens between groups are fine)"
    )
    verification_code: Annotated[str, Field(min_length=1, max_length=40, pattern=_TEXT)] = Field(
        description="검증코드 as printed (8 letters and digits; case does not matter)"
    )


class CertificatePdfCheckIn(In):
    pdf_base64: Annotated[str, Field(min_length=4, max_length=MAX_PDF_BASE64, pattern=BASE64)] = Field(
        description=f"the certificate PDF, base64 (RFC 4648, padded; at most {MAX_PDF_BYTES:,} bytes decoded)"
    )


class CertificateVerdictOut(Out):
    """Only the verdict; the kind, the issue date and the masked name only when valid."""

    verdict: Literal["valid", "altered", "unknown"]
    kind: str | None
    issued_on: str | None = Field(description="YYYY-MM-DD (Asia/Seoul)")
    name: str | None = Field(description="masked: 홍*동")


def verdict_out(verdict: Verdict) -> CertificateVerdictOut:
    issued_on = None if verdict.issued_on is None else verdict.issued_on.isoformat()
    return CertificateVerdictOut(verdict=verdict.verdict, kind=verdict.kind, issued_on=issued_on, name=verdict.name)


def register(router: Router, deps: ApiDeps) -> None:
    """The public check routes, rate-limited by ``deps.verify_limiter`` (10 checks at once, 10 a minute per
    address, shared with the /verify page)."""
    buckets = deps.verify_limiter

    def throttled(req: ApiRequest[Any]) -> Reply | None:
        wait = buckets.take(req.remote)
        if wait is None:
            return None
        body = error_body("verify-rate-limited", too_many_message(wait), {"retry_after": wait})
        return Reply(429, body, {"retry-after": str(wait)})

    def answer(d: defer.Deferred[Verdict]) -> defer.Deferred[Reply]:
        return d.addCallback(lambda verdict: Reply(200, verdict_out(verdict)))

    def check(req: ApiRequest[CertificateCheckIn], uow: Any) -> Reply | Later:
        refused = throttled(req)
        if refused is not None:
            return refused
        tools = available(deps.tools)
        issuer = configured(tools.certificates, "certificates")
        number, code = issue_number(req.body.issue_number), verification_code(req.body.verification_code)
        if number is None or code is None:
            return Reply(200, verdict_out(Verdict.of("unknown")))  # as any other certificate we cannot find
        return Later(lambda: answer(tools.call(issuer.verify, number, code)))

    router.route(
        "POST",
        f"{PUBLIC}/verify",
        summary="Check a certificate by its issue number and verification code (no login): valid with the kind, "
        "issue date and masked name, or unknown — never whether the number exists",
        tag="public",
        roles=None,
        body=CertificateCheckIn,
        responses={200: CertificateVerdictOut},
        errors=(429, 503),
        writes=False,
        idempotent_post=False,
    )(check)

    def check_pdf(req: ApiRequest[CertificatePdfCheckIn], uow: Any) -> Reply | Later:
        refused = throttled(req)
        if refused is not None:
            return refused
        tools = available(deps.tools)
        issuer = configured(tools.certificates, "certificates")
        pdf = base64.b64decode(req.body.pdf_base64, validate=True)  # the schema's pattern admits base64 only

        def call() -> Verdict:
            try:
                return issuer.verify_pdf(pdf)
            except UnreadableDocument:  # no PDF at all: certainly no certificate that can be confirmed
                return Verdict.of("unknown")

        return Later(lambda: answer(tools.call(call)))

    router.route(
        "POST",
        f"{PUBLIC}/verify-pdf",
        summary="Check a certificate PDF (no login; base64 in JSON): valid, altered (changed or forged) or "
        "unknown (not one this issuer sealed, a file that is no PDF included)",
        tag="public",
        roles=None,
        body=CertificatePdfCheckIn,
        responses={200: CertificateVerdictOut},
        errors=(429, 503),
        writes=False,
        idempotent_post=False,
    )(check_pdf)
