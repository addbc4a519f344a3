"""The case store's errors, each with a stable code (their HTTP status: ``crm.api.http_status``)."""

from __future__ import annotations

from kernel.errors import DomainError, NotFound


class InvalidPhoneNumber(DomainError):
    code = "invalid-phone-number"


class InvalidResidentNumber(DomainError):
    code = "invalid-resident-number"



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



class MergeRejected(DomainError):
    code = "merge-rejected"


class LinkRejected(DomainError):
    code = "link-rejected"


class InteractionClosed(DomainError):
    code = "interaction-closed"


class CallNotEnded(DomainError):
    """Wrap-up of a call telephony has not ended yet: its end (talk time, recording) is telephony's to write."""

    code = "call-not-ended"


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


class NoCitizenOnContact(DomainError):
    """A tool that works for one citizen was used on a contact with no citizen picked."""

    code = "no-citizen-on-contact"


class IdentityNotVerified(Forbidden):
    """A tool that acts on a citizen's records was used before the caller's identity was checked."""

    code = "identity-not-verified"
