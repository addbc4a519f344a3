"""Errors every integration's port may raise, whatever system is behind it (pure)."""

from __future__ import annotations

from kernel.errors import DomainError


class ServiceUnavailable(DomainError):
    """An external government system could not answer (unreachable, timed out, failing): asking later may work.
    Each port names its own subclass, so a caller can tell which system was down."""

    code = "integration-unavailable"
