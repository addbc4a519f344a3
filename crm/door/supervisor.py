"""Supervisors' actions as other packages record them: the audit row of each action (``supervisor_actions``),
the messages an agent received, and the abandoned callers a supervisor may call back (the history store's).

Functions over the caller's unit of work (a SQL one): the row commits with the request that did the action.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from crm.store import call_history as history
from crm.store import supervisor_actions as store

ACTIONS = frozenset({"agent-state", "agent-skills", "message", "callback"})


@dataclass(frozen=True)
class SupervisorAction:
    at: dt.datetime
    actor_id: int
    actor_login: str
    actor_role: str
    center: str
    action: str
    target_login: str | None = None
    call_record_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AgentMessage:
    message_id: int
    at: dt.datetime
    from_login: str
    text: str


def record_supervisor_action(uow: Any, action: SupervisorAction) -> int:
    """Writes the audit row in ``uow`` (committed with it); returns its id."""
    if action.action not in ACTIONS:
        raise ValueError(f"unknown supervisor action {action.action!r}")
    return store.insert_action(uow.session, {
        "at": action.at, "actor_id": action.actor_id, "actor_login": action.actor_login,
        "actor_role": action.actor_role, "center": action.center, "action": action.action,
        "target_login": action.target_login, "call_record_id": action.call_record_id, "detail": action.detail,
    })  # fmt: skip


def save_agent_skills(uow: Any, login: str, skills: dict[str, int]) -> bool:
    """The agent's skills (and levels) from now, kept on their account (the next login and a restart use them);
    False when there is no such agent."""
    agent = uow.agents.by_login(login)
    if agent is None:
        return False
    agent.skills = dict(skills)
    return True


def messages_to(uow: Any, login: str, since: dt.datetime, limit: int = 20) -> list[AgentMessage]:
    """Messages supervisors sent to ``login`` since ``since``, newest first."""
    return [AgentMessage(r["id"], r["at"], r["from_login"], r["text"]) for r in
            store.messages_to(uow.session, login, since, limit)]  # fmt: skip


def abandoned_caller(uow: Any, call_record_id: int) -> tuple[str, str, str | None, bool] | None:
    """(center, skill, digits or None, already requested) of an abandoned call record; None: no such call."""
    return history.abandoned_caller(uow.session, call_record_id)


def mark_callback_requested(uow: Any, call_record_id: int, by_login: str, at: dt.datetime) -> None:
    history.mark_callback_requested(uow.session, call_record_id, by_login, at)
