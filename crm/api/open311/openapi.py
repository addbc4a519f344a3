"""The Open311 GeoReport v2 operations as OpenAPI 3.1 path items, merged into the API's document.

Each operation appears once per format (``.json`` and ``.xml``): JSON answers have their schemas, XML answers
are ``text/xml`` text. POST requests takes a form-encoded body (the spec) or a flat JSON object, with the field
limits ``crm.open311.validation`` enforces; service codes are the catalog's. Errors are the spec's
``[{"code", "description"}]`` (the HTTP status in ``code``). Rules across fields (a service's required
attributes, the location inside the jurisdiction, a date window of at most 90 days) are the server's: a request
breaking one is 400, as the specification says.
"""

from __future__ import annotations

import copy
from typing import Any

from crm.api.open311.openapi_schemas import schemas, submission_schema, text
from crm.api.open311.parse import LIST_MAX
from crm.open311.validation import ID_MAX

PREFIX = "/open311/v2"
TAG = "open311"
REF = "#/components/schemas/"
# Query parameters: an empty value is the same as none.
W3C_OR_EMPTY = (
    "^([0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?)?$"
)
LIST = "^([^,\\u0000]+(,[^,\\u0000]+)*)?$"
STATUSES = "^( *(open|closed) *(, *(open|closed) *)*)?$"
_REASONS = {
    200: "OK",
    400: "Bad request",
    403: "Invalid API key",
    404: "Not found",
    405: "Method not allowed",
    413: "Body too large",
    429: "Too many requests",
    500: "Internal error",
    503: "Unavailable",
}


def _param(name: str, where: str, schema: dict[str, Any], description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema}


def _responses(fmt: str, ok: str | None, errors: tuple[int, ...]) -> dict[str, Any]:
    def content(name: str) -> dict[str, Any]:
        if fmt == "xml":
            return {"text/xml": {"schema": {"type": "string"}}}
        return {"application/json": {"schema": {"$ref": REF + name}}}

    answers: dict[str, Any] = {}
    if ok is not None:
        answers["200"] = {"description": "OK", "content": content(ok)}
    for status in sorted({*errors, 400, 405, 429, 500, 503}):  # 400: a query or body not UTF-8
        answer: dict[str, Any] = {"description": _REASONS[status], "content": content("Open311Error")}
        if status == 429:
            answer["headers"] = {
                "Retry-After": {"schema": {"type": "integer", "minimum": 1}, "description": "seconds to wait"}
            }
        answers[str(status)] = answer
    return answers


def paths() -> dict[str, Any]:
    """Every Open311 operation, in JSON and in XML."""
    jurisdiction = _param("jurisdiction_id", "query", text(100), "an institution's name (optional)")
    key = _param("api_key", "query", text(200), "the app's API key: its own requests, with every field")
    found: dict[str, Any] = {}
    for fmt in ("json", "xml"):
        up = fmt.upper()

        def op(name: str, summary: str, **rest: Any) -> dict[str, Any]:
            return {"operationId": f"open311{name}{up}", "summary": summary, "tags": [TAG], **rest}  # noqa: B023

        found[f"{PREFIX}/discovery.{fmt}"] = {
            "get": op(
                "Discovery", "Service discovery (GeoReport v2)", responses=_responses(fmt, "Open311Discovery", ())
            )
        }
        found[f"{PREFIX}/services.{fmt}"] = {
            "get": op(
                "Services",
                "The services requests can be filed for",
                parameters=[jurisdiction],
                responses=_responses(fmt, "Open311Services", (404,)),
            )
        }
        found[f"{PREFIX}/services/{{service_code}}.{fmt}"] = {
            "get": op(
                "ServiceDefinition",
                "A service's attributes (its definition)",
                parameters=[
                    _param("service_code", "path", text(100, minLength=1), "a service code", True),
                    jurisdiction,
                ],
                responses=_responses(fmt, "Open311ServiceDefinition", (404,)),
            )
        }
        found[f"{PREFIX}/requests.{fmt}"] = {
            "post": op(
                "PostRequest",
                "File a service request (민원): an id, or a token while it is reviewed",
                parameters=[
                    _param("api_key", "query", text(200, minLength=1), "the app's API key (or in the body)", True),
                    _param(
                        "Idempotency-Key",
                        "header",
                        {"type": "string", "minLength": 1, "maxLength": ID_MAX, "pattern": "^[!-~]+$"},
                        "the app's id of this request (as app_request_id): the same again files nothing new",
                    ),
                ],
                requestBody={
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {"schema": submission_schema(False)},
                        "application/json": {"schema": submission_schema(True)},
                    },
                },
                responses=_responses(fmt, "Open311PostResult", (400, 403, 404, 413)),
            ),
            "get": op(
                "GetRequests",
                "Service requests: an app's own (with its key) or everyone's public fields",
                parameters=[
                    key,
                    _param(
                        "service_request_id",
                        "query",
                        text(LIST_MAX, LIST),
                        "comma-delimited ids (the other filters are then ignored)",
                    ),
                    _param("service_code", "query", text(LIST_MAX, LIST), "comma-delimited service codes"),
                    _param(
                        "status",
                        "query",
                        {"type": "string", "pattern": STATUSES},
                        "open, closed or both, comma-delimited",
                    ),
                    _param(
                        "start_date",
                        "query",
                        {"type": "string", "pattern": W3C_OR_EMPTY},
                        "W3C date-time; default end_date - 90 days",
                    ),
                    _param(
                        "end_date",
                        "query",
                        {"type": "string", "pattern": W3C_OR_EMPTY},
                        "W3C date-time; default now; at most 90 days after start_date",
                    ),
                    jurisdiction,
                ],
                responses=_responses(fmt, "Open311Requests", (400, 403, 404)),
            ),
        }
        found[f"{PREFIX}/requests/{{service_request_id}}.{fmt}"] = {
            "get": op(
                "GetRequest",
                "One service request (an app sees only its own)",
                parameters=[
                    _param("service_request_id", "path", text(100, minLength=1), "the request's id", True),
                    key,
                ],
                responses=_responses(fmt, "Open311Requests", (400, 403, 404)),
            )
        }
        found[f"{PREFIX}/tokens/{{token}}.{fmt}"] = {
            "get": op(
                "GetToken",
                "The request id of a token (null while the request is reviewed)",
                parameters=[_param("token", "path", text(100, minLength=1), "the token POST returned", True), key],
                responses=_responses(fmt, "Open311Tokens", (400, 403, 404)),
            )
        }
    return found


def merge(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with the Open311 operations and their schemas added (a new dict; the input is unchanged)."""
    merged = copy.deepcopy(document)
    merged.setdefault("paths", {}).update(paths())
    merged.setdefault("components", {}).setdefault("schemas", {}).update(schemas())
    merged.setdefault("tags", [])
    if not any(t.get("name") == TAG for t in merged["tags"]):
        merged["tags"].append(
            {
                "name": TAG,
                "description": "Open311 GeoReport v2 (/open311/v2): apps file 민원 with "
                "an API key; errors are [{code, description}] with the HTTP status in code",
            }
        )
    if not merged["tags"]:
        del merged["tags"]
    return merged
