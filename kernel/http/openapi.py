"""Builds the OpenAPI 3.1 document from the declared routes and their pydantic models."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from kernel.http.errors import StatusTable
from kernel.http.kit import Router
from kernel.http.models import ErrorOut
from kernel.http.params import NUL_FREE, path_schema

# What crm.api.resource takes: 1-200 characters, not all of them white space as Python's str.strip() sees it
# (ECMA's \s plus the separators U+001C-U+001F and U+0085; a header is Latin-1, so U+FEFF never occurs).
IDEMPOTENCY_KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "[^\\s\\x1c-\\x1f\\x85]"}
_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    206: "Partial content",
    400: "Bad request",
    401: "Not logged in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Body too large",
    415: "Unsupported media type",
    416: "Range not satisfiable",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Unavailable",
}


def build_openapi(router: Router, version: str, statuses: StatusTable) -> dict[str, Any]:
    models: set[type[BaseModel]] = {ErrorOut}
    for route in router.routes:
        if route.body is not None:
            models.add(route.body)
        models.update(m for m in route.responses.values() if m is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    keys = [(m, "validation" if _is_input(router, m) else "serialization") for m in ordered]
    _, definitions = models_json_schema(keys, ref_template="#/components/schemas/{model}")  # type: ignore[arg-type]
    for taken, mode in keys:
        if mode == "validation":
            _nul_free_strings(definitions.get("$defs", {}).get(taken.__name__, {}))
    paths: dict[str, dict[str, Any]] = {}
    for route in router.routes:
        operation: dict[str, Any] = {
            "operationId": _operation_id(route.method, route.template),
            "summary": route.summary,
            "tags": [route.tag],
            "responses": {},
        }
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": path_schema(name, route.path_params)}
            for name in re.findall(r"\{(\w+)\}", route.template)
        ]
        parameters += [
            {"name": q.name, "in": "query", "required": q.required, "description": q.description, "schema": q.schema}
            for q in route.query
        ]
        if route.method == "POST" and route.idempotent_post and route.roles is not None:
            parameters.append(
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "description": "repeat a POST safely: the first response is replayed to you; one key names "
                    "one request (the same key with another body is 422 idempotency-key-reused)",
                    "schema": IDEMPOTENCY_KEY_SCHEMA,
                }
            )
        if parameters:
            operation["parameters"] = parameters
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{route.body.__name__}"}}},
            }
        if route.roles is not None:
            operation["security"] = [{"bearer": []}]
            operation["x-roles"] = sorted(r.value for r in route.roles)
        for status, model in route.responses.items():
            response: dict[str, Any] = {"description": _REASONS.get(status, "")}
            if model is not None:
                response["content"] = {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
                }
            elif status != 204 and route.media_type != "application/json" and status < 300:
                response["content"] = {route.media_type: {"schema": {"type": "string", "format": "binary"}}}
            elif status != 204:
                response["content"] = {"application/json": {"schema": {"type": "object"}}}
            operation["responses"][str(status)] = response
        # Every route: a malformed request (400), a body over the limit (413), a parameter, body or
        # Idempotency-Key its schema refuses, or a body sent to a route that takes none (422).
        error_statuses = set(route.errors) | {400, 413, 422, 500, 503}
        if route.body is not None:
            error_statuses |= {415}
        if route.roles is not None:
            error_statuses |= {401, 403}
        for status in sorted(error_statuses):
            operation["responses"].setdefault(
                str(status),
                {
                    "description": _REASONS.get(status, ""),
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
                },
            )
        paths.setdefault(route.template, {})[route.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sori (국민의 소리) case store API",
            "version": version,
            "description": "One case store for 156 government call centers. Errors are "
            "{error, message, details}; error codes: " + ", ".join(sorted(statuses.codes)),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _nul_free_strings(schema: Any) -> None:
    """Every free-text string of a request body says what ``crm.api.schemas.In`` enforces: no U+0000."""
    if isinstance(schema, dict):
        if schema.get("type") == "string" and not {"pattern", "enum", "const", "format"} & schema.keys():
            schema["pattern"] = NUL_FREE
        for value in schema.values():
            _nul_free_strings(value)
    elif isinstance(schema, list):
        for value in schema:
            _nul_free_strings(value)


def _is_input(router: Router, model: type[BaseModel]) -> bool:
    return any(route.body is model for route in router.routes)


def _operation_id(method: str, template: str) -> str:
    words = [w for w in re.split(r"[/{}\-]+", template) if w and w not in ("api", "v1")]
    return method.lower() + "".join(w[:1].upper() + w[1:] for w in words)
