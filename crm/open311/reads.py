"""Reading Open311 requests back: by token, by id, by window and filters, with the privacy rules.

An app (its key given) sees only the requests it filed, with the masked text, the answer (주민등록번호
masked), the agency, the 처리기한 and the place; never a submitter's name, phone or e-mail. Another app's
request reads exactly like a missing one. Without a key, every accepted request is listed with its id,
service, status and dates only (``public_only``). Held and rejected requests are reachable by token only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from crm.cases.complaint_text import mask_rrn
from crm.open311.catalog import Catalog
from crm.open311.errors import JurisdictionNotFound, Open311Invalid, RequestNotFound, TokenNotFound
from crm.open311.model import (
    App,
    Disposition,
    RequestQuery,
    RequestRow,
    RequestView,
    TokenState,
    request_status,
)
from crm.ports import UnitOfWork

WINDOW = dt.timedelta(days=90)  # the default and the longest span of a query
LIMIT = 1000


def resolve_token(uow: UnitOfWork, app: App | None, token: str) -> TokenState:
    """The request id behind a token (None while held or once rejected); another app's token is not found."""
    request = uow.open311.by_token(token) if 0 < len(token) <= 64 else None
    if request is None or (app is not None and request.app_id != app.id):
        raise TokenNotFound("token을 찾을 수 없습니다.")
    accepted = request.disposition is Disposition.ACCEPTED
    return TokenState(request.token, str(request.id) if accepted else None)


def get_request(uow: UnitOfWork, app: App | None, service_request_id: str, catalog: Catalog) -> RequestView:
    request_id = _parse_id(service_request_id)
    query = RequestQuery(ids=(service_request_id,))
    rows = [] if request_id is None else _find(uow, app, query, [request_id], LIMIT)
    if not rows:
        raise RequestNotFound("service_request_id를 찾을 수 없습니다.")
    return _views(rows, app, catalog)[0]


def find_requests(
    uow: UnitOfWork, app: App | None, query: RequestQuery, catalog: Catalog, now: dt.datetime, max_rows: int = LIMIT
) -> list[RequestView]:
    """``query.ids`` when given (others' ids silently absent), else the window (default the last 90 days,
    never longer) with the filters; newest first, at most ``query.limit`` and ``max_rows``
    (``open311.max_requests``, ≤ 1,000)."""
    if query.ids:
        ids = [i for i in (_parse_id(text) for text in query.ids) if i is not None]
        return _views(_find(uow, app, query, ids, max_rows), app, catalog) if ids else []
    if query.jurisdiction_id is not None and not catalog.knows(query.jurisdiction_id):
        raise JurisdictionNotFound("jurisdiction_id를 찾을 수 없습니다.", jurisdiction_id=query.jurisdiction_id[:100])
    end = query.end or now
    start = query.start or end - WINDOW
    if start > end:
        raise Open311Invalid("start_date가 end_date보다 늦습니다.", field="start_date")
    if end - start > WINDOW:
        raise Open311Invalid("조회 기간은 90일을 넘을 수 없습니다.", field="start_date")
    bounded = RequestQuery(query.ids, query.service_codes, query.statuses, start, end, query.jurisdiction_id,
                           query.limit)  # fmt: skip
    return _views(_find(uow, app, bounded, [], max_rows), app, catalog)


def _find(uow: UnitOfWork, app: App | None, query: RequestQuery, ids: list[int], max_rows: int) -> Sequence[RequestRow]:
    return uow.open311.find(
        app_id=app.id if app is not None else None,
        ids=ids,
        service_codes=query.service_codes,
        statuses=query.statuses,
        jurisdiction=query.jurisdiction_id,
        start=query.start,
        end=query.end,
        limit=max(1, min(query.limit, max_rows, LIMIT)),
        with_text=app is not None,  # a public read never selects the agency, the place, the answer or the text
    )


def _views(rows: Sequence[RequestRow], app: App | None, catalog: Catalog) -> list[RequestView]:
    """A public read (no key) selected no agency, place, answer or text (``_find``): its views carry the id,
    service, status and dates only, and are marked ``public_only`` for the renderer."""
    names = {s.code: s.name for s in reversed(catalog.services)}  # catalog.service's: the first of a code
    # body_masked is the composition root's masker's output, but neither masker always masks what mask_rrn does
    # (analytics' mask_pii wants a valid birth date, no letter or '-' before it and at most one space around the
    # dash; it misses 991332-1234567, 900101  -  1234567, 900101―1234567, 900101-*123456), and complaints masked
    # before the wired masker applied it too may remain: the 주민등록번호 rule is applied here as well.
    return [
        RequestView(
            service_request_id=str(row.id),
            status=request_status(row.status),
            status_notes=None if row.answer is None else mask_rrn(row.answer),
            service_name=names.get(row.service_code),
            service_code=row.service_code,
            description=None if row.body_masked is None else mask_rrn(row.body_masked),
            agency_responsible=row.agency,
            service_notice=None,
            requested_datetime=row.requested,
            updated_datetime=row.updated,
            expected_datetime=row.expected,
            address=row.address_string,
            address_id=row.address_id,
            zipcode=None,
            lat=row.lat,
            long=row.long,
            media_url=row.media_url,
            public_only=app is None,
        )
        for row in rows
    ]


def _parse_id(text: str) -> int | None:
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)
