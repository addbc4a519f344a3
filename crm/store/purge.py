"""Retention: delete each kind of record once it is past its configured age.

The access log is kept at least two years (the database refuses younger deletes); its rows hold ids, the
route, the purpose and the reader's stated reason, never a citizen's name or number. A closed case past its
period goes with everything of it in the store: its contacts (notes, transcripts, recording references),
their transcription jobs, identity checks, serving attestations and agents' tool uses, events, hand-offs,
callbacks, linked 신문고 complaint records, the stored API answers (idempotency rows) that mention it, and its
citizen once nothing else of theirs is left. Contacts that never got a case (abandoned, silent calls) go once
they are as old. The call desk's records (calls and agents' state changes: no person in them) go once as old
as a closed case's period; a purged contact's call record loses its link to it. An Open311 request loses its
submitter's contact fields, address and held text after ``open311_contact_days``, and the link to a purged
complaint. Recording files and
search-index documents live outside the store: ``expired_cases`` names them so the caller erases them first
(``sori.purge``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.cases.model import CallbackStatus
from crm.cases.status import CaseStatus
from crm.store import tables as t
from crm.store.call_history_purge import purge_call_history
from crm.store.open311_repo import purge_contacts
from crm.store.open311_tables import open311_requests

_CHUNK = 500


@dataclass(frozen=True)
class Retention:
    access_log_days: int
    auth_tokens_days: int
    idempotency_keys_days: int
    closed_cases_days: int
    done_callbacks_days: int
    call_records_days: int = 400  # the call desk's records and the history's rollups
    abandoned_caller_days: int = 7  # an abandoned caller's digits (the masked number stays with the record)
    open311_contact_days: int = 365  # an Open311 submitter's contact fields, address and held text


@dataclass(frozen=True)
class ExpiredCases:
    """What a purge of expired cases removes, by id; the recording references are those no kept contact shares."""

    case_ids: tuple[int, ...] = ()
    interaction_ids: tuple[int, ...] = ()
    recording_refs: tuple[str, ...] = ()
    citizen_ids: tuple[int, ...] = ()  # candidates: removed only when nothing else of theirs is left

    @property
    def empty(self) -> bool:
        return not (self.case_ids or self.interaction_ids)


@dataclass
class _Markers:
    """What identifies a purged case's data inside stored API answers (idempotency rows)."""

    numbers: set[str] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)  # citizens' names and phone digits
    ids: dict[str, set[int]] = field(default_factory=dict)  # "case_id" → ids, "citizen_id" → ids, …


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _before(now: dt.datetime, days: int) -> dt.datetime:
    return now - dt.timedelta(days=days)


def expired_cases(
    session: Session, now: dt.datetime, retention: Retention, only: ExpiredCases | None = None
) -> ExpiredCases:
    """Closed cases untouched for ``closed_cases_days`` (with the cases merged into them) and contacts without
    a case as old; ``only`` narrows them to those of an earlier plan that are still expired."""
    c, i = t.cases.c, t.interactions.c
    cutoff = _before(now, retention.closed_cases_days)
    rows = session.execute(select(c.id, c.number).where(c.status == CaseStatus.CLOSED, c.updated_at < cutoff)).all()
    cases = {int(r.id): str(r.number) for r in rows if only is None or int(r.id) in only.case_ids}
    frontier = list(cases.values())
    while frontier:  # a merged case is closed and points at its target: it goes with it
        merged: list[Any] = []
        for chunk in _chunks(frontier):
            merged += session.execute(
                select(c.id, c.number).where(c.merged_into.in_(chunk), c.status == CaseStatus.CLOSED)
            ).all()
        frontier = [str(r.number) for r in merged if int(r.id) not in cases]
        cases.update((int(r.id), str(r.number)) for r in merged)
    case_ids = sorted(cases)
    contacts: list[Any] = []
    for chunk in _chunks(case_ids):
        contacts += session.execute(select(i.id, i.citizen_id, i.recording_ref).where(i.case_id.in_(chunk))).all()
    caseless = session.execute(
        select(i.id, i.citizen_id, i.recording_ref).where(i.case_id.is_(None), i.started_at < cutoff)
    ).all()
    kept = None if only is None else set(only.interaction_ids)
    contacts += [r for r in caseless if kept is None or int(r.id) in kept]
    interaction_ids = sorted({int(r.id) for r in contacts})
    citizens = {int(r.citizen_id) for r in contacts if r.citizen_id is not None}
    for chunk in _chunks(case_ids):
        citizens.update(int(v) for v in session.scalars(select(c.citizen_id).where(c.id.in_(chunk))))
    refs = sorted({str(r.recording_ref) for r in contacts if r.recording_ref})
    shared: set[str] = set()
    purged = set(interaction_ids)
    for chunk in _chunks(refs):
        for ref, iid in session.execute(select(i.recording_ref, i.id).where(i.recording_ref.in_(chunk))):
            if int(iid) not in purged:
                shared.add(str(ref))
    return ExpiredCases(
        tuple(case_ids), tuple(interaction_ids), tuple(r for r in refs if r not in shared), tuple(sorted(citizens))
    )


