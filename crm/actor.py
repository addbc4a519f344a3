"""Who is acting: an authenticated agent or a named system component."""

from __future__ import annotations

from dataclasses import dataclass

from crm.agents.model import Role


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
