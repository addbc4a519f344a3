"""Reviewing held Open311 requests: list them, accept one (its complaint is recorded then), or reject it.

Only an administrator reviews (the admin routes check it too). The review is kept on the row: who, when,
and the reason of a rejection. The app learns the outcome through its token.
"""

from __future__ import annotations

import datetime as dt

from crm.cases.complaint_text import TextMasker, conservative_mask
from crm.cases.complaints import DEFAULT_DUE_DAYS
from crm.errors import Forbidden
from crm.open311.catalog import Catalog
from crm.open311.errors import Open311Invalid, TokenNotFound
from crm.open311.intake import file_complaint
from crm.open311.model import Disposition, StoredRequest
from crm.ports import UnitOfWork
from kernel.actor import Actor, Role
from kernel.calendar import WorkCalendar

REASON_MAX = 500


def held_requests(uow: UnitOfWork, limit: int = 100) -> list[StoredRequest]:
    """The held requests, oldest first."""
    return list(uow.open311.held(max(1, min(limit, 1000))))


def accept_held(
    uow: UnitOfWork,
    actor: Actor,
    token: str,
    now: dt.datetime,
    *,
    catalog: Catalog,
    masker: TextMasker = conservative_mask,
    calendar: WorkCalendar | None = None,
    due_days: int = DEFAULT_DUE_DAYS,
) -> StoredRequest:
    """Accept a held request: its complaint goes to the center chosen at submission; its token resolves."""
    request = _held(uow, actor, token)
    service = catalog.service(request.service_code)
    if service is None:
        raise Open311Invalid("이 요청의 서비스가 더 이상 카탈로그에 없습니다.", field="service_code")
    request.disposition = Disposition.ACCEPTED
    request.reviewed_by, request.reviewed_at = actor.login, now
    file_complaint(uow, request, service, request.description, now=now, masker=masker, calendar=calendar,
                   due_days=due_days)  # fmt: skip
    return request


def reject_held(uow: UnitOfWork, actor: Actor, token: str, reason: str, now: dt.datetime) -> StoredRequest:
    """Reject a held request: no complaint; its token resolves to no id."""
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise Open311Invalid(f"거부 사유는 1~{REASON_MAX}자여야 합니다.", field="reason")
    request = _held(uow, actor, token)
    request.disposition = Disposition.REJECTED
    request.reviewed_by, request.reviewed_at, request.review_note = actor.login, now, reason
    return request


def _held(uow: UnitOfWork, actor: Actor, token: str) -> StoredRequest:
    if actor.role is not Role.ADMIN:
        raise Forbidden("보류된 요청은 관리자만 검토할 수 있습니다.")
    request = uow.open311.by_token(token) if 0 < len(token) <= 64 else None
    if request is None or request.disposition is not Disposition.HELD:
        raise TokenNotFound("보류된 요청을 찾을 수 없습니다.")
    return request
