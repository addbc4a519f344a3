"""What the API handlers need from the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crm.api.auth import LoginLimiter
from crm.calendar import WorkCalendar
from crm.cases.continuity import ContinuityPolicy


@dataclass
class ApiDeps:
    rrn_key: bytes
    policy: ContinuityPolicy
    calendar: WorkCalendar
    limiter: LoginLimiter
    token_hours: float = 8.0
    openapi: Callable[[], dict[str, Any]] = field(default=lambda: {})
