"""The Open311 edge's answers to a request it will not serve: the spec's HTTP status and a Korean description.

Domain errors (``crm.open311.errors``) reach the edge with their stable codes; ``status_of`` gives each its
status as the specification wants it (the service-not-found code is 404 on a read and 400 on a POST).
Everything the edge itself refuses (path, method, encoding, size, rate) is a ``Refusal``.
"""

from __future__ import annotations

from collections.abc import Mapping

from kernel.errors import DomainError

#: The status of each Open311 error code (the spec's: 400 bad input, 403 bad key, 404 unknown things).
STATUS: Mapping[str, int] = {
    "open311-invalid": 400,
    "open311-jurisdiction-not-found": 404,
    "open311-service-not-found": 404,
    "open311-api-key-missing": 400,
    "open311-api-key-invalid": 403,
    "open311-request-not-found": 404,
    "open311-token-not-found": 404,
    "open311-rate-limited": 429,
    "open311-too-large": 413,
}


class Refusal(Exception):
    """An Open311 request the edge refuses: ``status``, a Korean ``description`` and extra headers."""

    def __init__(self, status: int, description: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = dict(headers or {})


def status_of(error: DomainError, posting: bool) -> int | None:
    """``error``'s status on the Open311 edge; None for a code it does not know (the caller's table decides)."""
    if error.code == "open311-service-not-found" and posting:
        return 400
    return STATUS.get(error.code)


NOT_FOUND = "요청한 주소를 찾을 수 없습니다. (/open311/v2/<작업>.json 또는 .xml)"
INTERNAL = "내부 오류가 발생했습니다. 잠시 후 다시 시도해 주십시오."