def purge(
    session: Session,
    now: dt.datetime,
    retention: Retention,
    dry_run: bool = False,
    plan: ExpiredCases | None = None,
) -> dict[str, int]:
    """Delete what is past its period, in the caller's transaction; counts per table. With ``plan``, only its
    cases that are still expired go (a case reopened meanwhile stays)."""
    counts: dict[str, int] = {}

    def run(name: str, table: Table, condition: ColumnElement[bool]) -> None:
        if dry_run:
            counts[name] = int(session.scalar(select(func.count()).select_from(table).where(condition)) or 0)
        else:
            counts[name] = session.execute(delete(table).where(condition)).rowcount or 0  # type: ignore[attr-defined]

    run("access_log", t.access_log, t.access_log.c.at < _before(now, max(retention.access_log_days, 730)))
    run("auth_tokens", t.auth_tokens, t.auth_tokens.c.expires_at < _before(now, retention.auth_tokens_days))
    run(
        "idempotency_keys",
        t.idempotency_keys,
        t.idempotency_keys.c.created_at < _before(now, retention.idempotency_keys_days),
    )
    finished = [CallbackStatus.DONE, CallbackStatus.FAILED, CallbackStatus.CANCELLED]
    run(
        "callbacks",
        t.callbacks,
        t.callbacks.c.status.in_(finished) & (t.callbacks.c.created_at < _before(now, retention.done_callbacks_days)),
    )
    # a supervisor's attestation (walk-in, outbound duty) is kept as long as a closed case, counted from its end
    run(
        "serving_attestations",
        t.serving_attestations,
        t.serving_attestations.c.expires_at < _before(now, retention.closed_cases_days),
    )
    # the call desk's records hold no person; they are statistics, kept call_records_days with their rollups
    kept = (retention.call_records_days, retention.abandoned_caller_days)
    for name, value in purge_call_history(session, now, *kept, dry_run=dry_run).items():
        counts[name] = value
    cutoff = _before(now, retention.open311_contact_days)
    counts["open311_contacts"] = purge_contacts(session, cutoff, dry_run=dry_run)
    expired = expired_cases(session, now, retention, only=plan)
    counts["cases"] = len(expired.case_ids)
    counts["interactions"] = len(expired.interaction_ids)
    if dry_run or expired.empty:
        return counts
    markers = _markers(session, expired)
    for name, value in _delete_cases(session, expired).items():
        counts[name] = counts.get(name, 0) + value
    gone = _delete_citizens(session, expired.citizen_ids)
    counts["citizens"] = len(gone)
    markers.ids["citizen_id"] = set(gone)
    counts["idempotency_keys"] += _delete_idempotent_answers(session, markers)
    return counts


def _delete_cases(session: Session, expired: ExpiredCases) -> dict[str, int]:
    counts = dict.fromkeys(("callbacks", "transcription_jobs", "handoffs", "case_events", "complaints", "tool_uses",
                            "category_choices"), 0)  # fmt: skip

    def run(name: str, statement: Any) -> None:
        counts[name] = counts.get(name, 0) + (session.execute(statement).rowcount or 0)  # type: ignore[attr-defined]

    for chunk in _chunks(expired.interaction_ids):
        run("callbacks", delete(t.callbacks).where(t.callbacks.c.interaction_id.in_(chunk)))
    for chunk in _chunks(expired.recording_refs):
        run("transcription_jobs", delete(t.transcription_jobs).where(t.transcription_jobs.c.recording_ref.in_(chunk)))
    for chunk in _chunks(expired.case_ids):
        run("callbacks", delete(t.callbacks).where(t.callbacks.c.case_id.in_(chunk)))
        run("handoffs", delete(t.handoffs).where(t.handoffs.c.case_id.in_(chunk)))
        run("case_events", delete(t.case_events).where(t.case_events.c.case_id.in_(chunk)))
        run("category_choices", delete(t.category_choices).where(t.category_choices.c.case_id.in_(chunk)))
        # the store's copy of a 신문고 complaint exists to link it to the case; 국민신문고 keeps the original
        linked = select(t.complaints.c.id).where(t.complaints.c.case_id.in_(chunk)).scalar_subquery()
        # an Open311 request outlives its complaint (its app still reads it: closed, no text)
        session.execute(update(open311_requests).where(open311_requests.c.complaint_id.in_(linked))
                        .values(complaint_id=None))  # fmt: skip
        run("complaint_events", delete(t.complaint_events).where(t.complaint_events.c.complaint_id.in_(linked)))
        run("complaints", delete(t.complaints).where(t.complaints.c.case_id.in_(chunk)))
    for chunk in _chunks(expired.interaction_ids):
        # what identity checks, serving attestations and agents' tool uses left on these contacts (attempts
        # hold ids only, but have no period of their own: they go with the contact)
        for name, table in (("serving_attestations", t.serving_attestations), ("identity_challenges",
                            t.identity_challenges), ("identity_attempts", t.identity_attempts),
                            ("tool_uses", t.tool_uses)):  # fmt: skip
            run(name, delete(table).where(table.c.interaction_id.in_(chunk)))
        # a call record outlives its contact as a statistic, without the link to it
        session.execute(update(t.call_records).where(t.call_records.c.interaction_id.in_(chunk))
                        .values(interaction_id=None, sip_call_id=None))  # fmt: skip
        session.execute(delete(t.interactions).where(t.interactions.c.id.in_(chunk)))
    for chunk in _chunks(expired.case_ids):
        # a tool use whose contact a merge moved to a kept case stays with that contact, unlinked from this one
        session.execute(update(t.tool_uses).where(t.tool_uses.c.case_id.in_(chunk)).values(case_id=None))
        session.execute(delete(t.cases).where(t.cases.c.id.in_(chunk)))
    return counts


