"""The caller's timeline for the console's screen-pop: one list, newest first, of everything the access views
let the reader see of a citizen across centers — contacts (calls with their waits, talk times and
dispositions; notes, SMS, 신문고 texts), hand-offs with their summaries, 신문고 complaints, tool uses and
callbacks.

Plain functions of views already decided by :mod:`crm.access.views`: nothing here widens what a view shows.
An item of another center under summary scope carries when, where and what kind, never words (the views have
already emptied them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from crm.access.views import CaseDetailView, ContactView
from kernel.http.models import Out

Kind = Literal["contact", "handoff", "complaint", "tool-use", "callback"]


class TimelineItemOut(Out):
    at: dt.datetime
    kind: Kind
    center_code: str
    case_number: str | None
    detail: Literal["full", "summary"]
    channel: str | None = Field(None, description="contacts: call, callback, walk-in, note, sms, sinmungo …")
    disposition: str | None = None
    wait_seconds: int | None = None
    talk_seconds: int | None = None
    text: str | None = Field(None, description="notes, a hand-off's summary, a complaint's title, what a tool did")
    status: str | None = Field(None, description="a callback's or tool use's outcome")
    to_center: str | None = Field(None, description="hand-offs: where the case went")
    interaction_id: int | None = None
    ref: str | None = Field(None, description="a tool use's external id, a complaint's 신문고 id")
    has_recording: bool = Field(False, description="contacts: a recording the reader may play (GET …/recording)")


def _contact(view: ContactView) -> TimelineItemOut:
    i = view.interaction
    assert i.id is not None
    full = view.detail == "full"
    return TimelineItemOut(
        at=i.started_at,
        kind="contact",
        center_code=i.center_code,
        case_number=view.case_number,
        detail="full" if full else "summary",
        channel=str(i.channel),
        disposition=str(i.disposition) if i.disposition is not None else None,
        wait_seconds=i.wait_seconds,
        talk_seconds=i.talk_seconds,
        text=(i.notes or None) if full else None,
        interaction_id=i.id,
        has_recording=full and i.recording_ref is not None,
    )


def _case_items(view: CaseDetailView) -> Iterable[TimelineItemOut]:
    number = view.case.number
    detail: Literal["full", "summary"] = "summary" if view.detail == "summary" else "full"
    for h in view.handoffs:
        yield TimelineItemOut(at=h.created_at, kind="handoff", center_code=h.from_center, case_number=number,
                              detail=detail, text=h.summary or None, to_center=h.to_center)  # fmt: skip
    for c in view.complaints:
        center = c.assigned_center or view.case.owner_center
        yield TimelineItemOut(at=c.received_at, kind="complaint", center_code=center, case_number=number,
                              detail=detail, text=c.title or None, ref=c.sinmungo_id)  # fmt: skip
    for u in view.tool_uses:
        use = u.use
        text = " · ".join(part for part in (use.action, use.summary, use.outcome_detail) if part) or None
        yield TimelineItemOut(at=use.at, kind="tool-use", center_code=use.center_code, case_number=number,
                              detail="full" if u.detail == "full" else "summary", channel=str(use.tool), text=text,
                              status=str(use.outcome), interaction_id=use.interaction_id, ref=use.ref)  # fmt: skip
    for cb in view.callbacks:
        yield TimelineItemOut(at=cb.due_at, kind="callback", center_code=cb.center_code, case_number=number,
                              detail=detail, text=cb.reason if detail == "full" else None, status=str(cb.status),
                              interaction_id=cb.interaction_id)  # fmt: skip


def build(contacts: Iterable[ContactView], cases: Iterable[CaseDetailView], limit: int = 200) -> list[TimelineItemOut]:
    """The items, newest first: contacts from the citizen's view and from each case's detail (each contact
    once, the fuller view kept), then the cases' hand-offs, complaints, tool uses and callbacks."""
    by_id: dict[int, ContactView] = {}
    others: list[TimelineItemOut] = []
    details = list(cases)
    for view in [*contacts, *(c for d in details for c in d.contacts)]:
        key = view.interaction.id
        assert key is not None
        known = by_id.get(key)
        if known is None or (known.detail != "full" and view.detail == "full"):
            by_id[key] = view
        elif known.case_number is None and view.case_number is not None:
            by_id[key] = ContactView(known.interaction, view.case_number, known.detail)
    for d in details:
        others.extend(_case_items(d))
    items = [_contact(v) for v in by_id.values()] + others
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]
