"""Errors the ACD raises when a command does not fit the state it knows; each has a stable code."""

from __future__ import annotations

from kernel.errors import DomainError


class AcdError(DomainError):
    code = "acd-error"


class UnknownCall(AcdError):
    code = "unknown-call"


class DuplicateCall(AcdError):
    code = "duplicate-call"


class UnknownAgent(AcdError):
    code = "unknown-agent"


class UnknownQueue(AcdError):
    code = "unknown-queue"


class UnknownCenter(AcdError):
    code = "unknown-center"


class UnknownCallback(AcdError):
    code = "unknown-callback"


class DuplicateCallback(AcdError):
    code = "duplicate-callback"


class AgentBusy(AcdError):
    """The agent is ringing or on a call and cannot take this command now."""

    code = "agent-busy"


class AgentNotAvailable(AcdError):
    """A call for one named agent (a transfer to them) while they are not ready for it."""

    code = "agent-not-available"


class AgentLoggedOut(AcdError):
    code = "agent-logged-out"


class AgentAlreadyLoggedIn(AcdError):
    code = "agent-logged-in"


class CallNotOffered(AcdError):
    """Answer or decline of a call that is not ringing at that agent."""

    code = "call-not-offered"


class CallNotConnected(AcdError):
    """End of a call that no agent has answered."""

    code = "call-not-connected"


class NaiveTime(AcdError):
    code = "naive-time"


class CallAlreadyAnswered(AcdError):
    """Abandon of a call an agent already answered (that is the end of the call, not an abandon)."""

    code = "call-answered"
