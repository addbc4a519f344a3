"""The demo's 신문고 inbox: a few dozen masked complaints per demo center, some overdue, seeded fast, once."""

from __future__ import annotations

import time

import pytest

from crm.cases.complaint_records import ComplaintStatus, InboxQuery
from crm.cases.complaint_text import mask_rrn
from sori.seed.demo_complaints import PER_CENTER, seed_demo_complaints
from sori.wiring import System

pytestmark = pytest.mark.integration


def test_demo_complaints_fill_each_centers_inbox(system: System) -> None:
    started = time.perf_counter()
    created = seed_demo_complaints(system, ["kim", "lee", "sup", "park", "choi", "ana"], [])
    elapsed = time.perf_counter() - started
    assert created == 3 * PER_CENTER  # ACRC110, SEOUL120, NTS126: the analyst works no inbox
    assert elapsed < 2.0, f"seeding took {elapsed:.2f} s"
    now = system.clock()
    with system.uow() as uow:
        for center in ("ACRC110", "SEOUL120", "NTS126"):
            rows = uow.complaints.inbox(InboxQuery(center=center, now=now, limit=200))
            assert len(rows) == PER_CENTER
            assert [r.due_at for r in rows] == sorted(r.due_at for r in rows if r.due_at is not None)
            assert uow.complaints.inbox(InboxQuery(center=center, now=now, overdue=True, limit=200))
            assert {r.status for r in rows} & {ComplaintStatus.CLAIMED, ComplaintStatus.ANSWERED}
            assert all(r.body and mask_rrn(r.body) == r.body and r.body_masked for r in rows)
    assert seed_demo_complaints(system, ["kim", "park", "choi"], []) == 0
