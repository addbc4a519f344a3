"""The port: what Sori asks of a certificate issuer (정부24 and the agencies behind it), the answers' shapes and
the errors every adapter raises (pure).

Every input and output has a JSON form (``to_dict``/``from_dict``), so an HTTP adapter and reference service
carry them as they are; a PDF travels as bytes (``application/pdf``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol, cast, get_args

from integrations.certificates.citizens import mask_name
from integrations.certificates.errors import CertificateIssuerUnavailable, InvalidIssueRequest
from integrations.certificates.kinds import CHANNELS, DELIVERY_METHODS, CertificateKind, Channel, DeliveryMethod

__all__ = [
    "CertificateIssuer",
    "CertificateIssuerUnavailable",
    "CertificateReceipt",
    "Delivery",
    "DeliveryStatus",
    "IssueRequest",
    "IssuedCertificate",
    "Verdict",
]

DeliveryStatus = Literal["queued", "sent", "delivered", "failed"]
VerdictName = Literal["valid", "altered", "unknown"]


@dataclass(frozen=True)
class CertificateReceipt:
    """Acknowledgement of a certificate reissue request (the IVR reads ``kind`` and ``receipt_number`` aloud)."""

    kind: str
    receipt_number: str
    issue_number: str | None = None


@dataclass(frozen=True)
class IssueRequest:
    """Issue ``kind`` (id or Korean name) to ``citizen_ref`` on ``channel``, delivered by ``delivery`` to the
    matching contact point on file. The same ``idempotency_key`` issues once (a retry gets the same answer)."""

    citizen_ref: str
    kind: str
    channel: Channel
    delivery: DeliveryMethod
    purpose: str | None = None
    idempotency_key: str | None = None

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise InvalidIssueRequest(f"알 수 없는 발급 경로입니다: {self.channel}")
        if self.delivery not in DELIVERY_METHODS:
            raise InvalidIssueRequest(f"알 수 없는 수령 방법입니다: {self.delivery}")
        if self.purpose is not None and len(self.purpose) > 100:
            raise InvalidIssueRequest("용도는 100자 이내로 적어 주세요")

    def to_dict(self) -> dict[str, Any]:
        return {
            "citizen_ref": self.citizen_ref,
            "kind": self.kind,
            "channel": self.channel,
            "delivery": self.delivery,
            "purpose": self.purpose,
            "idempotency_key": self.idempotency_key,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IssueRequest:
        try:
            purpose, key = data.get("purpose"), data.get("idempotency_key")
            return cls(
                str(data["citizen_ref"]),
                str(data["kind"]),
                cast("Channel", str(data["channel"])),
                cast("DeliveryMethod", str(data["delivery"])),
                None if purpose is None else str(purpose),
                None if key is None else str(key),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise InvalidIssueRequest(f"발급 요청 형식이 올바르지 않습니다: {exc}") from exc


@dataclass(frozen=True)
class IssuedCertificate:
    """One issued certificate (``kind``: the kind's id; ``name``: masked; ``issued_at``: Asia/Seoul)."""

    issue_number: str
    receipt_number: str
    verification_code: str
    kind: str
    kind_name: str
    agency: str
    citizen_ref: str
    name: str
    channel: Channel
    delivery: DeliveryMethod
    purpose: str | None
    fee: int
    issued_at: dt.datetime
    verify_url: str
    key_id: str

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["issued_at"] = self.issued_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> IssuedCertificate:
        values = {name: data[name] for name in cls.__dataclass_fields__}
        values["issued_at"] = dt.datetime.fromisoformat(str(data["issued_at"]))
        return cls(**values)


@dataclass(frozen=True)
class Delivery:
    """One entry of a certificate's outbox (``destination``: the contact point, masked)."""

    delivery_id: str
    issue_number: str
    method: DeliveryMethod
    destination: str
    status: DeliveryStatus
    updated_at: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "delivery_id": self.delivery_id,
            "issue_number": self.issue_number,
            "method": self.method,
            "destination": self.destination,
            "status": self.status,
            "updated_at": self.updated_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Delivery:
        return cls(
            str(data["delivery_id"]),
            str(data["issue_number"]),
            cast("DeliveryMethod", data["method"]),
            str(data["destination"]),
            cast("DeliveryStatus", data["status"]),
            dt.datetime.fromisoformat(str(data["updated_at"])),
        )


@dataclass(frozen=True)
class Verdict:
    """A verification's answer: only the kind, the issue date and the masked name, and only when valid."""

    verdict: VerdictName
    kind: str | None = None
    issued_on: dt.date | None = None
    name: str | None = None

    @classmethod
    def of_valid(cls, kind_name: str, issued_on: dt.date, name: str) -> Verdict:
        return cls("valid", kind_name, issued_on, mask_name(name))

    @classmethod
    def of(cls, verdict: str) -> Verdict:
        if verdict not in get_args(VerdictName):
            raise ValueError(verdict)
        return cls(cast("VerdictName", verdict))

    @property
    def valid(self) -> bool:
        return self.verdict == "valid"

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "kind": self.kind,
            "issued_on": None if self.issued_on is None else self.issued_on.isoformat(),
            "name": self.name,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Verdict:
        issued_on = data.get("issued_on")
        verdict = cls.of(str(data["verdict"]))
        if not verdict.valid:
            return verdict
        return cls(verdict.verdict, data.get("kind"), dt.date.fromisoformat(str(issued_on)), data.get("name"))


class CertificateIssuer(Protocol):
    """정부24 certificate issuing. Errors: ``UnknownCitizen``, ``UnknownKind``, ``ChannelNotOffered``,
    ``DeliveryNotAllowed``, ``NoContactPoint``, ``IdempotencyConflict``, ``CertificateNotFound``,
    ``UnreadableDocument`` (``integrations.certificates.errors``); ``CertificateIssuerUnavailable`` when the
    issuer cannot answer."""

    def kinds(self) -> list[CertificateKind]:
        """The kinds on offer, with fees by channel and allowed deliveries."""
        ...

    def issue(self, request: IssueRequest) -> IssuedCertificate:
        """Issue a certificate and queue its delivery to the citizen's contact point on file."""
        ...

    def get(self, issue_number: str) -> IssuedCertificate: ...

    def pdf(self, issue_number: str) -> bytes:
        """The sealed PDF of an issued certificate."""
        ...

    def deliveries(self, issue_number: str) -> list[Delivery]:
        """The certificate's outbox: one entry per delivery, with its status."""
        ...

    def verify(self, issue_number: str, code: str) -> Verdict:
        """Check an issue number and its verification code (a wrong code is ``unknown``: it reveals nothing)."""
        ...

    def verify_pdf(self, pdf: bytes) -> Verdict:
        """Check a PDF: its seal and signatures, and that it is a certificate this issuer issued."""
        ...

    def public_keys(self) -> dict[str, Any]:
        """The published verification keys: ``{"keys": [{"kid", "alg": "Ed25519", "public_key"}]}``."""
        ...

    def reissue(self, kind: str, citizen_ref: str) -> CertificateReceipt | None:
        """The IVR's self-service reissue: issue ``kind`` (id or Korean name) by post to the address on file.
        None when the citizen or the kind is unknown, or the kind cannot be reissued by phone or post;
        ``CertificateIssuerUnavailable`` when the issuer cannot answer."""
        ...
