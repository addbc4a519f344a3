"""The Open311 edge's answers to a request it will not serve: the spec's HTTP status and a Korean description.

Domain errors (``crm.open311.errors``) reach the edge with their stable codes and take their status from the
API's table (the specification's: 400 bad input, 403 bad key, 404 unknown things); ``status_of`` is the one
exception (the service-not-found code is 404 on a read and 400 on a POST).
Everything the edge itself refuses (path, method, encoding, size, rate) is a ``Refusal``.
"""

from __future__ import annotations

from collections.abc import Mapping

from kernel.errors import DomainError


class Refusal(Exception):
    """An Open311 request the edge refuses: ``status``, a Korean ``description`` and extra headers."""

    def __init__(self, status: int, description: str, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.headers = dict(headers or {})


def status_of(error: DomainError, posting: bool) -> int | None:
    """The one status the Open311 edge answers differently from the API's table (``crm.api.http_status``, which
    holds every Open311 code): an unknown service is 400 on a POST (404 on a read). None: the table decides."""
    if error.code == "open311-service-not-found" and posting:
        return 400
    return None


NOT_FOUND = "요청한 주소를 찾을 수 없습니다. (/open311/v2/<작업>.json 또는 .xml)"
INTERNAL = "내부 오류가 발생했습니다. 잠시 후 다시 시도해 주십시오."
