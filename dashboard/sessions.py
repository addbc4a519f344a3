"""``dashboard.ports.Sessions`` over the case store's sign-in service (``crm.api.sessions.AgentSessions``,
handed in by the composition root): one login rule, rate limit and token store for the API and the dashboards.

This module knows the service only by the small protocol below, and its refusals by their stable error codes.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from dashboard.ports import LoginRefused, Viewer
from kernel.errors import DomainError

RATE_LIMITED = "login-rate-limited"
WRONG_CREDENTIALS = "unauthorized"


class Holder(Protocol):
    @property
    def agent_id(self) -> int: ...
    @property
    def login(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def center_code(self) -> str: ...


class SignIn(Protocol):
    def log_in(self, login: str, password: str, remote: str) -> tuple[str, dt.datetime]:
        """A token and its expiry; raises a ``DomainError``: ``login-rate-limited`` (``retry_after`` in its
        details) or ``unauthorized`` (wrong login or password)."""
        ...

    def holder(self, token: str) -> Holder | None: ...

    def log_out(self, token: str) -> None: ...


class SignInSessions:
    """The dashboards' sessions: the sign-in service's answers as viewers, its refusals in Korean."""

    def __init__(self, sign_in: SignIn) -> None:
        self.sign_in = sign_in

    def log_in(self, login: str, password: str, remote: str) -> tuple[str, dt.datetime]:
        try:
            return self.sign_in.log_in(login, password, remote)
        except DomainError as refused:
            if refused.code == RATE_LIMITED:
                wait = int(refused.details["retry_after"])
                message = f"로그인 실패가 많습니다. {wait}초 뒤에 다시 시도하세요."
                raise LoginRefused(refused.code, message, wait) from None
            if refused.code == WRONG_CREDENTIALS:
                raise LoginRefused(refused.code, "아이디 또는 비밀번호가 틀렸습니다.") from None
            raise

    def viewer(self, token: str) -> Viewer | None:
        holder = self.sign_in.holder(token)
        if holder is None:
            return None
        return Viewer(holder.agent_id, holder.login, holder.display_name, holder.role, holder.center_code)

    def log_out(self, token: str) -> None:
        self.sign_in.log_out(token)
