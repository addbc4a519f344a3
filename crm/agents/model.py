"""The Agent aggregate: a login belonging to one center, with a role and skills with levels."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kernel.actor import Role
from kernel.errors import ValidationFailed

LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


@dataclass
class Agent:
    center_code: str
    login: str
    display_name: str
    role: Role
    skills: dict[str, int] = field(default_factory=dict)
    password_hash: str = ""
    sip_ha1: str | None = None  # SIP digest HA1 of the agent's phone (MD5(login:realm:password)), never the password
    active: bool = True
    created_at: dt.datetime | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if not LOGIN.match(self.login):
            raise ValidationFailed(f"login '{self.login}': 3-64 lowercase letters, digits, '.', '_' or '-'")
        for skill, level in self.skills.items():
            if not skill or not 1 <= int(level) <= 5:
                raise ValidationFailed(f"skill '{skill}': level must be 1..5")

    def skill_level(self, skill: str) -> int:
        return self.skills.get(skill, 0)
