"""Builds the OpenAPI 3.1 document from the declared routes and their pydantic models."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from crm.api.errors import STATUS_BY_CODE
from crm.api.kit import Router
from crm.api.schemas import ErrorOut

_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad request",
    401: "Not logged in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Unavailable",
}


def build_openapi(router: Router, version: str) -> dict[str, Any]:
    models: set[type[BaseModel]] = {ErrorOut}
    for route in router.routes:
        if route.body is not None:
            models.add(route.body)
        models.update(m for m in route.responses.values() if m is not None)
    ordered = sorted(models, key=lambda m: m.__name__)
    keys = [(m, "validation" if _is_input(router, m) else "serialization") for m in ordered]
    _, definitions = models_json_schema(keys, ref_template="#/components/schemas/{model}")  # type: ignore[arg-type]
    paths: dict[str, dict[str, Any]] = {}
    for route in router.routes:
        operation: dict[str, Any] = {
            "operationId": _operation_id(route.method, route.template),
            "summary": route.summary,
            "tags": [route.tag],
            "responses": {},
        }
        parameters = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
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
                    "description": "repeat a POST safely: the first response is replayed",
                    "schema": {"type": "string", "maxLength": 200},
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
            elif status != 204:
                response["content"] = {"application/json": {"schema": {"type": "object"}}}
            operation["responses"][str(status)] = response
        error_statuses = set(route.errors) | {400, 500, 503}
        if route.body is not None:
            error_statuses |= {413, 415, 422}
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
            "{error, message, details}; error codes: " + ", ".join(sorted(STATUS_BY_CODE)),
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _is_input(router: Router, model: type[BaseModel]) -> bool:
    return any(route.body is model for route in router.routes)


def _operation_id(method: str, template: str) -> str:
    words = [w for w in re.split(r"[/{}\-]+", template) if w and w not in ("api", "v1")]
    return method.lower() + "".join(w[:1].upper() + w[1:] for w in words)
