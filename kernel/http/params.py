"""Path and query parameters: their JSON schemas (as the OpenAPI document states them) and the check that holds
every request to those schemas, so the document says what the server enforces.

A route declares its query parameters (``QueryParam``); path parameters take their schema from their name (the
router's defaults, e.g. ``{number}`` is a case number, ``{…_id}`` a positive id) unless the route gives one. Before a
handler runs, ``check_parameters`` refuses (422 ``validation-failed``, naming the parameter) a value its schema
does not allow: a type, a range, a length, an enum or a pattern. Patterns are written in the common subset of
ECMA-262 (what JSON Schema means) and Python ``re``: ``[0-9]`` rather than ``\\d``, anchored with ``^…$``.

A schema can be ``checked=False`` when a domain rule is the real check and the pattern only states the written
form clients should send (the caller's number: any Korean written form is parsed by ``normalize_phone``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kernel.errors import ValidationFailed

ID_MAX = 10**18 - 1  # 18 digits: fits a 64-bit integer column on every database
# No text the API takes holds U+0000: PostgreSQL text cannot store it (nor compare with it), so the document
# says so on every string without a pattern of its own, and the server refuses it (422) before any query.
NUL_FREE = "^[^\\u0000]*$"
# An integer as JSON Schema counts one: "3" and also "3.0" (ASCII digits only: Python's \d and str.isdigit()
# take other scripts' digits and '²', which int() refuses).
INTEGER = re.compile(r"(-?[0-9]{1,18})(?:\.0+)?")


@dataclass(frozen=True)
class QueryParam:
    name: str
    description: str
    schema: dict[str, Any]
    required: bool = False
    checked: bool = True  # False: the handler's domain rule is the check (see the module docstring)

    @classmethod
    def integer(cls, name: str, description: str, low: int, high: int, default: int | None = None) -> QueryParam:
        schema: dict[str, Any] = {"type": "integer", "minimum": low, "maximum": high}
        if default is not None:
            schema["default"] = default
        return cls(name, description, schema)

    @classmethod
    def choice(cls, name: str, description: str, values: Iterable[str]) -> QueryParam:
        return cls(name, description, {"type": "string", "enum": list(values)})

    @classmethod
    def text(cls, name: str, description: str, max_length: int, *, required: bool = False) -> QueryParam:
        schema = {"type": "string", "minLength": 1 if required else 0, "maxLength": max_length, "pattern": NUL_FREE}
        return cls(name, description, schema, required)


ID_SCHEMA: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": ID_MAX}


def path_schema(
    name: str, declared: Mapping[str, dict[str, Any]], defaults: Mapping[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The schema of path parameter ``name``: the route's own, else the router's default for that name (each
    router states its own, e.g. ``{number}`` is a case number in the case store's), else a string."""
    return dict(declared.get(name) or (defaults or {}).get(name) or {"type": "string", "pattern": NUL_FREE})


def parse_integer(text: str) -> int | None:
    """``text`` as an integer of at most 18 digits (``3`` or ``3.0``), or None."""
    found = INTEGER.fullmatch(text)
    return int(found.group(1)) if found else None


def check_value(name: str, schema: Mapping[str, Any], text: str) -> None:
    """Refuse ``text`` unless ``schema`` (the subset of JSON Schema used here) allows it."""
    if "\x00" in text:
        raise ValidationFailed(f"parameter '{name}' must not contain U+0000", parameter=name)
    if schema.get("type") == "integer":
        value = parse_integer(text)
        if value is None:
            raise ValidationFailed(f"parameter '{name}' must be an integer", parameter=name)
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValidationFailed(f"parameter '{name}' must be between {low} and {high}", parameter=name)
        return
    if "enum" in schema and text not in schema["enum"]:
        allowed = ", ".join(str(v) for v in schema["enum"])
        raise ValidationFailed(f"parameter '{name}' must be one of {allowed}", parameter=name)
    if len(text) < schema.get("minLength", 0) or len(text) > schema.get("maxLength", len(text)):
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        raise ValidationFailed(f"parameter '{name}' must be {low}-{high} characters long", parameter=name)
    pattern = schema.get("pattern")
    if pattern is not None and not _python_pattern(pattern).search(text):
        raise ValidationFailed(f"parameter '{name}' is not in the expected form", parameter=name, pattern=pattern)


def check_parameters(
    params: Mapping[str, str],
    query: Mapping[str, list[str]],
    declared_path: Mapping[str, dict[str, Any]],
    declared_query: Iterable[QueryParam],
) -> None:
    """Every path parameter and every declared query parameter against its schema (422 on the first wrong one)."""
    for name, text in params.items():
        check_value(name, path_schema(name, declared_path), text)
    for param in declared_query:
        values = query.get(param.name)
        if not values:
            if param.required:
                raise ValidationFailed(f"query parameter '{param.name}' is required", parameter=param.name)
            continue
        if len(values) > 1:
            raise ValidationFailed(f"query parameter '{param.name}' given more than once", parameter=param.name)
        if param.checked:
            check_value(param.name, param.schema, values[0])


_COMPILED: dict[str, re.Pattern[str]] = {}


def _python_pattern(pattern: str) -> re.Pattern[str]:
    """An ECMA-262 pattern as Python reads it: ``$`` at the end means the end of the text (not before a newline)."""
    compiled = _COMPILED.get(pattern)
    if compiled is None:
        source = pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith(r"\$") else pattern
        compiled = _COMPILED[pattern] = re.compile(source, re.ASCII)
    return compiled
