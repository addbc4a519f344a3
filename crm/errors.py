"""Typed domain errors, each with a stable code that the HTTP edge maps to a status."""

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


class InvalidPhoneNumber(DomainError):
    code = "invalid-phone-number"


class InvalidResidentNumber(DomainError):
    code = "invalid-resident-number"


class NotFound(DomainError):
    code = "not-found"


class CaseNotFound(NotFound):
    code = "case-not-found"


class CitizenNotFound(NotFound):
    code = "citizen-not-found"


class CenterNotFound(NotFound):
    code = "center-not-found"


class AgentNotFound(NotFound):
    code = "agent-not-found"


class InteractionNotFound(NotFound):
    code = "interaction-not-found"


class HandoffNotFound(NotFound):
    code = "handoff-not-found"


class ComplaintNotFound(NotFound):
    code = "complaint-not-found"


class ComplaintExists(DomainError):
    code = "complaint-exists"


class IllegalTransition(DomainError):
    code = "illegal-status-transition"


class VersionConflict(DomainError):
    code = "version-conflict"


class Conflict(DomainError):
    code = "conflict"


class MergeRejected(DomainError):
    code = "merge-rejected"


class LinkRejected(DomainError):
    code = "link-rejected"


class InteractionClosed(DomainError):
    code = "interaction-closed"


class Forbidden(DomainError):
    code = "forbidden"


class NotServing(Forbidden):
    code = "not-serving"


class ReasonRequired(DomainError):
    code = "reason-required"


class OtherCenter(Forbidden):
    code = "other-center"


class IdentityCheckFailed(DomainError):
    code = "identity-check-failed"


class IdentityCheckLocked(DomainError):
    code = "identity-check-locked"


class CenterInactive(DomainError):
    code = "center-inactive"
