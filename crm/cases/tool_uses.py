"""Agents' tool uses on a contact: what was looked up, issued or sent while serving a caller, and how it went.

Every use of a tool (public-service search and eligibility, certificate reissue, bill inquiry, a link sent by
SMS) while serving a contact is recorded on that contact and, when it has one, its case, where the case's
timeline shows it. A row keeps only what the agent asked, the outcome and the external id: ids link it to the
contact, its case and its citizen; nothing else of the citizen is stored. Tool uses live in their own table,
not among the case events, and go with their contact when it is purged.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata
from dataclasses import dataclass
from typing import TypeVar

from crm.cases.services import own_open_interaction
from crm.ports import UnitOfWork
from kernel.actor import Actor
from kernel.errors import ValidationFailed

SUMMARY_MAX = 200
DETAIL_MAX = 200
REF_MAX = 80
ACTION_MAX = 30
_ACTION = re.compile(r"[a-z][a-z0-9-]{0,29}")
_ELLIPSIS = "…"
# Text that could break a line or reorder what a screen shows (bidirectional overrides and isolates).
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")

_E = TypeVar("_E", bound=enum.StrEnum)


class Tool(enum.StrEnum):
    PUBLIC_SERVICES = "public-services"  # 보조금24-like search, service detail and eligibility
    CERTIFICATES = "certificates"  # certificate reissue and delivery
    BILLS = "bills"  # notices and bills of the citizen
    SMS = "sms"  # a link or a notice sent to the caller's phone


class Outcome(enum.StrEnum):
    OK = "ok"
    NOT_FOUND = "not-found"
    REFUSED = "refused"  # the backend (or a rule) said no: not eligible, no consent, limit reached
    UNAVAILABLE = "unavailable"  # the backend did not answer: timeout, circuit open, error


@dataclass
class ToolUse:
    """One use of one tool on one contact; ``case_id`` and ``citizen_id`` as the contact had them then."""

    interaction_id: int
    center_code: str
    tool: Tool
    action: str
    summary: str
    outcome: Outcome
    at: dt.datetime
    outcome_detail: str = ""
    ref: str | None = None
    case_id: int | None = None
    citizen_id: int | None = None
    agent_id: int | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        self.tool = _member(Tool, self.tool, "tool")
        self.outcome = _member(Outcome, self.outcome, "outcome")
        if not isinstance(self.action, str) or not _ACTION.fullmatch(self.action):
            raise ValidationFailed(
                f"action must be a lowercase ASCII slug of at most {ACTION_MAX} characters (e.g. send-link)"
            )
        self.summary = clean_text(self.summary, SUMMARY_MAX, "summary")
        self.outcome_detail = clean_text(self.outcome_detail, DETAIL_MAX, "outcome_detail")
        self.ref = clean_ref(self.ref)


def _member(kind: type[_E], value: object, field: str) -> _E:
    allowed = [m.value for m in kind]
    if isinstance(value, str) and value in allowed:
        return kind(value)
    raise ValidationFailed(f"{field} must be one of {', '.join(allowed)}", allowed=allowed)


def _control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in _BIDI for ch in text)


def clean_text(text: str, limit: int, field: str) -> str:
    """One line of text shown to agents: control characters refused, surrounding blanks dropped, and text past
    ``limit`` characters cut with '…' (what was asked is a note for people, not a key)."""
    if not isinstance(text, str):
        raise ValidationFailed(f"{field} must be text")
    if _control(text):
        raise ValidationFailed(f"{field} must be one line without control characters")
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + _ELLIPSIS


def clean_ref(ref: str | None) -> str | None:
    """An external id (service id, issue number, notice id, message id): kept whole or refused, never cut."""
    if ref is None:
        return None
    if not isinstance(ref, str) or _control(ref):
        raise ValidationFailed("ref must be text without control characters")
    ref = ref.strip()
    if len(ref) > REF_MAX:
        raise ValidationFailed(f"ref is longer than {REF_MAX} characters")
    return ref or None


def record_tool_use(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    *,
    interaction_id: int,
    tool: Tool | str,
    action: str,
    summary: str,
    outcome: Outcome | str,
    outcome_detail: str = "",
    ref: str | None = None,
) -> ToolUse:
    """Record a tool use on the actor's open contact (and its case and citizen, if it has them). The caller
    commits; the row's id is set once the unit of work flushes."""
    interaction = own_open_interaction(uow, actor, interaction_id)
    assert interaction.id is not None
    use = ToolUse(
        interaction_id=interaction.id,
        center_code=interaction.center_code,
        tool=tool,  # type: ignore[arg-type]  # checked and converted in __post_init__
        action=action,
        summary=summary,
        outcome=outcome,  # type: ignore[arg-type]
        outcome_detail=outcome_detail,
        ref=ref,
        at=now,
        case_id=interaction.case_id,
        citizen_id=interaction.citizen_id,
        agent_id=actor.agent_id,
    )
    uow.tool_uses.add(use)
    return use
