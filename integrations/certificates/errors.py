"""The certificate issuer's errors, each with a stable code and a Korean message for the agent or citizen (pure).

Their HTTP statuses are in ``integrations.certificates.http_status``.
"""

from __future__ import annotations

from integrations.errors import ServiceUnavailable
from kernel.errors import Conflict, DomainError, NotFound, ValidationFailed


class CertificateIssuerUnavailable(ServiceUnavailable):
    """The issuer could not answer."""

    code = "certificate-issuer-unavailable"


class UnknownCitizen(NotFound):
    code = "certificate-unknown-citizen"


class UnknownKind(NotFound):
    code = "certificate-unknown-kind"


class CertificateNotFound(NotFound):
    """No certificate has that issue number."""

    code = "certificate-not-found"


class ChannelNotOffered(ValidationFailed):
    """The kind cannot be issued on that channel (e.g. 가족관계증명서 by the IVR)."""

    code = "certificate-channel-not-offered"


class DeliveryNotAllowed(ValidationFailed):
    """The kind cannot be delivered that way (e.g. 주민등록표 등본 by e-mail)."""

    code = "certificate-delivery-not-allowed"


class NoContactPoint(ValidationFailed):
    """The citizen has no contact point on file for that delivery method (deliveries go nowhere else)."""

    code = "certificate-no-contact-point"


class InvalidIssueRequest(ValidationFailed):
    code = "certificate-request-invalid"


class IdempotencyConflict(Conflict):
    """The idempotency key was already used for a different request."""

    code = "certificate-idempotency-conflict"


class UnreadableDocument(ValidationFailed):
    """The file to verify is not a PDF at all (empty, garbage, too large)."""

    code = "certificate-document-unreadable"


class FontMissing(DomainError):
    """The Korean font the PDF needs is not installed."""

    code = "certificate-font-missing"
