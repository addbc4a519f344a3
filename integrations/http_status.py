"""The HTTP status of each error code the integrations raise (the SMS gateway)."""

from __future__ import annotations

from collections.abc import Mapping

STATUS: Mapping[str, int] = {
    "sms-error": 502,
    "sms-unavailable": 503,
    "sms-rejected": 422,
    "sms-message-not-found": 404,
}
