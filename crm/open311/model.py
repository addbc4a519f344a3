"""The Open311 records and views: what an app submits, what the store keeps, what reads return."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from crm.cases.complaint_records import OPEN_STATUSES, ComplaintStatus
from crm.cases.model import Complaint


class RequestStatus(enum.StrEnum):
    """The spec's two statuses: a complaint received or claimed is open; answered or closed is closed."""

    OPEN = "open"
    CLOSED = "closed"


# the complaint statuses behind each request status (a handed-off complaint is received at its new center)
COMPLAINT_STATUSES: dict[RequestStatus, frozenset[ComplaintStatus]] = {
    RequestStatus.OPEN: frozenset(OPEN_STATUSES),
    RequestStatus.CLOSED: frozenset({ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED}),
}


def status_of(complaint: Complaint | None) -> RequestStatus:
    """Open while the complaint waits or is worked; closed once answered or closed (or purged)."""
    return request_status(complaint.status if complaint is not None else None)


def request_status(complaint_status: str | None) -> RequestStatus:
    """``status_of`` from the complaint's status alone (None: no complaint, i.e. purged)."""
    if complaint_status is not None and complaint_status in OPEN_STATUSES:
        return RequestStatus.OPEN
    return RequestStatus.CLOSED


class Disposition(enum.StrEnum):
    ACCEPTED = "accepted"  # a complaint was recorded for it
    HELD = "held"  # waits for an administrator's review (tokens only)
    REJECTED = "rejected"  # refused at review: never a complaint


@dataclass(frozen=True)
class Location:
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    address_id: str | None = None


@dataclass(frozen=True)
class Submission:
    """One POST requests, as the app sent it (parsed, not yet validated)."""

    service_code: str
    description: str
    location: Location
    jurisdiction_id: str | None = None
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    media_url: str | None = None
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # attribute[code]=v (several: multi)
    app_request_id: str | None = None  # Idempotency-Key header or form field app_request_id


@dataclass
class App:
    """An app allowed to file requests: its key is stored only as its SHA-256 (and an 8-character prefix)."""

    name: str
    key_hash: str
    key_prefix: str
    created_at: dt.datetime
    created_by: str
    revoked_at: dt.datetime | None = None
    id: int | None = None


@dataclass
class StoredRequest:
    """One row of ``open311_requests``: the request, who sent it from where, and what became of it.

    ``description`` is kept only while no complaint holds the text (held or rejected requests);
    the contact fields and ``remote_addr`` are blanked after ``retention.open311_contact_days``.
    """

    app_id: int
    token: str
    service_code: str
    jurisdiction: str
    center_code: str
    disposition: Disposition
    submitted_at: dt.datetime
    fingerprint: str
    remote_addr: str
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    media_url: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    attributes_json: str = "{}"
    app_request_id: str | None = None
    held_reason: str | None = None
    complaint_id: int | None = None
    category_suggested: str | None = None
    classified_at: dt.datetime | None = None
    description: str = ""
    reviewed_by: str | None = None
    reviewed_at: dt.datetime | None = None
    review_note: str | None = None
    id: int | None = None  # the service_request_id (its str)


@dataclass(frozen=True)
class RequestRecord:
    """A stored request with its complaint (None: held, rejected or purged) and the complaint's last event time."""

    request: StoredRequest
    complaint: Complaint | None
    updated_at: dt.datetime | None


class RequestRow(NamedTuple):
    """What a GET requests view needs of one accepted request and its complaint, read in one statement
    (a named tuple, as the rows a read makes 1,000 at a time are: built in a fraction of a dataclass's time).

    The three times are already the spec's W3C texts in Seoul time (``2026-03-10T10:00:00+09:00``), made by the
    store: ``requested`` the filing, ``updated`` the complaint's last event (the filing when it has none or was
    purged), ``expected`` the complaint's 처리기한. The complaint's fields are None when it was purged;
    ``agency`` (the name of the center handling it), ``answer`` and ``body_masked`` are also None when the
    read was public (no key: none of them is selected).
    """

    id: int
    service_code: str
    requested: str
    updated: str
    expected: str | None
    status: str | None
    agency: str | None
    address_string: str | None
    address_id: str | None
    lat: float | None
    long: float | None
    media_url: str | None
    answer: str | None
    body_masked: str | None


class RequestOrigin(NamedTuple):
    """Where a complaint filed through Open311 came from, for the agents who work it: the app, the service it
    was filed under and the classifier's category suggestion (None until classified, or when it had none).
    No submitter's contact detail: the agent answers through the app."""

    app: str
    service_code: str
    category_suggested: str | None


class RequestView(NamedTuple):
    """Exactly the spec's GET requests fields; the datetimes as W3C texts (``RequestRow``)."""

    service_request_id: str
    status: RequestStatus
    status_notes: str | None
    service_name: str | None
    service_code: str
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None
    public_only: bool  # True: the renderer emits only id, code, status and the three dates


@dataclass(frozen=True)
class RequestQuery:
    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: frozenset[RequestStatus] = frozenset()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    jurisdiction_id: str | None = None
    limit: int = 1000


@dataclass(frozen=True)
class SubmitResult:
    service_request_id: str | None
    token: str | None
    service_notice: str
    account_id: str | None


@dataclass(frozen=True)
class TokenState:
    token: str
    service_request_id: str | None
