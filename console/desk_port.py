"""The console's port for changing an agent's state at the desk (ready, 이석 with a reason, logged out).

Apart from ``console.ports`` because it returns a Twisted ``Deferred`` and ``console.ports`` is imported by the
console's pure modules. The composition root hands in an adapter over the running desk.
"""

from __future__ import annotations

from typing import Any, Protocol

from twisted.internet.defer import Deferred


class AgentDesk(Protocol):
    """The desk's agent states, called on the reactor."""

    def set_state(self, login: str, state: str, reason: str | None) -> Deferred[dict[str, Any]]:
        """Ready, not-ready (with a reason code) or logged-out; fires with the agent's view (``state``,
        ``reason``...), or fails with ``DeskUnavailable``, ``ValidationFailed`` (an agent telephony does not
        know) or another ``DomainError`` (a change the agent's present state forbids)."""
        ...
