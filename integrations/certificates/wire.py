"""The certificate issuer's API bodies on the wire (pydantic) and their conversion to and from the port's types.

The reference service answers with these models and the HTTP adapter reads them back, so one definition fixes
the JSON both sides speak and the OpenAPI document (``docs/integrations/certificates.openapi.json``) states.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from integrations.certificates.kinds import CertificateKind, Channel, DeliveryMethod
from integrations.certificates.port import Delivery, IssuedCertificate, IssueRequest, Verdict
from kernel.http.models import In

# The issuer's forms (ECMA-262 and Python alike): the 16-digit 문서확인번호 in four groups, the 8-character
# verification code (case ignored), a citizen as the reference systems know them (a mobile number on file).
ISSUE_NUMBER: dict[str, Any] = {
    "type": "string",
    "pattern": "^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{4}$",
    "description": "발급번호 (문서확인번호), 16 digits in four groups",
}
CODE_PATTERN = "^[A-Za-z0-9]{8}$"
CITIZEN_PATTERN = "^[A-Za-z0-9+/=._-]{1,128}$"  # as the bill ledger's: a number on file today, the CI tomorrow
# One line of text: no control characters (a certificate's fields are single-line, see document.py).
ONE_LINE = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
KIND_PATTERN = "^[^\\u0000-\\u001f\\u007f-\\u009f]+$"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KindOut(_Out):
    id: str
    name: str
    agency: str
    fees: dict[Channel, Annotated[int, Field(ge=0)]] = Field(description="won per copy, by channel offered")
    deliveries: list[DeliveryMethod]
    details: list[str]
    aliases: list[str]


class KindsOut(_Out):
    kinds: list[KindOut]


class IssueIn(In):
    """Issue ``kind`` (id or Korean name) to the citizen; delivered only to the contact point on file."""

    citizen_ref: Annotated[
        str, Field(pattern=CITIZEN_PATTERN, description="the citizen (the reference: a mobile number on file)")
    ]
    kind: Annotated[str, Field(min_length=1, max_length=60, pattern=KIND_PATTERN)]
    channel: Channel
    delivery: DeliveryMethod
    purpose: Annotated[str, Field(max_length=100, pattern=ONE_LINE)] | None = None


class CertificateOut(_Out):
    issue_number: str
    receipt_number: str
    verification_code: str
    kind: str
    kind_name: str
    agency: str
    citizen_ref: str
    name: str = Field(description="masked (홍*동)")
    channel: Channel
    delivery: DeliveryMethod
    purpose: str | None
    fee: int
    issued_at: dt.datetime
    verify_url: str
    key_id: str


class DeliveryOut(_Out):
    delivery_id: str
    issue_number: str
    method: DeliveryMethod
    destination: str = Field(description="the contact point on file, masked")
    status: Literal["queued", "sent", "delivered", "failed"]
    updated_at: dt.datetime


class DeliveriesOut(_Out):
    deliveries: list[DeliveryOut]


class VerificationIn(In):
    issue_number: Annotated[str, Field(pattern=ISSUE_NUMBER["pattern"])]
    verification_code: Annotated[str, Field(pattern=CODE_PATTERN)]


class VerdictOut(_Out):
    """Only the verdict; the kind, issue date and masked name only when valid."""

    verdict: Literal["valid", "altered", "unknown"]
    kind: str | None
    issued_on: dt.date | None
    name: str | None


class PublicKeyOut(_Out):
    kid: str
    alg: Literal["Ed25519"]
    public_key: str = Field(description="base64url of the raw 32-byte Ed25519 public key")


class PublicKeysOut(_Out):
    keys: list[PublicKeyOut]


def kinds_out(kinds: list[CertificateKind]) -> KindsOut:
    return KindsOut.model_validate({"kinds": [kind.to_dict() for kind in kinds]})


def kinds_in(body: Any) -> list[CertificateKind]:
    return [CertificateKind.from_dict(kind.model_dump()) for kind in KindsOut.model_validate(body).kinds]


def issue_request(body: IssueIn, idempotency_key: str | None) -> IssueRequest:
    return IssueRequest(body.citizen_ref, body.kind, body.channel, body.delivery, body.purpose, idempotency_key)


def issue_body(request: IssueRequest) -> dict[str, Any]:
    """The JSON body of an issue request (its idempotency key travels in the header)."""
    body = request.to_dict()
    body.pop("idempotency_key")
    if body["purpose"] is None:
        body.pop("purpose")
    return body


def certificate_out(issued: IssuedCertificate) -> CertificateOut:
    return CertificateOut.model_validate(issued.to_dict())


def certificate_in(body: Any) -> IssuedCertificate:
    return IssuedCertificate.from_dict(CertificateOut.model_validate(body).model_dump())


def deliveries_out(found: list[Delivery]) -> DeliveriesOut:
    return DeliveriesOut.model_validate({"deliveries": [delivery.to_dict() for delivery in found]})


def deliveries_in(body: Any) -> list[Delivery]:
    return [Delivery.from_dict(entry.model_dump()) for entry in DeliveriesOut.model_validate(body).deliveries]


def verdict_out(verdict: Verdict) -> VerdictOut:
    return VerdictOut.model_validate(verdict.to_dict())


def verdict_in(body: Any) -> Verdict:
    parsed = VerdictOut.model_validate(body)
    if parsed.verdict != "valid":
        return Verdict.of(parsed.verdict)
    if parsed.kind is None or parsed.issued_on is None or parsed.name is None:
        raise ValueError("a valid verdict names the kind, the issue date and the masked name")
    return Verdict(parsed.verdict, parsed.kind, parsed.issued_on, parsed.name)


def public_keys_out(keys: dict[str, Any]) -> PublicKeysOut:
    return PublicKeysOut.model_validate(keys)
