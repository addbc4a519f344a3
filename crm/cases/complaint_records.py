"""The records of the 신문고 inbox beside the complaint itself: its status and the events of its handling.

A complaint moves received → claimed → answered → closed. A hand-off to another center puts it back to
received there (the assignment moves); the hand-off itself is an event, kind ``handed-off``, whose summary
the receiving center reads. Every change of a complaint appends one ``ComplaintEvent``: the inbox's own
timeline, kept whether or not the complaint is linked to a case.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class ComplaintStatus(enum.StrEnum):
    RECEIVED = "received"  # in the assigned center's inbox, nobody working it
    CLAIMED = "claimed"  # an agent of the assigned center works it
    ANSWERED = "answered"  # the answer is written (it leaves through 국민신문고)
    CLOSED = "closed"  # nothing more to do
    HANDED_OFF = "handed-off"  # the event's kind only: a handed-off complaint is received at its new center


OPEN_STATUSES = frozenset({ComplaintStatus.RECEIVED, ComplaintStatus.CLAIMED})


class ComplaintEventKind(enum.StrEnum):
    RECEIVED = "received"
    CLAIMED = "claimed"
    RELEASED = "released"
    ANSWERED = "answered"
    CLOSED = "closed"
    HANDED_OFF = "handed-off"
    LINKED = "linked"


@dataclass
class ComplaintEvent:
    """One change of a complaint: who, when, from which center to which (hand-offs) and a note."""

    complaint_id: int
    at: dt.datetime
    kind: ComplaintEventKind
    actor_login: str
    actor_id: int | None = None
    center_code: str | None = None  # the center the complaint was assigned to when it happened
    to_center: str | None = None  # hand-offs: the receiving center
    note: str | None = None  # hand-offs: the summary for the receiving center
    id: int | None = None


@dataclass(frozen=True)
class InboxQuery:
    """One page of a center's inbox: filters, and the keyset (due_at, id) of the last row of the previous page."""

    center: str
    now: dt.datetime
    statuses: frozenset[ComplaintStatus] = frozenset()  # empty: every status
    overdue: bool | None = None  # True: overdue only; False: not overdue only
    after: tuple[dt.datetime | None, int] | None = None  # due None: the last page was among the undated
    limit: int = 50
