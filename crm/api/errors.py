"""Mapping of stable error codes to HTTP status, and the JSON error body ``{error, message, details}``."""

from __future__ import annotations

from typing import Any

from crm.errors import DomainError

STATUS_BY_CODE: dict[str, int] = {
    "malformed-json": 400,
    "json-too-deep": 400,
    "malformed-request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not-serving": 403,
    "reason-required": 403,  # an access refusal like not-serving: the request is valid, its grounds are not
    "other-center": 403,
    "not-found": 404,
    "route-not-found": 404,
    "case-not-found": 404,
    "citizen-not-found": 404,
    "center-not-found": 404,
    "agent-not-found": 404,
    "interaction-not-found": 404,
    "handoff-not-found": 404,
    "complaint-not-found": 404,
    "attestation-unusable": 404,
    "unknown-queue": 404,
    "method-not-allowed": 405,
    "conflict": 409,
    "version-conflict": 409,
    "illegal-status-transition": 409,
    "merge-rejected": 409,
    "link-rejected": 409,
    "interaction-closed": 409,
    "center-inactive": 409,
    "idempotency-conflict": 409,
    "agent-busy": 409,
    "agent-logged-out": 409,
    "complaint-exists": 409,
    "sms-unavailable": 503,
    "sms-rejected": 422,
    "not-on-call": 409,
    "transfer-in-progress": 409,
    "pin-enrolment-in-progress": 409,
    "body-too-large": 413,
    "unsupported-media-type": 415,
    "validation-failed": 422,
    "invalid-phone-number": 422,
    "invalid-resident-number": 422,
    "identity-check-failed": 422,
    "idempotency-key-reused": 422,
    "login-rate-limited": 429,
    "identity-check-locked": 429,
    "internal-error": 500,
    "database-unavailable": 503,
    "telephony-unavailable": 503,
    "telephony-timeout": 503,
    "no-media-capacity": 503,
}


class ApiError(DomainError):
    """An error raised by the HTTP edge itself (not the domain), with an explicit code."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message, **details)
        self.code = code


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": code, "message": message, "details": details or {}}


def status_of(error: DomainError) -> int:
    return STATUS_BY_CODE.get(error.code, 400)
