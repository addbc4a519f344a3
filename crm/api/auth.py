"""Authentication: argon2id passwords, random bearer tokens stored hashed, expiry, logout, login throttle.

The throttle itself (per address and login, growing delays) is ``crm.api.throttle``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from crm.agents.model import Agent
from crm.api.throttle import LoginLimiter as LoginLimiter
from crm.store import tables
from crm.store.uow import SqlUnitOfWork
from kernel.errors import DomainError

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
    """Check a login and password (throttled per address and login, and per address) and issue a token.

    The one login rule of the API and the dashboards. Raises ``LoginRateLimited`` (details: retry_after,
    scope) before any password is checked, or ``WrongCredentials``; the caller commits the unit of work to
    keep the token.
    """
    assert uow.session is not None
    throttled = limiter.check(login, remote, now)
    if throttled is not None:
        wait = throttled.retry_after
        who = "this address" if throttled.scope == "address" else "this login from this address"
        raise LoginRateLimited(
            f"로그인 실패가 많아 잠시 제한됩니다. {wait}초 뒤에 다시 시도하세요. "
            f"(too many failed logins for {who}; retry in {wait} s)",
            retry_after=wait,
            scope=throttled.scope,
        )
    agent = uow.agents.by_login(login)
    ok = verify_password(agent.password_hash if agent else None, password)
    if agent is None or not ok or not agent.active or agent.id is None:
        limiter.failed(login, remote, now)
        raise WrongCredentials("wrong login or password")
    limiter.succeeded(login, remote)
    token, expires = issue_token(uow.session, agent.id, now, hours)
    return Granted(token, expires, agent)
