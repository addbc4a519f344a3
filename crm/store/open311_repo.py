"""The SQL adapter of ``crm.ports.Open311Repository``: apps, requests, and the reads over a million rows.

Reads by app and time window walk ``ix_open311_requests_app_submitted`` (app_id, submitted_at, id), public
ones ``ix_open311_requests_submitted``; ``find`` is one Core statement of only the columns a view needs (no
ORM objects, no Python type processing: the times come out as the spec's W3C texts), its updated times a
correlated ``max`` over ``complaint_events`` (by its complaint_id index) and its agencies' names a lookup by
the centers' key, for the page's rows only. ``purge_contacts`` is the retention
purge of the submitters' contact fields (``crm.store.purge``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, null, or_, select, update
from sqlalchemy.orm import Session

from crm.cases.model import Complaint
from crm.open311.model import (
    COMPLAINT_STATUSES,
    App,
    Disposition,
    RequestOrigin,
    RequestRecord,
    RequestRow,
    RequestStatus,
    StoredRequest,
)
from crm.store import tables
from crm.store.open311_tables import open311_apps, open311_requests
from crm.store.w3c_sql import seoul_w3c

_R = open311_requests.c
_CONTACT = ("first_name", "last_name", "email", "phone", "device_id", "account_id")


class SqlOpen311Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_app(self, app: App) -> None:
        self.session.add(app)

    def app_by_name(self, name: str) -> App | None:
        return self.session.scalars(select(App).where(open311_apps.c.name == name)).first()

    def app_by_key_hash(self, key_hash: str) -> App | None:
        return self.session.scalars(select(App).where(open311_apps.c.key_hash == key_hash)).first()

    def apps(self) -> Sequence[App]:
        return self.session.scalars(select(App).order_by(open311_apps.c.name)).all()

    def add(self, request: StoredRequest) -> None:
        self.session.add(request)

    def get(self, request_id: int) -> StoredRequest | None:
        return self.session.get(StoredRequest, request_id)

    def by_token(self, token: str) -> StoredRequest | None:
        return self.session.scalars(select(StoredRequest).where(_R.token == token)).first()

    def by_app_request_id(self, app_id: int, app_request_id: str) -> StoredRequest | None:
        query = select(StoredRequest).where(_R.app_id == app_id, _R.app_request_id == app_request_id)
        return self.session.scalars(query).first()

    def same_fingerprint(self, fingerprint: str, since: dt.datetime, limit: int) -> Sequence[StoredRequest]:
        query = (
            select(StoredRequest)
            .where(_R.fingerprint == fingerprint, _R.submitted_at >= since)
            .order_by(_R.submitted_at.desc(), _R.id.desc())
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def find(
        self,
        *,
        app_id: int | None,
        ids: Sequence[int],
        service_codes: Sequence[str],
        statuses: frozenset[RequestStatus],
        jurisdiction: str | None,
        start: dt.datetime | None,
        end: dt.datetime | None,
        limit: int,
        with_text: bool,
    ) -> list[RequestRow]:
        query = find_statement(
            app_id=app_id,
            ids=ids,
            service_codes=service_codes,
            statuses=statuses,
            jurisdiction=jurisdiction,
            start=start,
            end=end,
            limit=limit,
            with_text=with_text,
        )
        return [RequestRow(*row) for row in self.session.execute(query).all()]

    def held(self, limit: int) -> Sequence[StoredRequest]:
        query = (
            select(StoredRequest)
            .where(_R.held_reason.is_not(None), _R.disposition == Disposition.HELD)
            .order_by(_R.submitted_at, _R.id)
            .limit(limit)
        )
        return self.session.scalars(query).all()

    def origin(self, complaint_id: int) -> RequestOrigin | None:
        query = (
            select(open311_apps.c.name, _R.service_code, _R.category_suggested)
            .join(open311_apps, open311_apps.c.id == _R.app_id)
            .where(_R.complaint_id == complaint_id)
            .limit(1)
        )
        found = self.session.execute(query).first()
        return None if found is None else RequestOrigin(*found)

    def unclassified(self, limit: int) -> Sequence[RequestRecord]:
        query = (
            select(StoredRequest, Complaint)
            .join(Complaint, tables.complaints.c.id == _R.complaint_id)
            .where(_R.classified_at.is_(None), _R.disposition == Disposition.ACCEPTED)
            .order_by(_R.classified_at, _R.id)
            .limit(limit)
        )
        return [RequestRecord(r, c, None) for r, c in self.session.execute(query).all()]


def find_statement(
    *,
    app_id: int | None,
    ids: Sequence[int],
    service_codes: Sequence[str],
    statuses: frozenset[RequestStatus],
    jurisdiction: str | None,
    start: dt.datetime | None,
    end: dt.datetime | None,
    limit: int,
    with_text: bool,
) -> Select[Any]:
    """``find``'s one statement: the columns of ``RequestRow`` in its field order (no agency or text unless
    ``with_text``), the times as W3C texts (``seoul_w3c``), the last event time by a correlated ``max`` over
    ``ix_complaint_events_complaint_at`` (one seek) and the agency's name joined by the centers' primary key
    (a join, not a correlated subquery: PostgreSQL scanned all 156 centers per row for that), both for the
    page's rows only: the window walks the (app_id, submitted_at, id) or (submitted_at, id) index newest first,
    so LIMIT stops it."""
    c, e, centers = tables.complaints.c, tables.complaint_events.c, tables.centers.c
    latest = select(func.max(e.at)).where(e.complaint_id == c.id).scalar_subquery()
    text_columns: tuple[ColumnElement[Any], ...] = (centers.name, _R.address_string, _R.address_id, _R.lat, _R.long,
                                                     _R.media_url, c.answer, c.body_masked)  # fmt: skip
    shown = text_columns if with_text else (null(),) * len(text_columns)
    columns = (_R.id, _R.service_code, seoul_w3c(_R.submitted_at), seoul_w3c(func.coalesce(latest, _R.submitted_at)),
               seoul_w3c(c.due_at), c.status, *shown)  # fmt: skip
    rows = open311_requests.outerjoin(tables.complaints, c.id == _R.complaint_id)
    if with_text:  # the center handling it: the complaint's (None once unassigned), or the routed one if purged
        handling = case((c.id.is_(None), _R.center_code), else_=c.assigned_center)
        rows = rows.outerjoin(tables.centers, centers.code == handling)
    query = select(*columns).select_from(rows).where(_R.disposition == Disposition.ACCEPTED)
    if app_id is not None:
        query = query.where(_R.app_id == app_id)
    if ids:
        query = query.where(_R.id.in_(list(ids)[:1000]))
    else:
        if start is not None:
            query = query.where(_R.submitted_at >= start)
        if end is not None:
            query = query.where(_R.submitted_at <= end)
        if service_codes:
            query = query.where(_R.service_code.in_(list(service_codes)))
        if jurisdiction is not None:
            query = query.where(_R.jurisdiction == jurisdiction)
        if statuses and len(statuses) < len(RequestStatus):
            query = query.where(_status_condition(statuses))
    return query.order_by(_R.submitted_at.desc(), _R.id.desc()).limit(limit)


def _status_condition(statuses: frozenset[RequestStatus]) -> ColumnElement[bool]:
    c = tables.complaints.c
    wanted = sorted({s.value for status in statuses for s in COMPLAINT_STATUSES[status]})
    condition: ColumnElement[bool] = c.status.in_(wanted)
    if RequestStatus.CLOSED in statuses:  # a request whose complaint was purged reads as closed
        condition = or_(condition, _R.complaint_id.is_(None))
    return and_(condition)


def purge_contacts(session: Session, cutoff: dt.datetime, dry_run: bool = False) -> int:
    """Blank the submitter's contact fields, address and held text of requests submitted before ``cutoff``."""
    contact = [getattr(_R, name).is_not(None) for name in _CONTACT]
    remaining = and_(_R.submitted_at < cutoff, or_(_R.remote_addr != "", _R.description != "", *contact))
    if dry_run:
        return int(session.scalar(select(func.count()).select_from(open311_requests).where(remaining)) or 0)
    blank = dict.fromkeys(_CONTACT)
    result = session.execute(update(open311_requests).where(remaining).values(remote_addr="", description="", **blank))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
