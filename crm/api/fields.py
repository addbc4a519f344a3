"""Base models and field types of request bodies whose JSON schema must say exactly what the server takes.

Integers are JSON Schema integers (``3`` and ``3.0``; never ``"3"`` or ``true``) and ids fit every database's
BIGINT. Where a domain rule is the real check (주민등록번호, phone numbers) the document shows the written form a
client should send as a pattern the server does not enforce itself: every string that pattern allows passes the
domain rule (tests/unit/test_api_params.py), and the server also takes other written forms.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from crm.api.params import CASE_NUMBER_PATTERN, ID_MAX, PHONE_PATTERN

__all__ = [
    "RESIDENT_NUMBER_PATTERN",
    "CaseNumber",
    "Id",
    "In",
    "Int",
    "Out",
    "Phone",
    "ResidentNumber",
    "Version",
    "holds_nul",
    "integral",
]


def integral(value: Any) -> Any:
    """JSON Schema counts ``3.0`` as the integer 3, so the server does too (a strict model refuses other floats)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Integers in request bodies: 3 or 3.0, never "3" or true; ids are 1 to 18 digits (every database's BIGINT).
Int = Annotated[int, BeforeValidator(integral)]
Id = Annotated[int, Field(ge=1, le=ID_MAX), BeforeValidator(integral)]
Version = Annotated[int, Field(ge=0, le=ID_MAX), BeforeValidator(integral)]
CaseNumber = Annotated[str, Field(max_length=44, pattern=CASE_NUMBER_PATTERN, description="YYYY-CENTER-SEQUENCE")]
# The written forms the document shows: '주민등록번호' YYMMDD-NNNNNNN with a day every month has, and the
# Korean numbers of crm.api.params.PHONE_PATTERN. The server takes more (any real date, other written forms):
# crm.citizens is the check; each form shown here is one it takes (tests/unit/test_api_params.py).
RESIDENT_NUMBER_PATTERN = r"^[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|1[0-9]|2[0-8])-?[1-8][0-9]{6}$"
ResidentNumber = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20,
        description="주민등록번호 YYMMDD-NNNNNNN",
        json_schema_extra={"pattern": RESIDENT_NUMBER_PATTERN},
    ),
]
Phone = Annotated[str, Field(max_length=32, json_schema_extra={"pattern": PHONE_PATTERN})]


def holds_nul(value: Any) -> bool:
    """Whether any text in a decoded JSON value holds U+0000 (which PostgreSQL text cannot store)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_nul(v) for v in value)
    return False


class In(BaseModel):
    """Request bodies: unknown fields are errors, types are strict, no text holds U+0000."""

    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if holds_nul(value):  # the document's string patterns say so (crm.api.openapi)
            raise ValueError("text must not contain U+0000")
        return value


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")
