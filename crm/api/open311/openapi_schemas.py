"""The JSON schemas of the Open311 documents (the answers) and of POST requests' bodies (form and JSON), with the
field limits ``crm.open311.validation`` and ``crm.api.open311.parse`` enforce; ``crm.api.open311.openapi`` puts
them in the API's document."""

from __future__ import annotations

from typing import Any

from crm.open311.catalog import load_catalog
from crm.open311.validation import (
    ADDRESS_ID_MAX,
    ADDRESS_MAX,
    DESCRIPTION_MAX,
    EMAIL_MAX,
    ID_MAX,
    MEDIA_URL_MAX,
    NAME_MAX,
)

NUL_FREE = "^[^\\u0000]*$"
# Some character other than white space (the description counts after strip) and none of them U+0000.
NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"


def text(max_length: int, pattern: str = NUL_FREE, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, "pattern": pattern, **extra}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def schemas() -> dict[str, Any]:
    """The components: the JSON documents the operations answer with."""
    text = {"type": "string"}
    maybe_text = nullable(text)
    when = {"type": "string", "format": "date-time"}
    request_fields: dict[str, Any] = {
        "service_request_id": text,
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": maybe_text,
        "service_name": maybe_text,
        "service_code": text,
        "description": maybe_text,
        "agency_responsible": maybe_text,
        "service_notice": maybe_text,
        "requested_datetime": when,
        "updated_datetime": nullable(when),
        "expected_datetime": nullable(when),
        "address": maybe_text,
        "address_id": maybe_text,
        "zipcode": maybe_text,
        "lat": nullable({"type": "number"}),
        "long": nullable({"type": "number"}),
        "media_url": maybe_text,
    }
    value = {
        "type": "object",
        "additionalProperties": False,
        "required": ["key", "name"],
        "properties": {"key": text, "name": text},
    }
    attribute = {
        "type": "object",
        "additionalProperties": False,
        "required": ["variable", "code", "datatype", "required", "order", "description", "values"],
        "properties": {
            "variable": {"type": "boolean"},
            "code": text,
            "datatype": {
                "type": "string",
                "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"],
            },
            "required": {"type": "boolean"},
            "datatype_description": maybe_text,
            "order": {"type": "integer"},
            "description": text,
            "values": {"type": "array", "items": value},
        },
    }
    return {
        "Open311Error": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "description"],
                "properties": {"code": {"type": "integer", "description": "the HTTP status"}, "description": text},
            },
        },
        "Open311Services": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
                "properties": {
                    "service_code": text,
                    "service_name": text,
                    "description": text,
                    "metadata": {"type": "boolean"},
                    "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
                    "keywords": text,
                    "group": text,
                },
            },
        },
        "Open311ServiceDefinition": {
            "type": "object",
            "additionalProperties": False,
            "required": ["service_code", "attributes"],
            "properties": {"service_code": text, "attributes": {"type": "array", "items": attribute}},
        },
        "Open311Requests": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "properties": request_fields,
                "required": ["service_request_id", "service_code", "status", "requested_datetime"],
            },
            "description": "with an API key, the app's own requests with every field; without, every request "
            "with only its id, service, status and dates",
        },
        "Open311PostResult": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["service_notice", "account_id"],
                "properties": {
                    "service_request_id": text,
                    "token": text,
                    "service_notice": text,
                    "account_id": maybe_text,
                },
                "oneOf": [{"required": ["service_request_id"]}, {"required": ["token"]}],
            },
        },
        "Open311Tokens": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["service_request_id", "token"],
                "properties": {"service_request_id": maybe_text, "token": text},
            },
        },
        "Open311Discovery": {
            "type": "object",
            "required": ["changeset", "contact", "key_service", "endpoints"],
            "properties": {
                "changeset": when,
                "contact": text,
                "key_service": text,
                "endpoints": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "specification": text,
                            "url": text,
                            "changeset": when,
                            "type": text,
                            "formats": {"type": "array", "items": text},
                        },
                    },
                },
            },
        },
    }


def submission_schema(json_body: bool) -> dict[str, Any]:
    catalog = load_catalog()
    codes = sorted({s.code for s in catalog.services})
    attribute_codes = sorted({a.code for s in catalog.services for a in s.attributes})
    number = {"type": "number"} if json_body else {"type": "string", "pattern": "^-?[0-9]{1,3}(\\.[0-9]{1,15})?$"}
    properties: dict[str, Any] = {
        "api_key": text(200, description="the app's API key (or in the query)"),
        "jurisdiction_id": text(100, description="an institution's name, e.g. 서울특별시 (optional)"),
        "service_code": {"type": "string", "enum": codes},
        "description": text(DESCRIPTION_MAX, NOT_BLANK, minLength=1),
        "lat": {**number, "description": "WGS84 latitude, 33.0-38.7 (with long)"},
        "long": {**number, "description": "WGS84 longitude, 124.5-132.0 (with lat)"},
        "address_string": text(ADDRESS_MAX, description="the place in words (or lat/long, or address_id)"),
        "address_id": text(ADDRESS_ID_MAX),
        "email": {"type": "string", "maxLength": EMAIL_MAX, "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s.]+$"},
        "device_id": text(ID_MAX),
        "account_id": text(ID_MAX),
        "first_name": text(NAME_MAX),
        "last_name": text(NAME_MAX),
        "phone": text(40, description="a Korean number: 9-11 digits ('-', spaces and +82 allowed)"),
        "media_url": {
            "type": "string",
            "maxLength": MEDIA_URL_MAX,
            "pattern": "^[hH][tT][tT][pP][sS]?://[^\\s/]+[^\\s]*$",
            "description": "an http(s) address of a photo (stored, never fetched)",
        },
        "app_request_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": ID_MAX,
            "pattern": "^[!-~]+$",
            "description": "the app's id of this request: the same id again files nothing new",
        },
    }
    if json_body:
        properties["attribute"] = {
            "type": "object",
            "description": "attribute code → value (a list for multivaluelist)",
            "properties": {
                c: {"anyOf": [text(DESCRIPTION_MAX), {"type": "array", "items": text(DESCRIPTION_MAX)}]}
                for c in attribute_codes
            },
            "additionalProperties": False,
        }
    else:
        for code in attribute_codes:
            properties[f"attribute[{code}]"] = text(DESCRIPTION_MAX, description="repeat for multivaluelist")
    if json_body:  # a JSON client may send null for a field it leaves out
        properties = {k: (v if k in ("service_code", "description") else nullable(v)) for k, v in properties.items()}
    return {
        "type": "object",
        "required": ["service_code", "description"],
        "properties": properties,
        "anyOf": [{"required": ["lat", "long"]}, {"required": ["address_string"]}, {"required": ["address_id"]}],
        "dependentRequired": {"lat": ["long"], "long": ["lat"]},
    }
