"""Continuity rules: how a new contact, a drop, a transfer, a merge or a 신문고 link affects a case.

Pure functions over domain records; the services apply them inside a unit of work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from crm.cases.model import NO_CASE_DISPOSITIONS, VOICE_CHANNELS, Case, Complaint, Disposition, Interaction
from crm.cases.status import CaseStatus
from crm.errors import LinkRejected, MergeRejected


@dataclass(frozen=True)
class ContinuityPolicy:
    open_case_days: int = 7  # a contact is offered an active case touched within this many days
    callback_minutes: int = 30  # a dropped call's callback is due within this many minutes
    handoff_due_working_days: int = 7  # 처리기한 for a case handed to another agency's center


def continuable_cases(cases: Iterable[Case], now: dt.datetime, policy: ContinuityPolicy) -> list[Case]:
    """Active cases of the citizen touched in the last N days, most recently touched first."""
    horizon = now - dt.timedelta(days=policy.open_case_days)
    fresh = [c for c in cases if c.is_active and c.merged_into is None and (c.updated_at or now) >= horizon]
    return sorted(fresh, key=lambda c: c.updated_at or now, reverse=True)


def opens_case(disposition: Disposition | None) -> bool:
    """Abandoned-before-menu, scanner and silent calls leave an interaction but no case."""
    return disposition not in NO_CASE_DISPOSITIONS


@dataclass(frozen=True)
class DropOutcome:
    new_status: CaseStatus | None  # None: leave as it is
    callback_due: dt.datetime | None


def after_drop(case: Case | None, interaction: Interaction, now: dt.datetime, policy: ContinuityPolicy) -> DropOutcome:
    """A voice contact that ended before wrap-up without the citizen hanging up on purpose.

    The case stays active (waiting for a callback) and a callback becomes due within
    ``callback_minutes``. Contacts without a case, or non-voice contacts, get nothing.
    """
    if case is None or interaction.channel not in VOICE_CHANNELS or not case.is_active:
        return DropOutcome(None, None)
    due = now + dt.timedelta(minutes=policy.callback_minutes)
    if case.status is CaseStatus.WAITING_CALLBACK:
        return DropOutcome(None, due)
    return DropOutcome(CaseStatus.WAITING_CALLBACK, due)


def check_merge(target: Case, source: Case) -> None:
    """Two cases of one citizen can be merged; the target keeps its number, the source closes."""
    if target.id == source.id:
        raise MergeRejected("a case cannot be merged into itself")
    if target.citizen_id != source.citizen_id:
        raise MergeRejected("only cases of the same citizen can be merged")
    if source.merged_into is not None or target.merged_into is not None:
        raise MergeRejected("one of these cases has already been merged")
    if not target.is_active:
        raise MergeRejected(f"the target case is {target.status}; reopen it first")


def check_link(case: Case, complaint: Complaint) -> None:
    """A 신문고 complaint can be linked to a case of the same citizen, once."""
    if complaint.citizen_id is None:
        raise LinkRejected("the complaint has no citizen; identify the complainant first")
    if complaint.citizen_id != case.citizen_id:
        raise LinkRejected("the complaint belongs to another citizen")
    if complaint.case_id is not None and complaint.case_id != case.id:
        raise LinkRejected("the complaint is already linked to another case")
