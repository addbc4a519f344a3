"""What the supervisors' dashboards (wallboard, history, staffing) need from the rest of Sori.

The pages import only this module, ``crm.door.tally`` (the counters) and ``telephony.acd.kpi`` (the measures,
defined once). The adapters: the history over the case store's rollup tables (``crm.store.call_history``, handed
in by ``sori.supervisor_wiring``), the staffing schedules over the case store, the live picture over the desk's
board. The pages never import database or telephony-runtime code.

Scope: a supervisor sees their own center's data; an admin every center. Every adapter method takes the centers
the viewer may see (``Scope``) and answers nothing outside them; the pages check again before asking.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Protocol

from crm.door.tally import CallTally, StateTally

#: Roles that may open the supervisors' dashboards.
SUPERVISOR_ROLES = frozenset({"supervisor", "admin"})


@dataclass(frozen=True)
class Scope:
    """The centers a viewer may see: ``None`` for every center (admins)."""

    centers: frozenset[str] | None

    def allows(self, center: str) -> bool:
        return self.centers is None or center in self.centers


@dataclass(frozen=True)
class CenterInfo:
    code: str  # e.g. ACRC110
    name: str  # Korean
    public_number: str  # e.g. 110
    institution: str  # Korean name of the institution: the "group" of its centers


class Granularity(enum.StrEnum):
    MIN15 = "15m"
    MIN30 = "30m"
    MIN60 = "60m"
    DAY = "day"
    WEEK = "week"  # Monday-based, Seoul
    MONTH = "month"


class GroupBy(enum.StrEnum):
    QUEUE = "queue"  # key "CENTER/skill"
    CENTER = "center"  # the queue's center (calls offered there), key the center code
    AGENT = "agent"  # the answering agent, key the agent's login
    GROUP = "group"  # the institution, key its name


@dataclass(frozen=True)
class HistoryQuery:
    """Seoul days ``start``..``end`` inclusive, cut by ``granularity``, one row per period and ``group_by`` key;
    optionally narrowed to centers (within the scope), one queue skill, or one agent login."""

    start: dt.date
    end: dt.date
    granularity: Granularity
    group_by: GroupBy
    centers: frozenset[str] | None = None
    skill: str | None = None
    agent: str | None = None


@dataclass(frozen=True)
class HistoryRow:
    period_start: dt.datetime  # aware, Seoul time
    key: str
    label: str  # Korean, for the table
    calls: CallTally
    states: StateTally  # agents' state time (empty for GroupBy.QUEUE: states are per agent, not per queue)


@dataclass(frozen=True)
class AbandonedCall:
    call_record_id: int
    enqueued_at: dt.datetime  # aware
    center: str
    skill: str
    caller_masked: str | None  # e.g. 010-****-5678; None when the caller's number was withheld
    wait_s: float
    callback_requested: bool  # a supervisor already started a callback for this caller


@dataclass(frozen=True)
class Continuity:
    """Repeat-contact rate and first-contact resolution of a period, as ``analytics.trends.continuity`` defines
    them (one definition): ``None`` when there is nothing to measure."""

    repeat_contact_rate: float | None
    first_contact_resolution: float | None


class HistoryData(Protocol):
    def centers(self, scope: Scope) -> list[CenterInfo]:
        """The active centers within the scope, ordered by code."""
        ...

    def history(self, query: HistoryQuery, scope: Scope) -> list[HistoryRow]:
        """Summed rollups, ordered by period then key; no row for a period and key without any call or state."""
        ...

    def abandoned(self, query: HistoryQuery, scope: Scope, limit: int = 1000) -> list[AbandonedCall]:
        """Abandoned inbound calls (short abandons included, newest first) of the query's period and centers."""
        ...

    def continuity(self, query: HistoryQuery, scope: Scope) -> Continuity:
        ...


@dataclass(frozen=True)
class ScheduledStaff:
    center: str
    interval_start: dt.datetime  # aware, 15-minute aligned
    agents: int


class StaffingData(Protocol):
    def schedule(self, center: str, start: dt.date, end: dt.date) -> list[ScheduledStaff]:
        """The imported schedule of ``center`` for Seoul days ``start``..``end``."""
        ...

    def import_schedule(self, center: str, rows: list[ScheduledStaff], imported_by: str) -> int:
        """Replaces the schedule of the rows' intervals; returns how many intervals were written."""
        ...
