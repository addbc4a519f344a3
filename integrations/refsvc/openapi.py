"""The OpenAPI 3.1 document of one played system, built from its router (``docs/integrations/*.openapi.json``).

The kernel's builder states routes, parameters, bodies and error statuses; this adds what an external system's
API has beside: the ``X-API-Key`` security scheme on every operation (401 when it is missing or wrong), the
``Idempotency-Key`` header of writes that take one, the headers every operation of the system takes, non-JSON
request bodies (an uploaded PDF), non-JSON answers (a PDF) and the system's own title, description and server path.
"""

from __future__ import annotations

from typing import Any

from integrations.refsvc.system import PlayedSystem
from kernel.http.openapi import IDEMPOTENCY_KEY_SCHEMA, build_openapi


def system_document(system: PlayedSystem, *, version: str) -> dict[str, Any]:
    """The document of ``system``'s API, built from its routes."""
    mount = system.describe()
    title, description, idempotent = system.title, system.description, system.idempotent
    document = build_openapi(mount.router, version, mount.statuses)
    codes = ", ".join(sorted(mount.statuses.codes))
    document["info"] = {
        "title": title,
        "version": version,
        "description": f"{description}\n\nErrors are {{error, message, details}}; codes: {codes}",
    }
    document["servers"] = [{"url": mount.prefix, "description": "the bundled reference service (sori refsvc)"}]
    document["components"]["securitySchemes"] = {"apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}
    document["security"] = [{"apiKey": []}]
    keyed = set(idempotent)
    for template, operations in document["paths"].items():
        for method, operation in operations.items():
            if system.headers:
                operation.setdefault("parameters", []).extend(dict(header) for header in system.headers)
            operation["responses"].setdefault(
                "401",
                {
                    "description": "API key missing or wrong",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
                },
            )
            media = mount.raw_bodies.get((method.upper(), template))
            if media is not None:
                operation["requestBody"] = {
                    "required": True,
                    "content": {media: {"schema": {"type": "string", "format": "binary"}}},
                }
                operation["responses"].setdefault(
                    "415",
                    {
                        "description": "Unsupported media type",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
                    },
                )
            answer = system.raw_responses.get((method.upper(), template))
            if answer is not None:
                operation["responses"]["200"]["content"] = {answer: {"schema": {"type": "string", "format": "binary"}}}
            if (method.upper(), template) in keyed:
                operation.setdefault("parameters", []).append(
                    {
                        "name": "Idempotency-Key",
                        "in": "header",
                        "required": True,
                        "schema": IDEMPOTENCY_KEY_SCHEMA,
                        "description": "one key names one request: a repeat answers the first result and does nothing "
                        "again; the same key with another request is refused (422)",
                    }
                )
    return document
