"""The HTTP status of each error code the certificate issuer raises (to be joined into ``sori.wiring.STATUSES``
next to ``integrations.http_status``)."""

from __future__ import annotations

from collections.abc import Mapping

STATUS: Mapping[str, int] = {
    "certificate-unknown-citizen": 404,
    "certificate-unknown-kind": 404,
    "certificate-not-found": 404,
    "certificate-channel-not-offered": 422,
    "certificate-delivery-not-allowed": 422,
    "certificate-no-contact-point": 422,
    "certificate-request-invalid": 422,
    "certificate-idempotency-conflict": 409,
    "certificate-document-unreadable": 422,
    "certificate-content-invalid": 422,
    "certificate-citizen-record-invalid": 422,
    "certificate-public-keys-invalid": 422,
    "certificate-kind-table-invalid": 500,
    "certificate-font-missing": 500,
    "certificate-signing-key-error": 500,
    "certificate-key-file-insecure": 500,
}
