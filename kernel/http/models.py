"""Base models and field types of request and response bodies whose JSON schema must say exactly what the
server takes.

Integers are JSON Schema integers (``3`` and ``3.0``; never ``"3"`` or ``true``) and ids fit every database's
BIGINT. Request bodies refuse unknown fields and any text holding U+0000.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from kernel.http.params import ID_MAX

__all__ = ["ErrorOut", "Id", "In", "Int", "Out", "Version", "holds_nul", "integral"]


def integral(value: Any) -> Any:
    """JSON Schema counts ``3.0`` as the integer 3, so the server does too (a strict model refuses other floats)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# Integers in request bodies: 3 or 3.0, never "3" or true; ids are 1 to 18 digits (every database's BIGINT).
Int = Annotated[int, BeforeValidator(integral)]
Id = Annotated[int, Field(ge=1, le=ID_MAX), BeforeValidator(integral)]
Version = Annotated[int, Field(ge=0, le=ID_MAX), BeforeValidator(integral)]


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
        if holds_nul(value):  # the document's string patterns say so (kernel.http.openapi)
            raise ValueError("text must not contain U+0000")
        return value


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Out):
    error: str = Field(description="stable error code")
    message: str
    details: dict[str, Any]
