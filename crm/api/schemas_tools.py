"""Response models of agents' tool uses on contacts (``crm.cases.tool_uses``), as a case's timeline shows them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from crm.cases.tool_uses import Outcome, Tool
from kernel.http.models import Out


class ToolUseOut(Out):
    """One use of a tool on one of the case's contacts. Under summary detail (another center's contact, the
    caller's identity not checked) ``summary`` and ``outcome_detail`` are empty and ``ref`` is null."""

    id: int
    at: dt.datetime
    tool: Tool
    action: str
    summary: str
    outcome: Outcome
    outcome_detail: str
    ref: str | None
    interaction_id: int
    agent_id: int | None
    detail: Literal["full", "summary"]
