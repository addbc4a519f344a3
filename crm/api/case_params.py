"""What the case routes share: the case number from the path, the expected version (``If-Match`` or the
body's ``expected_version``) and the reply that carries a case with its ETag."""

from __future__ import annotations

import re
from typing import Any

from crm.api import present
from crm.cases.model import Case, parse_case_number
from crm.store.uow import SqlUnitOfWork
from kernel.http.errors import ApiError
from kernel.http.kit import ApiRequest, Reply

IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def case_number(req: ApiRequest[Any]) -> str:
    number = req.params["number"]
    parse_case_number(number)
    return number


def expected_version(req: ApiRequest[Any], body_version: int | None) -> int | None:
    """``If-Match: "<version>"`` or ``expected_version`` in the body; both must agree when both are sent."""
    header = req.headers.get("if-match")
    if header is None:
        return body_version
    match = IF_MATCH.match(header)
    if match is None:
        raise ApiError("validation-failed", 'If-Match must be the case version in quotes, e.g. "3"')
    version = int(match.group(1))
    if body_version is not None and body_version != version:
        raise ApiError("validation-failed", "If-Match and expected_version disagree")
    return version


def case_reply(status: int, case: Case, uow: SqlUnitOfWork, headers: dict[str, str] | None = None) -> Reply:
    uow.flush()
    return Reply(status, present.case(case), {"etag": f'"{case.version}"', **(headers or {})})
