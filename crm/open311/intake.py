"""Filing an Open311 request: validate, deduplicate, hold what looks like abuse, route, record the complaint.

``submit`` runs in the caller's unit of work (the caller commits). A repeated ``app_request_id`` returns the
first answer; the same app sending the same content within a day gets its earlier request back; content
sent by several other apps or addresses within a day, or a description full of links, is held for review
(the app gets a token); everything else becomes a complaint in the inbox of the center that answers for the
service and place, recorded by the system actor. The stored row is the audit (app, address, time).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crm.cases.complaint_text import TextMasker, conservative_mask
from crm.cases.complaints import DEFAULT_DUE_DAYS, record_complaint
from crm.open311.catalog import GENERAL_CENTER, LIST_TYPES, Catalog, Service
from crm.open311.errors import Open311Invalid
from crm.open311.model import App, Disposition, StoredRequest, Submission, SubmitResult
from crm.open311.regions import region_of_address, region_of_point
from crm.open311.validation import validate
from crm.ports import UnitOfWork
from kernel.actor import Actor
from kernel.calendar import WorkCalendar

log = logging.getLogger("crm.open311")

ACTOR = Actor.system("open311")
NOTICE_ACCEPTED = "민원이 접수되었습니다. 담당 기관이 처리기한 안에 답변합니다."
NOTICE_DUPLICATE = "같은 내용의 민원이 이미 접수되어 있습니다."
NOTICE_HELD = "검토 후 접수됩니다."
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


@dataclass(frozen=True)
class IntakeRules:
    hold_after_duplicates: int = 3  # the same content from this many other apps or addresses in a day: held
    max_links: int = 3  # more links than this in a description: held
    duplicate_window: dt.timedelta = dt.timedelta(hours=24)


def submit(
    uow: UnitOfWork,
    app: App,
    sub: Submission,
    *,
    catalog: Catalog,
    now: dt.datetime,
    remote: str,
    masker: TextMasker = conservative_mask,
    calendar: WorkCalendar | None = None,
    due_days: int = DEFAULT_DUE_DAYS,
    rules: IntakeRules = IntakeRules(),
) -> SubmitResult:
    """File ``sub`` for ``app`` (sent from ``remote``)."""
    assert app.id is not None
    if sub.app_request_id is not None:
        earlier = uow.open311.by_app_request_id(app.id, sub.app_request_id)
        if earlier is not None:
            return result_of(earlier, NOTICE_HELD if earlier.disposition is not Disposition.ACCEPTED else None)
    service = validate(sub, catalog)
    center, jurisdiction = route(service, sub, catalog)
    content = fingerprint(sub)
    recent = uow.open311.same_fingerprint(content, now - rules.duplicate_window, 200)
    for request in recent:
        if request.app_id == app.id and request.disposition is not Disposition.REJECTED:
            return result_of(request, NOTICE_DUPLICATE)
    held_reason = _hold_reason(sub, app, remote, recent, rules)
    request = StoredRequest(
        app_id=app.id,
        token=secrets.token_urlsafe(24),
        service_code=service.code,
        jurisdiction=jurisdiction,
        center_code=center,
        disposition=Disposition.HELD if held_reason else Disposition.ACCEPTED,
        submitted_at=now,
        fingerprint=content,
        remote_addr=remote[:64],
        lat=sub.location.lat,
        long=sub.location.long,
        address_string=_blank_none(sub.location.address_string),
        address_id=_blank_none(sub.location.address_id),
        media_url=_blank_none(sub.media_url),
        first_name=_blank_none(sub.first_name),
        last_name=_blank_none(sub.last_name),
        email=_blank_none(sub.email),
        phone=_blank_none(sub.phone),
        device_id=_blank_none(sub.device_id),
        account_id=_blank_none(sub.account_id),
        attributes_json=json.dumps({k: list(v) for k, v in sorted(sub.attributes.items())}, ensure_ascii=False),
        app_request_id=sub.app_request_id,
        held_reason=held_reason,
        description=sub.description.strip() if held_reason else "",
    )
    uow.open311.add(request)
    uow.flush()
    if not held_reason:
        file_complaint(uow, request, service, sub.description, now=now, masker=masker, calendar=calendar,
                       due_days=due_days)  # fmt: skip
    log.info("open311-submitted", extra={"request_id": request.id, "app_id": app.id,
             "complaint_id": request.complaint_id, "disposition": request.disposition.value})  # fmt: skip
    return result_of(request, NOTICE_HELD if held_reason else NOTICE_ACCEPTED)


def result_of(request: StoredRequest, notice: str | None) -> SubmitResult:
    """The answer to a POST: the id once accepted, else the token only."""
    if request.disposition is Disposition.ACCEPTED:
        return SubmitResult(str(request.id), None, notice or NOTICE_ACCEPTED, request.account_id)
    return SubmitResult(None, request.token, notice or NOTICE_HELD, request.account_id)


def route(service: Service, sub: Submission, catalog: Catalog) -> tuple[str, str]:
    """The center that answers and the jurisdiction (its institution) of the request."""
    if not service.local:
        assert service.center is not None and service.institution is not None
        return service.center, service.institution
    loc = sub.location
    region = region_of_address(loc.address_string)
    if region is None and loc.lat is not None and loc.long is not None:
        region = region_of_point(loc.lat, loc.long)
    if sub.jurisdiction_id is not None:
        wanted = catalog.region_of_jurisdiction(sub.jurisdiction_id)
        if region is not None and wanted is not None and region != wanted:
            raise Open311Invalid(
                f"요청한 위치({region})는 {sub.jurisdiction_id} 관할이 아닙니다.", field="jurisdiction_id"
            )
        region = region or wanted
    center = catalog.regional_centers.get(region, GENERAL_CENTER) if region is not None else GENERAL_CENTER
    return center, catalog.institution_of(center)


def file_complaint(
    uow: UnitOfWork,
    request: StoredRequest,
    service: Service,
    description: str,
    *,
    now: dt.datetime,
    masker: TextMasker,
    calendar: WorkCalendar | None,
    due_days: int,
) -> None:
    """Record the complaint of an accepted request (at submission, or when a held one is accepted)."""
    attributes: dict[str, list[str]] = json.loads(request.attributes_json or "{}")
    first_line = description.strip().splitlines()[0] if description.strip() else ""
    complaint = record_complaint(
        uow,
        ACTOR,
        sinmungo_id=f"open311-{request.id}",
        received_at=now,
        title=f"{service.name}: {masker(first_line)}"[:300],  # lists show titles to other centers too: masked
        citizen_id=None,
        assigned_center=request.center_code,
        body=complaint_body(service, description, request, attributes),
        masker=masker,
        calendar=calendar,
        due_days=due_days,
        now=now,
    )
    request.complaint_id = complaint.id
    request.description = ""  # the complaint holds the text from now on


def complaint_body(
    service: Service, description: str, request: StoredRequest, attributes: Mapping[str, list[str]]
) -> str:
    lines = [description.strip(), ""]
    if request.address_string:
        lines.append(f"위치: {request.address_string}")
    if request.lat is not None and request.long is not None:
        lines.append(f"위치(위도, 경도): {request.lat:.6f}, {request.long:.6f}")
    if request.address_id:
        lines.append(f"주소 ID: {request.address_id}")
    if request.media_url:
        lines.append(f"첨부: {request.media_url}")
    for attribute in service.attributes:
        values = attributes.get(attribute.code)
        if values:
            shown = [attribute.value_name(v) for v in values] if attribute.datatype in LIST_TYPES else values
            lines.append(f"{attribute.description}: {', '.join(shown)}")
    lines.append(f"(Open311 {service.code}, 요청 번호 {request.id})")
    return "\n".join(lines).strip()


def fingerprint(sub: Submission) -> str:
    """The same content: normalised description, service and place (lat/long to ~100 m, address as text)."""
    text = " ".join(unicodedata.normalize("NFKC", sub.description).casefold().split())
    loc = sub.location
    point = f"{loc.lat:.3f},{loc.long:.3f}" if loc.lat is not None and loc.long is not None else ""
    address = " ".join(unicodedata.normalize("NFKC", loc.address_string or "").casefold().split())
    material = "\x1f".join((sub.service_code, text, point, address, loc.address_id or ""))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _hold_reason(
    sub: Submission, app: App, remote: str, recent: Sequence[StoredRequest], rules: IntakeRules
) -> str | None:
    if len(_URL.findall(sub.description)) > rules.max_links:
        return f"links>{rules.max_links}"
    apps = {r.app_id for r in recent if r.app_id != app.id}
    addresses = {r.remote_addr for r in recent if r.remote_addr and r.remote_addr != remote}
    if max(len(apps), len(addresses)) >= rules.hold_after_duplicates:
        return f"duplicates>={rules.hold_after_duplicates}"
    return None


def _blank_none(value: str | None) -> str | None:
    return value if value is not None and value.strip() else None
