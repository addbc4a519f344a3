"""Who is acting: an authenticated agent (with their role) or a named system component."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    ADMIN = "admin"


@dataclass(frozen=True)
class Actor:
    center_code: str | None
    role: Role
    login: str
    agent_id: int | None = None

    @classmethod
    def system(cls, component: str) -> Actor:
        return cls(center_code=None, role=Role.ADMIN, login=f"system:{component}")

    @property
    def is_system(self) -> bool:
        return self.agent_id is None
