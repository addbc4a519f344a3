"""The checks a submission passes before anything is stored: each failure is ``Open311Invalid`` (or
``ServiceCodeNotFound`` / ``JurisdictionNotFound``) with a Korean description naming the field."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from crm.open311.catalog import LIST_TYPES, Attribute, Catalog, Datatype, Service
from crm.open311.errors import JurisdictionNotFound, Open311Invalid, ServiceCodeNotFound
from crm.open311.model import Submission
from crm.open311.regions import in_service_area
from kernel.calendar import SEOUL

DESCRIPTION_MAX = 4000  # the spec's limit
ADDRESS_MAX = 300
ADDRESS_ID_MAX = 100
EMAIL_MAX = 254
NAME_MAX = 50
MEDIA_URL_MAX = 2048
ID_MAX = 100  # device_id, account_id, app_request_id
STRING_MAX = 300  # a "string" attribute; "text" ones may be as long as a description

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
# A W3C date or date-time (https://www.w3.org/TR/NOTE-datetime); the offset is optional here, and required of
# an attribute's date-time (``is_w3c_datetime``).
W3C = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?"
)


def validate(sub: Submission, catalog: Catalog) -> Service:
    """The submission's service, once every rule holds."""
    if not sub.service_code or not sub.service_code.strip():
        raise Open311Invalid("service_code가 필요합니다.", field="service_code")
    if sub.jurisdiction_id is not None and not catalog.knows(sub.jurisdiction_id):
        raise JurisdictionNotFound("jurisdiction_id를 찾을 수 없습니다.", jurisdiction_id=sub.jurisdiction_id[:100])
    service = catalog.service(sub.service_code)
    if service is None or (sub.jurisdiction_id is not None and not catalog.offers(sub.jurisdiction_id, service)):
        raise ServiceCodeNotFound("service_code를 찾을 수 없습니다.", service_code=sub.service_code[:40])
    text = sub.description.strip() if sub.description else ""
    if not text:
        raise Open311Invalid("description(민원 내용)이 필요합니다.", field="description")
    if len(text) > DESCRIPTION_MAX:
        raise Open311Invalid(f"description은 {DESCRIPTION_MAX:,}자 이하여야 합니다.", field="description")
    check_location(sub)
    check_attributes(service, sub.attributes)
    check_contact(sub)
    return service


def check_location(sub: Submission) -> None:
    loc = sub.location
    if (loc.lat is None) != (loc.long is None):
        raise Open311Invalid("lat와 long은 함께 보내야 합니다.", field="lat")
    if loc.lat is not None and loc.long is not None:
        if not (math.isfinite(loc.lat) and math.isfinite(loc.long)) or abs(loc.lat) > 90 or abs(loc.long) > 180:
            raise Open311Invalid("lat/long 값이 올바르지 않습니다.", field="lat")
        if not in_service_area(loc.lat, loc.long):
            raise Open311Invalid("lat/long이 서비스 지역(대한민국) 밖입니다.", field="lat")
    if loc.address_string is not None and len(loc.address_string) > ADDRESS_MAX:
        raise Open311Invalid(f"address_string은 {ADDRESS_MAX}자 이하여야 합니다.", field="address_string")
    if loc.address_id is not None and len(loc.address_id) > ADDRESS_ID_MAX:
        raise Open311Invalid(f"address_id는 {ADDRESS_ID_MAX}자 이하여야 합니다.", field="address_id")
    has_address = bool((loc.address_string or "").strip() or (loc.address_id or "").strip())
    if loc.lat is None and not has_address:
        raise Open311Invalid("위치(lat/long 또는 address_string)가 필요합니다.", field="lat")


def check_attributes(service: Service, attributes: Mapping[str, tuple[str, ...]]) -> None:
    for code in attributes:
        if service.attribute(code) is None:
            raise Open311Invalid(f"알 수 없는 attribute[{code[:40]}]입니다.", field=f"attribute[{code[:40]}]")
    for attribute in service.attributes:
        values = tuple(v for v in attributes.get(attribute.code, ()) if v.strip())
        if not values:
            if attribute.required:
                raise Open311Invalid(
                    f"attribute[{attribute.code}]({attribute.description})이(가) 필요합니다.",
                    field=f"attribute[{attribute.code}]",
                )
            continue
        check_attribute_values(attribute, values)


