"""The JSON error body ``{error, message, details}``, the edge's own errors, and the table of HTTP statuses.

Each package states the status of its own error codes in its ``http_status`` module; the composition root
joins them in one ``StatusTable`` (a code stated twice with different statuses is refused at start). A code no
table states is a defect: the server answers it 500 and logs it, never a silent 400, and a test walks every
error class of the system to prove none is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from kernel.errors import DomainError

#: The statuses of the kernel's codes and of the HTTP edge's own refusals.
STATUS: Mapping[str, int] = {
    "domain-error": 500,  # the bare base class: raised on purpose nowhere
    "validation-failed": 422,
    "not-found": 404,
    "conflict": 409,
    "malformed-json": 400,
    "json-too-deep": 400,
    "malformed-request": 400,
    "route-not-found": 404,
    "method-not-allowed": 405,
    "body-too-large": 413,
    "unsupported-media-type": 415,
    "internal-error": 500,
}


class ApiError(DomainError):
    """An error raised by the HTTP edge itself (not the domain), with an explicit code."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message, **details)
        self.code = code


class StatusTable:
    """Error code → HTTP status, joined from the packages' own tables."""

    def __init__(self, *tables: Mapping[str, int]) -> None:
        merged: dict[str, int] = {}
        for table in tables:
            for code, status in table.items():
                if merged.get(code, status) != status:
                    raise ValueError(f"error code {code!r} is given status {merged[code]} and {status}")
                merged[code] = status
        self.codes: Mapping[str, int] = MappingProxyType(merged)

    def status_of(self, error: DomainError) -> int | None:
        """The status of ``error``'s code; None for a code no package states (a defect: answer 500)."""
        return self.codes.get(error.code)


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": code, "message": message, "details": details or {}}
