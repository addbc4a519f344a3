"""The HTTP status of each error code the bill ledger's port raises (the ledger's outage is in
``integrations.http_status``). The composition root joins this table with the others."""

from __future__ import annotations

from collections.abc import Mapping

STATUS: Mapping[str, int] = {
    "bill-notice-not-found": 404,
    "bill-not-found": 404,  # the reference API: no open bill of that kind (the port answers None)
    "bill-channel-not-on-file": 422,
    # draft-ietf-httpapi-idempotency-key-header: a key reused with another payload is 422
    "bill-idempotency-key-reused": 422,
    "bill-idempotency-key-invalid": 400,
}