def check_attribute_values(attribute: Attribute, values: tuple[str, ...]) -> None:
    name = f"attribute[{attribute.code}]"
    if attribute.datatype is not Datatype.MULTIVALUELIST and len(values) > 1:
        raise Open311Invalid(f"{name}에는 값을 하나만 보낼 수 있습니다.", field=name)
    for value in values:
        if attribute.datatype in LIST_TYPES:
            if value not in {v.key for v in attribute.values}:
                raise Open311Invalid(f"{name}의 값 '{value[:40]}'은(는) 허용된 값이 아닙니다.", field=name)
        elif attribute.datatype is Datatype.NUMBER:
            if not _is_number(value):
                raise Open311Invalid(f"{name}은(는) 숫자여야 합니다.", field=name)
        elif attribute.datatype is Datatype.DATETIME:
            if not is_w3c_datetime(value):
                raise Open311Invalid(
                    f"{name}은(는) W3C 날짜·시각(예: 2026-12-07T09:30:00+09:00)이어야 합니다.", field=name
                )
        elif attribute.datatype is Datatype.STRING and len(value) > STRING_MAX:
            raise Open311Invalid(f"{name}은(는) {STRING_MAX}자 이하여야 합니다.", field=name)
        elif len(value) > DESCRIPTION_MAX:
            raise Open311Invalid(f"{name}은(는) {DESCRIPTION_MAX:,}자 이하여야 합니다.", field=name)


def check_contact(sub: Submission) -> None:
    if sub.email is not None and (len(sub.email) > EMAIL_MAX or not _EMAIL.fullmatch(sub.email)):
        raise Open311Invalid("email 형식이 올바르지 않습니다.", field="email")
    if sub.phone is not None and phone_digits(sub.phone) is None:
        raise Open311Invalid("phone은 9~11자리 전화번호여야 합니다.", field="phone")
    for field_name, value in (("first_name", sub.first_name), ("last_name", sub.last_name)):
        if value is not None and len(value) > NAME_MAX:
            raise Open311Invalid(f"{field_name}은(는) {NAME_MAX}자 이하여야 합니다.", field=field_name)
    if sub.media_url is not None and not is_media_url(sub.media_url):
        raise Open311Invalid("media_url은 2,048자 이하의 http(s) 주소여야 합니다.", field="media_url")
    for field_name, value in (("device_id", sub.device_id), ("account_id", sub.account_id)):
        if value is not None and len(value) > ID_MAX:
            raise Open311Invalid(f"{field_name}은(는) {ID_MAX}자 이하여야 합니다.", field=field_name)
    if sub.app_request_id is not None and not is_app_request_id(sub.app_request_id):
        raise Open311Invalid("app_request_id는 100자 이하의 ASCII 문자여야 합니다.", field="app_request_id")


def phone_digits(phone: str) -> str | None:
    """The digits of a Korean phone number (``+82`` → ``0``), or None unless 9–11 digits."""
    compact = re.sub(r"[-\s]", "", phone)
    if compact.startswith("+82"):
        compact = "0" + compact[3:].lstrip("0")
    return compact if compact.isascii() and compact.isdigit() and 9 <= len(compact) <= 11 else None


def is_media_url(url: str) -> bool:
    if len(url) > MEDIA_URL_MAX or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def is_app_request_id(value: str) -> bool:
    return 0 < len(value) <= ID_MAX and all(0x21 <= ord(c) <= 0x7E for c in value)


def w3c_moment(text: str) -> dt.datetime | None:
    """The moment of a W3C date or date-time (a date: its midnight; no offset: Seoul time); None if it is not one."""
    if not W3C.fullmatch(text):
        return None
    try:
        if len(text) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
        else:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SEOUL)


def is_w3c_datetime(value: str) -> bool:
    """An attribute's date-time: a W3C date, or a date-time with its offset."""
    has_offset = len(value) == 10 or value.endswith("Z") or value[-6:-5] in ("+", "-")
    return has_offset and w3c_moment(value) is not None


def _is_number(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False
