"""The HTTP status of each error code the case store raises (its domain errors and its API's own refusals)."""

from __future__ import annotations

from collections.abc import Mapping

STATUS: Mapping[str, int] = {
    "unauthorized": 401,
    "forbidden": 403,
    "not-serving": 403,
    "identity-not-verified": 403,
    "no-citizen-on-contact": 409,
    "tools-unavailable": 503,
    "reason-required": 403,  # an access refusal like not-serving: the request is valid, its grounds are not
    "other-center": 403,
    "case-not-found": 404,
    "citizen-not-found": 404,
    "center-not-found": 404,
    "agent-not-found": 404,
    "interaction-not-found": 404,
    "handoff-not-found": 404,
    "complaint-not-found": 404,
    "attestation-unusable": 404,
    "version-conflict": 409,
    "illegal-status-transition": 409,
    "merge-rejected": 409,
    "link-rejected": 409,
    "interaction-closed": 409,
    "call-not-ended": 409,
    "center-inactive": 409,
    "idempotency-conflict": 409,
    "complaint-exists": 409,
    "complaint-claimed-by-other": 409,  # the 신문고 inbox (crm.cases.inbox_rules)
    "complaint-not-claimed": 409,
    "complaint-state-conflict": 409,
    "invalid-phone-number": 422,
    "unknown-wrap-up-code": 422,
    "wrap-up-code-required": 422,
    "invalid-resident-number": 422,
    "identity-check-failed": 422,
    "idempotency-key-reused": 422,
    "sms-rejected": 422,  # the gateway refused the one-time code's message
    "login-rate-limited": 429,
    "identity-check-locked": 429,
    "database-unavailable": 503,
    "sms-unavailable": 503,
    # case work (crm.api.routes_case_assist, crm.api.routes_recordings)
    "suggestions-unavailable": 503,
    "no-case-on-contact": 409,
    "phone-not-on-file": 422,
    "recording-not-found": 404,
    "range-not-satisfiable": 416,
    # Open311 (crm.open311.errors); the Open311 resource answers 400 for a service not found on POST itself
    "open311-invalid": 400,
    "open311-jurisdiction-not-found": 404,
    "open311-service-not-found": 404,
    "open311-api-key-missing": 400,
    "open311-api-key-invalid": 403,
    "open311-request-not-found": 404,
    "open311-token-not-found": 404,
    "open311-rate-limited": 429,
    "open311-too-large": 413,
    "open311-app-not-found": 404,
}
