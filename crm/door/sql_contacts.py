"""The door's phone-contact queries on the SQLAlchemy case store: contacts changed since a cursor, and the
facts continuity figures are counted from.

The cursor is a position in the order of changes, not an id: the database stamps every interaction it
inserts, and every update of a column read here (notes at wrap-up, a transcript), with
``(change_xid, change_seq)`` (migration 0005). An id cursor skipped a contact committed after a higher id
and a contact whose words arrived after it was read; this one cannot:

- SQLite has one writer at a time and ``change_seq`` comes from a counter bumped inside the writing
  transaction, so stamps are given in commit order and a reader sees a prefix of them (``change_xid`` is 0).
- PostgreSQL writers run at once, so a sequence alone is not commit-ordered (a transaction may take 10,
  another 11 and commit first). ``change_xid`` is the writing transaction's id; a reader takes only rows
  whose transaction id is below its snapshot's xmin (every such transaction has ended, so nothing more
  can appear there) and orders by (xid, seq). A transaction still running holds later rows back for as
  long as it runs, rather than letting them overtake it. This was chosen over stamping at commit under a
  lock, which would serialise every commit that touches interactions (fsync included) across the store.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, Engine, Select, Text, and_, cast, distinct, func, literal, or_, select, tuple_
from sqlalchemy.sql.elements import ColumnElement

from crm.cases.model import VOICE_CHANNELS
from crm.cases.status import CaseStatus
from crm.door.ports import ChangeCursor, ContinuityFacts, PhoneContact, age_band
from crm.store import tables
from kernel.calendar import SEOUL, to_seoul


class SqlPhoneContacts:
    """``PhoneContacts`` and ``ContinuitySource`` on one engine (reads only, each in its own connection)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def changed_since(self, after: ChangeCursor, limit: int = 1000) -> tuple[list[PhoneContact], ChangeCursor]:
        i = tables.interactions.c
        query = (
            _contacts(i.change_xid, i.change_seq)
            .where(tuple_(i.change_xid, i.change_seq) > tuple_(literal(after.xid), literal(after.seq)))
            .where(i.change_xid < _horizon(self.engine))
            .order_by(i.change_xid, i.change_seq)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return [], after
        return [_contact(row) for row in rows], ChangeCursor(int(rows[-1].change_xid), int(rows[-1].change_seq))

    def continuity_facts(
        self, start: dt.date, end: dt.date, *, center: str | None = None, lookback: dt.timedelta
    ) -> ContinuityFacts:
        since = dt.datetime.combine(start, dt.time(), tzinfo=SEOUL)
        until = dt.datetime.combine(end, dt.time(), tzinfo=SEOUL)
        i, c, h, b = tables.interactions.c, tables.cases.c, tables.handoffs.c, tables.callbacks.c
        voice = i.channel.in_([str(ch) for ch in VOICE_CHANNELS])
        at_center = [i.center_code == center] if center else []
        in_period = and_(voice, i.started_at >= since, i.started_at < until, *at_center)
        with self.engine.connect() as conn:
            counted = select(func.count(), func.count(distinct(i.citizen_id))).where(in_period)
            contacts, citizens = conn.execute(counted).one()
            known = conn.execute(select(func.count()).where(in_period, i.citizen_id.is_not(None))).scalar_one()
            # every contact of the period's citizens from a window before the period: repeats may cross centers
            callers = select(i.citizen_id).where(in_period, i.citizen_id.is_not(None)).distinct().scalar_subquery()
            history = conn.execute(select(i.citizen_id, i.started_at).where(
                voice, i.citizen_id.in_(callers), i.started_at >= since - lookback, i.started_at < until,
            )).all()  # fmt: skip
            contacts_of = select(func.count()).where(i.case_id == c.id).scalar_subquery()
            handoffs_of = select(func.count()).where(h.case_id == c.id).scalar_subquery()
            opened = conn.execute(select(c.status, contacts_of, handoffs_of).where(
                c.created_at >= since, c.created_at < until, *([c.owner_center == center] if center else []),
            )).all()  # fmt: skip
            touched = select(i.case_id).where(in_period, i.case_id.is_not(None)).distinct().subquery()
            per_case = conn.execute(
                select(func.count(h.id)).select_from(touched.outerjoin(tables.handoffs, h.case_id == touched.c.case_id))
                .group_by(touched.c.case_id)
            ).scalars().all()  # fmt: skip
            hand_offs = and_(h.created_at >= since, h.created_at < until,
                             *([(h.from_center == center) | (h.to_center == center)] if center else []))  # fmt: skip
            paths = conn.execute(
                select(h.from_center, h.to_center, func.count()).where(hand_offs).group_by(h.from_center, h.to_center)
                .order_by(func.count().desc(), h.from_center, h.to_center).limit(10)
            ).all()  # fmt: skip
            callbacks = conn.execute(select(b.status, func.count()).where(
                b.created_at >= since, b.created_at < until, *([b.center_code == center] if center else []),
            ).group_by(b.status)).all()  # fmt: skip
        done = {str(CaseStatus.RESOLVED), str(CaseStatus.CLOSED)}
        return ContinuityFacts(
            contacts=int(contacts),
            citizens=int(citizens),
            known_citizen_contacts=int(known),
            history=[(int(z), t) for z, t in history],
            opened=[(str(s) in done, int(n), int(k)) for s, n, k in opened],
            handoffs_per_case=[int(n) for n in per_case],
            transfers=[(str(f), str(t), int(n)) for f, t, n in paths],
            callbacks={str(s): int(n) for s, n in callbacks},
        )


def _horizon(engine: Engine) -> ColumnElement[Any]:
    """Transaction ids below this have all ended (PostgreSQL: the statement's snapshot xmin)."""
    if engine.dialect.name == "postgresql":
        return cast(cast(func.pg_snapshot_xmin(func.pg_current_snapshot()), Text), BigInteger)
    return literal(1)


def _contacts(*extra: Any) -> Select[Any]:
    i, c, z = tables.interactions.c, tables.cases.c, tables.citizens.c
    return (
        select(
            i.id,
            i.started_at,
            i.transcript,
            i.notes,
            i.center_code,
            c.category,
            z.region_sido,
            z.birth_year,
            z.sex,
            *extra,
        )
        .select_from(
            tables.interactions.outerjoin(tables.cases, c.id == i.case_id).outerjoin(
                tables.citizens, z.id == i.citizen_id
            )
        )
        .where(i.channel.in_([str(ch) for ch in VOICE_CHANNELS]), i.ended_at.is_not(None))
        .where(or_(i.transcript.is_not(None), i.notes.is_not(None)))
    )


def _contact(row: Any) -> PhoneContact:
    text = "\n".join(part for part in (row.transcript, row.notes) if part)
    started = row.started_at
    return PhoneContact(
        interaction_id=int(row.id),
        received_at=started,
        text=text,
        center=str(row.center_code),
        category=row.category,
        region=row.region_sido,
        age_band=age_band(row.birth_year, to_seoul(started).year),
        sex={"M": "male", "F": "female"}.get(str(row.sex)) if row.sex is not None else None,
    )
