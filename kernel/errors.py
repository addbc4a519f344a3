"""The error base every package raises: a typed error with a stable code.

Each package owns its codes (its own subclasses) and states the HTTP status of each in its ``http_status``
module; ``kernel.http.errors.StatusTable`` joins those tables, and a code no table names is a defect the
server answers 500 and logs (never a silent 400).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the domain raises on purpose.

    ``code`` is stable and documented; clients branch on it, never on ``message``.
    """

    code = "domain-error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ValidationFailed(DomainError):
    code = "validation-failed"


class NotFound(DomainError):
    code = "not-found"


class Conflict(DomainError):
    code = "conflict"