def _delete_citizens(session: Session, candidates: Iterable[int]) -> list[int]:
    """Citizens of purged cases with no case, contact, callback or complaint left. A citizen still referenced
    by a table this purge does not know (a later feature's) stays: the savepoint keeps the purge going."""
    z = t.citizens.c
    left = (
        exists().where(t.cases.c.citizen_id == z.id),
        exists().where(t.interactions.c.citizen_id == z.id),
        exists().where(t.callbacks.c.citizen_id == z.id),
        exists().where(t.complaints.c.citizen_id == z.id),
        exists().where(t.serving_attestations.c.citizen_id == z.id),
        exists().where(t.identity_challenges.c.citizen_id == z.id),
        exists().where(t.tool_uses.c.citizen_id == z.id),
    )
    gone: list[int] = []
    for chunk in _chunks(sorted(candidates)):
        orphans = list(session.scalars(select(z.id).where(z.id.in_(chunk), *(~e for e in left))))
        if not orphans:
            continue
        try:
            with session.begin_nested():
                session.execute(delete(t.identity_attempts).where(t.identity_attempts.c.citizen_id.in_(orphans)))
                session.execute(delete(t.citizen_phones).where(t.citizen_phones.c.citizen_id.in_(orphans)))
                session.execute(delete(t.citizen_pins).where(t.citizen_pins.c.citizen_id.in_(orphans)))
                session.execute(delete(t.citizens).where(z.id.in_(orphans)))
            gone += orphans
        except IntegrityError:
            continue
    return gone


def _markers(session: Session, expired: ExpiredCases) -> _Markers:
    markers = _Markers(ids={"case_id": set(expired.case_ids), "interaction_id": set(expired.interaction_ids)})
    for chunk in _chunks(expired.case_ids):
        markers.numbers.update(session.scalars(select(t.cases.c.number).where(t.cases.c.id.in_(chunk))))
    for chunk in _chunks(expired.citizen_ids):
        names = session.scalars(select(t.citizens.c.name).where(t.citizens.c.id.in_(chunk)))
        markers.texts.update(n for n in names if n)
        phones = session.scalars(select(t.citizen_phones.c.digits).where(t.citizen_phones.c.citizen_id.in_(chunk)))
        markers.texts.update(p for p in phones if len(p) >= 7)
    return markers


def _delete_idempotent_answers(session: Session, markers: _Markers) -> int:
    """Stored first answers (kept a day or two for replays) that show a purged case, contact or citizen."""
    k = t.idempotency_keys.c
    numbers = "|".join(rf"(?<![\w-]){re.escape(n)}(?![\w-])" for n in markers.numbers)
    pattern = re.compile(numbers) if numbers else None
    doomed = []
    for agent_id, key, body in session.execute(select(k.agent_id, k.key, k.body)):
        digits = re.sub(r"(?<=\d)[-. ](?=\d)", "", body)  # 010-5000-0001 → 01050000001
        if (
            (pattern is not None and pattern.search(body))
            or any(text in body or (text.isdigit() and text in digits) for text in markers.texts)
            or _mentions(_json(body), markers.ids)
        ):
            doomed.append((agent_id, key))
    for agent_id, key in doomed:
        session.execute(delete(t.idempotency_keys).where(k.agent_id == agent_id, k.key == key))
    return len(doomed)


def _json(body: str) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _mentions(value: Any, ids: dict[str, set[int]]) -> bool:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, int) and not isinstance(item, bool) and item in ids.get(key, ()):
                return True
            if _mentions(item, ids):
                return True
    elif isinstance(value, list):
        return any(_mentions(item, ids) for item in value)
    return False
