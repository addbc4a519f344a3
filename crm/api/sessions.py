"""Agents' sign-in sessions as a service for the other front ends (the dashboards): the API's one login rule
(argon2id, throttle, hashed bearer tokens, expiry, logout) behind three calls, each its own transaction.

Answers are plain values (``TokenHolder``), never store rows; refusals are the API's own errors
(``crm.api.auth.LoginRateLimited`` with ``retry_after`` in its details, ``crm.api.auth.WrongCredentials``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from crm.api import auth
from crm.api.throttle import LoginLimiter
from crm.store.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class TokenHolder:
    """The active agent a live token belongs to."""

    agent_id: int
    login: str
    display_name: str
    role: str
    center_code: str


class AgentSessions:
    def __init__(
        self, uow: UnitOfWorkFactory, limiter: LoginLimiter, clock: Callable[[], dt.datetime], token_hours: float
    ) -> None:
        self.uow = uow
        self.limiter = limiter
        self.clock = clock
        self.token_hours = token_hours

    def log_in(self, login: str, password: str, remote: str) -> tuple[str, dt.datetime]:
        """A new token and its expiry; raises ``auth.LoginRateLimited`` or ``auth.WrongCredentials``."""
        with self.uow() as uow:
            granted = auth.log_in(uow, self.limiter, login, password, remote, self.clock(), self.token_hours)
            uow.commit()
        return granted.token, granted.expires_at

    def holder(self, token: str) -> TokenHolder | None:
        """The active agent behind ``token``; None when it is unknown, expired or revoked."""
        with self.uow(readonly=True) as uow:
            assert uow.session is not None
            agent = auth.resolve_token(uow.session, token, self.clock())
            if agent is None or agent.id is None:
                return None
            return TokenHolder(agent.id, agent.login, agent.display_name, str(agent.role), agent.center_code)

    def log_out(self, token: str) -> None:
        with self.uow() as uow:
            assert uow.session is not None
            auth.revoke_token(uow.session, token, self.clock())
            uow.commit()
