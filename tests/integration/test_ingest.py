"""Group-commit ingest of finished contacts: each contact whole, bad ones rejected alone with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from crm.cases import services
from crm.cases.ingest import FinishedContact
from crm.cases.model import Channel, Disposition, EventKind
from crm.citizens.services import register_citizen
from crm.store import tables
from crm.store.ingest import ingest_contacts
from kernel.actor import Actor
from sori.wiring import System

pytestmark = pytest.mark.integration


def test_a_batch_stores_good_contacts_and_rejects_bad_ones(system: System) -> None:
    actor = Actor.system("test")
    now = system.clock()
    with system.uow() as uow:
        citizen = register_citizen(uow, actor, now, system.rrn_key, name="홍길동", phones=["010-1212-3434"])
        assert citizen.id is not None
        case = services.open_case(
            uow, actor, now, citizen_id=citizen.id, center_code="ACRC110", channel=Channel.INBOUND_CALL, summary="여권"
        )
        uow.commit()
    later = now + dt.timedelta(hours=2)

    def contact(**changes: object) -> FinishedContact:
        base: dict[str, object] = dict(
            channel=Channel.IVR_SELF_SERVICE,
            center_code="ACRC110",
            started_at=later,
            ended_at=later + dt.timedelta(minutes=2),
            disposition=Disposition.SELF_SERVICE_COMPLETED,
            sip_call_id="a@b",
        )
        base.update(changes)
        return FinishedContact(**base)  # type: ignore[arg-type]

    batch = [
        contact(case_number=case.number, citizen_id=citizen.id),
        contact(disposition=Disposition.ABANDONED_BEFORE_MENU, channel=Channel.INBOUND_CALL),
        contact(center_code="NOWHERE"),
        contact(case_number="2026-ACRC110-999"),
        contact(case_number=case.number, disposition=Disposition.SILENT),
        contact(ended_at=later - dt.timedelta(seconds=1)),
        contact(case_number=case.number, citizen_id=citizen.id + 1),
    ]
    with system.uow() as uow:
        assert uow.session is not None
        result = ingest_contacts(uow.session, batch)
        uow.commit()
    assert [r.index for r in result.rejected] == [2, 3, 4, 5, 6]
    assert [r.code for r in result.rejected] == [
        "center-not-found",
        "case-not-found",
        "validation-failed",
        "validation-failed",
        "conflict",
    ]
    assert result.stored == 2 and result.interaction_ids[2:] == [None] * 5
    with system.uow() as uow:
        stored = uow.interactions.get(result.interaction_ids[0] or 0)
        assert stored is not None and stored.case_id == case.id and stored.completed_at is not None
        abandoned = uow.interactions.get(result.interaction_ids[1] or 0)
        assert abandoned is not None and abandoned.case_id is None
        events = list(uow.events.for_case(case.id or 0))
        assert events[-1].kind is EventKind.CONTACT_ADDED
        assert events[-1].after == {
            "interaction_id": result.interaction_ids[0],
            "channel": "ivr-self-service",
            "disposition": "self-service-completed",
        }
        touched = uow.cases.get(case.number)
        assert touched is not None and touched.updated_at == later + dt.timedelta(minutes=2)


def test_a_failed_batch_writes_nothing(system: System) -> None:
    now = system.clock()
    good = FinishedContact(
        channel=Channel.SMS,
        center_code="ACRC110",
        started_at=now,
        ended_at=now,
        disposition=Disposition.NOTE,
        notes="안내 문자",
    )
    with system.uow() as uow:
        assert uow.session is not None
        ingest_contacts(uow.session, [good, good])
        # leaving without commit: the whole batch is rolled back
    with system.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(tables.interactions)).scalar() == 0
