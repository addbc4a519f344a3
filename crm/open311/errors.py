"""The Open311 errors, each with a stable code (their HTTP status: ``crm.api.http_status``).

The Open311 resource renders them in the spec's ``[{"code", "description"}]`` shape; ``message`` is the
Korean description shown to the app's user.
"""

from __future__ import annotations

from typing import Any

from kernel.errors import DomainError, NotFound, ValidationFailed


class Open311Invalid(ValidationFailed):
    """A request the spec calls a bad request (400): the message names the field."""

    code = "open311-invalid"


class JurisdictionNotFound(NotFound):
    code = "open311-jurisdiction-not-found"


class ServiceCodeNotFound(NotFound):
    """404 on GET services/{code}; the resource answers 400 on POST requests, as the spec says."""

    code = "open311-service-not-found"


ServiceNotFound = ServiceCodeNotFound  # the design's other name for it


class ApiKeyMissing(DomainError):
    code = "open311-api-key-missing"


class InvalidApiKey(DomainError):
    """An unknown or revoked key (403)."""

    code = "open311-api-key-invalid"


class AppNotFound(NotFound):
    """No app of that name (admin routes: revoke)."""

    code = "open311-app-not-found"


class RequestNotFound(NotFound):
    """Missing, held, or another app's: all alike, so nothing leaks."""

    code = "open311-request-not-found"


class TokenNotFound(NotFound):
    code = "open311-token-not-found"


class RateLimited(DomainError):
    code = "open311-rate-limited"

    def __init__(self, message: str, retry_after: float, **details: Any) -> None:
        super().__init__(message, retry_after=retry_after, **details)
        self.retry_after = retry_after


class TooLarge(DomainError):
    code = "open311-too-large"
