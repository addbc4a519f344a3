"""Authentication: argon2id passwords, random bearer tokens stored hashed, expiry, logout, login rate limit."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from collections import deque
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from crm.agents.model import Agent
from crm.errors import DomainError
from crm.store import tables
from crm.store.uow import SqlUnitOfWork

_hasher = PasswordHasher()  # argon2id with the library's current recommended cost
# Verifying against this when the login is unknown keeps the timing of both failures alike.
_DUMMY_HASH = _hasher.hash("sori-no-such-user")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, agent_id: int, now: dt.datetime, hours: float) -> tuple[str, dt.datetime]:
    token = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(hours=hours)
    session.execute(
        insert(tables.auth_tokens).values(
            token_hash=_digest(token),
            agent_id=agent_id,
            created_at=now,
            expires_at=expires,
        )
    )
    return token, expires


def resolve_token(session: Session, token: str, now: dt.datetime) -> Agent | None:
    t = tables.auth_tokens.c
    row = session.execute(select(t.agent_id, t.expires_at, t.revoked_at).where(t.token_hash == _digest(token))).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    agent = session.get(Agent, row.agent_id)
    return agent if agent is not None and agent.active else None


def revoke_token(session: Session, token: str, now: dt.datetime) -> None:
    t = tables.auth_tokens.c
    session.execute(
        update(tables.auth_tokens).where(t.token_hash == _digest(token), t.revoked_at.is_(None)).values(revoked_at=now)
    )


class LoginLimiter:
    """At most ``max_failures`` failed logins per login name and per client address in a sliding window."""

    def __init__(self, max_failures: int, window_seconds: int) -> None:
        self.max_failures = max_failures
        self.window = dt.timedelta(seconds=window_seconds)
        self._failures: dict[str, deque[dt.datetime]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: dt.datetime) -> deque[dt.datetime]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def retry_after(self, login: str, remote: str, now: dt.datetime) -> int | None:
        """Seconds to wait if either key is over the limit, else None."""
        with self._lock:
            waits = []
            for key in (f"login:{login}", f"addr:{remote}"):
                times = self._recent(key, now)
                if len(times) >= self.max_failures:
                    waits.append(int((times[0] + self.window - now).total_seconds()) + 1)
            return max(waits) if waits else None

    def failed(self, login: str, remote: str, now: dt.datetime) -> None:
        with self._lock:
            for key in (f"login:{login}", f"addr:{remote}"):
                self._recent(key, now).append(now)

    def succeeded(self, login: str) -> None:
        with self._lock:
            self._failures.pop(f"login:{login}", None)


class LoginRateLimited(DomainError):
    code = "login-rate-limited"


class WrongCredentials(DomainError):
    code = "unauthorized"


@dataclass(frozen=True)
class Granted:
    token: str
    expires_at: dt.datetime
    agent: Agent


def log_in(
    uow: SqlUnitOfWork, limiter: LoginLimiter, login: str, password: str, remote: str, now: dt.datetime, hours: float
) -> Granted:
    """Check a login and password (rate-limited per login and per address) and issue a token.

    The one login rule of the API and the dashboards. Raises ``LoginRateLimited`` (details: retry_after) or
    ``WrongCredentials``; the caller commits the unit of work to keep the token.
    """
    assert uow.session is not None
    wait = limiter.retry_after(login, remote, now)
    if wait is not None:
        raise LoginRateLimited(f"too many failed logins; retry in {wait} s", retry_after=wait)
    agent = uow.agents.by_login(login)
    ok = verify_password(agent.password_hash if agent else None, password)
    if agent is None or not ok or not agent.active or agent.id is None:
        limiter.failed(login, remote, now)
        raise WrongCredentials("wrong login or password")
    limiter.succeeded(login)
    token, expires = issue_token(uow.session, agent.id, now, hours)
    return Granted(token, expires, agent)
