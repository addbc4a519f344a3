"""The HTTP status of each error code the integrations raise (the SMS gateway, the agent tools' systems, the
reference service), each tool's own table joined here."""

from __future__ import annotations

from collections.abc import Mapping

from integrations.bills.http_status import STATUS as BILLS
from integrations.certificates.http_status import STATUS as CERTIFICATES

STATUS: Mapping[str, int] = {
    **BILLS,
    **CERTIFICATES,
    "sms-error": 502,
    "sms-unavailable": 503,
    "sms-rejected": 422,
    "sms-message-not-found": 404,
    "integration-unavailable": 503,
    "bill-ledger-unavailable": 503,
    "certificate-issuer-unavailable": 503,
    "public-services-unavailable": 503,
    "service-not-found": 404,
    "invalid-applicant": 422,
    "invalid-region": 422,
    "unauthorized": 401,  # the reference service: no or a wrong X-API-Key
    "idempotency-key-required": 400,
    "idempotency-key-reused": 422,
}
