"""SIP credentials of agents' phones: a random password of their own, stored only as the digest HA1.

A phone's SIP password is never derived from the agent's API password: it is drawn at random when the
phone gets credentials (a new login, the demo seed) or when they are rotated, shown once to whoever asked,
and only HA1 = MD5(login:realm:password) is kept (what SIP digest authentication needs at the edge).
Rotation is allowed to the agent themselves, a supervisor of the agent's center, or an admin.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from crm.agents.model import Agent
from crm.errors import AgentNotFound, Forbidden
from crm.ports import UnitOfWork
from kernel.actor import Actor, Role

PASSWORD_BYTES = 18  # 24 URL-safe characters: 144 bits, far beyond guessing through the edge's ban


def new_sip_password() -> str:
    """A fresh random SIP password (URL-safe characters: safe in softphone settings and SIP headers)."""
    return secrets.token_urlsafe(PASSWORD_BYTES)


def digest_ha1(login: str, realm: str, password: str) -> str:
    """HA1 of SIP digest authentication (RFC 2617): MD5 is what the protocol prescribes."""
    return hashlib.md5(f"{login}:{realm}:{password}".encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class SipCredentials:
    """What the one who asked is shown once: the login, the realm and the new password."""

    login: str
    realm: str
    password: str


def may_rotate(actor: Actor, agent: Agent) -> bool:
    """The agent themselves, a supervisor of the agent's center, an admin (or a system component)."""
    if actor.is_system or actor.role is Role.ADMIN:
        return True
    if actor.agent_id is not None and actor.agent_id == agent.id:
        return True
    return actor.role is Role.SUPERVISOR and actor.center_code == agent.center_code


def issue(agent: Agent, realm: str, password: str | None = None) -> SipCredentials:
    """Give ``agent``'s phone a new password (random unless given) and keep only its HA1 on the agent."""
    secret = password if password is not None else new_sip_password()
    agent.sip_ha1 = digest_ha1(agent.login, realm, secret)
    return SipCredentials(agent.login, realm, secret)


def rotate_sip_password(uow: UnitOfWork, actor: Actor, login: str, realm: str) -> SipCredentials:
    """A new SIP password for ``login``'s phone; the old one stops working at the edge's next refresh.

    Does not commit: the caller does."""
    agent = uow.agents.by_login(login)
    if agent is not None and agent.active and may_rotate(actor, agent):
        return issue(agent, realm)
    if actor.is_system or actor.role is Role.ADMIN:
        raise AgentNotFound(f"no active agent {login}", login=login)
    # the same answer for a login that does not exist and one that is not yours to change: no oracle
    raise Forbidden("only the agent, a supervisor of the agent's center or an admin may do this", login=login)
