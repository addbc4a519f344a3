"""The case status machine: the only legal transitions, in one table."""

from __future__ import annotations

import enum

from crm.errors import IllegalTransition


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in-progress"
    TRANSFERRED = "transferred"
    WAITING_CALLBACK = "waiting-callback"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


S = CaseStatus
TRANSITIONS: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.TRANSFERRED, S.WAITING_CALLBACK, S.RESOLVED}),
    S.IN_PROGRESS: frozenset({S.TRANSFERRED, S.WAITING_CALLBACK, S.RESOLVED}),
    S.TRANSFERRED: frozenset({S.IN_PROGRESS, S.TRANSFERRED, S.WAITING_CALLBACK, S.RESOLVED}),
    S.WAITING_CALLBACK: frozenset({S.IN_PROGRESS, S.TRANSFERRED, S.RESOLVED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.IN_PROGRESS, S.TRANSFERRED, S.WAITING_CALLBACK, S.RESOLVED}),
}

# A case in one of these states can still be continued by a new contact.
ACTIVE = frozenset({S.OPEN, S.IN_PROGRESS, S.TRANSFERRED, S.WAITING_CALLBACK, S.REOPENED})


def check_transition(current: CaseStatus, target: CaseStatus) -> None:
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise IllegalTransition(
            f"a case cannot go from '{current}' to '{target}' (allowed: {allowed})",
            current=str(current),
            target=str(target),
        )
