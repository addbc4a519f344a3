"""Request bodies: JSON parsed and validated against a route's strict pydantic model, with a nesting limit.

Runs on a database thread, after the token was resolved: a caller without a valid token never learns
anything about a route's schema. The nesting limit keeps a hostile body (``[[[[…`` ten thousand deep) from
reaching a recursive parser: it is refused with ``json-too-deep`` (400) after a linear scan of its brackets.
"""

from __future__ import annotations

import json

from pydantic import BaseModel, ValidationError

from kernel.http.errors import ApiError
from kernel.http.json_depth import MAX_JSON_DEPTH, nesting_depth_over


def parse_body(model: type[BaseModel], raw: bytes, content_type: str | None) -> BaseModel:
    """The validated body, or an ``ApiError`` with a stable code (415, 400, 422) naming what is wrong."""
    if content_type is None or content_type.split(";")[0].strip().lower() != "application/json":
        raise ApiError("unsupported-media-type", "send the body as application/json")
    if nesting_depth_over(raw):
        raise ApiError(
            "json-too-deep",
            f"the JSON body is nested more than {MAX_JSON_DEPTH} levels deep",
            max_depth=MAX_JSON_DEPTH,
        )
    try:
        decoded = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError("malformed-json", f"the body is not valid JSON: {exc}") from None
    except RecursionError:  # unreachable after the scan above; kept so no parser limit can become a 500
        raise ApiError("json-too-deep", "the JSON body is nested too deeply", max_depth=MAX_JSON_DEPTH) from None
    if not isinstance(decoded, dict):
        raise ApiError("malformed-json", "the body must be a JSON object")
    try:
        return model.model_validate_json(raw, strict=True)
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"], "type": e["type"]}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        fields = ", ".join(p["field"] or "(body)" for p in problems)
        raise ApiError("validation-failed", f"invalid field(s): {fields}", errors=problems) from None
