"""GeoReport v2 documents in JSON and XML: services, a service definition, service requests, POST results,
tokens, errors and service discovery, with the element names of the specification.

Each document is first built as plain values (``dict``/``list``/scalars, in the spec's field order), then
written as JSON (``application/json``) or XML (``text/xml``, ElementTree, the XML declaration first). Dates
are W3C date-times in Seoul time with their offset (``2026-03-10T10:00:00+09:00``).
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson

from kernel.calendar import SEOUL

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'

# The element of each item of a list, by the list's own element name (the spec's XML shapes).
_ITEM = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
# What a public (no key) read shows of a request: its id, service, status and dates, nothing else.
PUBLIC_FIELDS = (
    "service_request_id",
    "service_code",
    "status",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
)
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)


# Seoul has kept +09:00 without daylight saving since October 1988: from then on the offset is added, not
# looked up, as the store's ``crm.store.w3c_sql.seoul_w3c`` does for the requests' own dates.
_KST = dt.timedelta(hours=9)
_FIXED_SINCE = dt.datetime(1989, 1, 1, tzinfo=dt.UTC)


def w3c(moment: dt.datetime | None) -> str | None:
    """``moment`` as a W3C date-time in Seoul time with its offset (naive values are taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    elif moment.tzinfo is not dt.UTC:
        moment = moment.astimezone(dt.UTC)
    if moment >= _FIXED_SINCE:  # "YYYY-MM-DDTHH:MM:SS" of the Seoul wall clock, its UTC offset cut off
        return (moment + _KST).isoformat(timespec="seconds")[:19] + "+09:00"
    return moment.astimezone(SEOUL).isoformat(timespec="seconds")


def content_type(fmt: str) -> str:
    return XML_TYPE if fmt == "xml" else JSON_TYPE


# -- documents (plain values) ---------------------------------------------------------------------------
def services_doc(services: Iterable[Any]) -> list[dict[str, Any]]:
    """GET services: each service's code, name, description, metadata, type, keywords and group."""
    return [
        {
            "service_code": s.code,
            "service_name": s.name,
            "description": s.description,
            "metadata": bool(s.attributes),
            "type": "realtime",
            "keywords": ", ".join(s.keywords),
            "group": s.group,
        }
        for s in services
    ]


def definition_doc(service: Any) -> dict[str, Any]:
    """GET services/{code}: the service's attributes, in their order, list values as key/name pairs."""
    attributes = sorted(service.attributes, key=lambda a: a.order)
    return {
        "service_code": service.code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": str(a.datatype),
                "required": a.required,
                "datatype_description": a.datatype_description or None,
                "order": a.order,
                "description": a.description,
                "values": [{"key": _key(v, "key"), "name": _key(v, "name")} for v in (a.values or ())],
            }
            for a in attributes
        ],
    }


def _key(value: Any, name: str) -> Any:
    return value[name] if isinstance(value, Mapping) else getattr(value, name)


def request_doc(view: Any) -> dict[str, Any]:
    """One request of GET requests: every field of the spec, or only the public ones (no key), in the spec's
    order (``PUBLIC_FIELDS``, ``REQUEST_FIELDS``); its dates are W3C texts already (the store makes them)."""
    if view.public_only:
        return {
            "service_request_id": view.service_request_id,
            "service_code": view.service_code,
            "status": str(view.status),
            "requested_datetime": view.requested_datetime,
            "updated_datetime": view.updated_datetime,
            "expected_datetime": view.expected_datetime,
        }
    return {
        "service_request_id": view.service_request_id,
        "status": str(view.status),
        "status_notes": view.status_notes,
        "service_name": view.service_name,
        "service_code": view.service_code,
        "description": view.description,
        "agency_responsible": view.agency_responsible,
        "service_notice": view.service_notice,
        "requested_datetime": view.requested_datetime,
        "updated_datetime": view.updated_datetime,
        "expected_datetime": view.expected_datetime,
        "address": view.address,
        "address_id": view.address_id,
        "zipcode": view.zipcode,
        "lat": view.lat,
        "long": view.long,
        "media_url": view.media_url,
    }


def requests_doc(views: Iterable[Any]) -> list[dict[str, Any]]:
    return [request_doc(v) for v in views]


def submit_doc(result: Any) -> list[dict[str, Any]]:
    """POST requests: the new id (or, for a held request, its token), the notice and the account id."""
    first = (
        {"token": result.token}
        if result.service_request_id is None
        else {"service_request_id": result.service_request_id}
    )
    return [{**first, "service_notice": result.service_notice, "account_id": result.account_id}]


def token_doc(state: Any) -> list[dict[str, Any]]:
    """GET tokens/{token}: the request id once there is one (null while it is held)."""
    return [{"service_request_id": state.service_request_id, "token": state.token}]


def errors_doc(status: int, description: str) -> list[dict[str, Any]]:
    """The spec's error list: the HTTP status number as ``code``, a Korean description."""
    return [{"code": status, "description": description}]


def discovery_doc(base_url: str, changeset: dt.datetime, contact: str, key_service: str) -> dict[str, Any]:
    """GET discovery: one production endpoint of GeoReport v2 speaking XML and JSON."""
    return {
        "changeset": w3c(changeset),
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base_url,
                "changeset": w3c(changeset),
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


# -- writing ----------------------------------------------------------------------------------------------
def render(root: str, doc: Any, fmt: str) -> bytes:
    """``doc`` as ``fmt``: JSON as is; XML under ``root`` (``services``, ``service_requests``, ``errors``,
    ``service_definition`` or ``discovery``), list items named by their list."""
    if fmt == "xml":
        element = _element(root, doc)
        return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")
    try:
        return orjson.dumps(doc)  # UTF-8, compact: a 1,000-request page in well under a millisecond
    except orjson.JSONEncodeError:  # a lone surrogate from a JSON body's escape: what the json module writes
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "backslashreplace")


def _element(name: str, value: Any) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, Mapping):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, Sequence) and not isinstance(value, str):
        child = _ITEM.get(name, "item")
        for item in value:
            element.append(_element(child, item))
    elif value is not None:
        element.text = _text(value)
    return element


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return w3c(value) or ""
    return _xml_safe(str(value))


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot carry most C0 controls even escaped: they are dropped (JSON keeps them)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ch >= " ") if any(ch < " " for ch in text) else text
