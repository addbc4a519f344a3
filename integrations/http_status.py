"""The HTTP status of each error code the integrations raise (the SMS gateway, the self-service systems)."""

from __future__ import annotations

from collections.abc import Mapping

STATUS: Mapping[str, int] = {
    "sms-error": 502,
    "sms-unavailable": 503,
    "sms-rejected": 422,
    "sms-message-not-found": 404,
    "integration-unavailable": 503,
    "bill-ledger-unavailable": 503,
    "certificate-issuer-unavailable": 503,
}
