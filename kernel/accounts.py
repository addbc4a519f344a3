"""Who is signed in, as every screen sees it: the ``Sessions`` port the dashboards and the agent console sign
agents in through, and ``SignInSessions``, its adapter over the case store's sign-in service (handed in by the
composition root, known here only by the small ``SignIn`` protocol and its refusals' stable codes). One login
rule, rate limit and token store for the API, the dashboards and the console (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from kernel.errors import DomainError

RATE_LIMITED = "login-rate-limited"
WRONG_CREDENTIALS = "unauthorized"


@dataclass(frozen=True)
class Viewer:
    """The agent behind a session."""

    agent_id: int
    login: str
    name: str
    role: str
    center: str


class LoginRefused(Exception):
    """A login the accounts refused; ``message`` is Korean and shown on the login page."""

    def __init__(self, code: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


class Sessions(Protocol):
    """The agents' accounts: the API's one login rule, throttle and token store."""

    def log_in(self, login: str, password: str, remote: str) -> tuple[str, dt.datetime]:
        """A session token and its expiry; raises ``LoginRefused``."""
        ...

    def viewer(self, token: str) -> Viewer | None:
        """The active agent behind a session token, None when it is unknown, expired or revoked."""
        ...

    def log_out(self, token: str) -> None:
        """Revoke the token."""
        ...


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
    """``Sessions`` over the sign-in service: its answers as viewers, its refusals in Korean."""

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
