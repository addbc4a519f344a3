"""Access-log records and the purposes a read of citizen data can have."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from crm.cases.model import Channel


class Purpose(enum.StrEnum):
    SERVING = "serving"  # an open interaction assigned to the reader for this citizen (server-side fact)
    SEARCH = "search"  # looking a citizen up with a stated reason
    REVIEW = "review"  # supervisor or admin review, with a stated reason
    WORKLIST = "worklist"  # working a case or list that belongs to the reader's own center


class Scope(enum.StrEnum):
    """How much of the citizen's history the reader gets."""

    OWN_CENTER = "own-center"  # the reader's center only
    ALL_CENTERS_SUMMARY = "all-centers-summary"  # other centers: when, where, channel, status; no text
    ALL_CENTERS = "all-centers"  # the whole thread, after an identity check on the serving interaction


@dataclass
class AccessLogEntry:
    """One read of a citizen's data. Append-only: the store refuses updates and early deletes."""

    at: dt.datetime
    agent_id: int | None
    agent_login: str
    agent_center: str | None
    citizen_id: int
    purpose: Purpose
    scope: Scope
    via: str  # screen or API route, e.g. "GET /api/v1/citizens"
    case_id: int | None = None
    interaction_id: int | None = None
    reason: str | None = None
    id: int | None = None


class AttestationKind(enum.StrEnum):
    WALK_IN = "walk-in"  # 방문 민원: the citizen is at the counter
    OUTBOUND_DUTY = "outbound-duty"  # 안내 전화 등 an outbound call the supervisor assigned

    @property
    def channel(self) -> Channel:
        return Channel.VISIT if self is AttestationKind.WALK_IN else Channel.OUTBOUND_CALL


@dataclass
class ServingAttestation:
    citizen_id: int
    agent_id: int
    center_code: str
    supervisor_id: int | None
    kind: AttestationKind
    reason: str
    created_at: dt.datetime
    expires_at: dt.datetime
    interaction_id: int | None = None
    id: int | None = None
