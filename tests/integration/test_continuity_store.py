"""Continuity rules through the real store (SQLite and PostgreSQL): one case follows the citizen."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from crm.cases import complaints, contacts, services
from crm.cases.model import CallbackStatus, Channel, Disposition, EventKind
from crm.cases.status import CaseStatus
from crm.citizens.services import register_citizen
from crm.errors import CaseNotFound, IllegalTransition, LinkRejected, MergeRejected, OtherCenter, VersionConflict
from kernel.actor import Actor
from kernel.errors import Conflict
from sori.wiring import System
from tests.support.system import FakeClock

pytestmark = pytest.mark.integration


def actor(system: System, login: str) -> Actor:
    with system.uow() as uow:
        agent = uow.agents.by_login(login)
        assert agent is not None
        return Actor(center_code=agent.center_code, role=agent.role, login=agent.login, agent_id=agent.id)


def citizen(system: System, phone: str = "010-2345-6789", name: str = "홍길동") -> int:
    with system.uow() as uow:
        c = register_citizen(uow, Actor.system("test"), system.clock(), system.rrn_key, name=name, phones=[phone])
        uow.commit()
        assert c.id is not None
        return c.id


def call(system: System, who: Actor, phone: str, center: str) -> tuple[int, list[str]]:
    """An inbound call answered by ``who``: the contact id and the case numbers offered to continue."""
    with system.uow() as uow:
        interaction, _, offered = contacts.start_interaction(
            uow,
            who,
            system.clock(),
            system.policy,
            channel=Channel.INBOUND_CALL,
            center_code=center,
            phone=phone,
            sip_call_id=f"call-{system.clock().timestamp()}@test",
        )
        uow.commit()
        assert interaction.id is not None
        return interaction.id, [c.number for c in offered]


def new_case(system: System, who: Actor, citizen_id: int, interaction_id: int, summary: str = "문의") -> str:
    with system.uow() as uow:
        assert who.center_code is not None
        case = services.open_case(
            uow,
            who,
            system.clock(),
            citizen_id=citizen_id,
            center_code=who.center_code,
            channel=Channel.INBOUND_CALL,
            summary=summary,
            interaction_id=interaction_id,
        )
        uow.commit()
        return case.number


def finish(system: System, who: Actor, interaction_id: int, dropped: bool = False) -> int | None:
    with system.uow() as uow:
        _, callback = contacts.end_interaction(
            uow,
            who,
            system.clock(),
            system.policy,
            interaction_id=interaction_id,
            disposition=Disposition.DROPPED if dropped else Disposition.ANSWERED,
            dropped=dropped,
        )
        if not dropped:
            contacts.wrap_up(uow, who, system.clock(), interaction_id=interaction_id, notes="안내 완료",
                             wrap_up_code="informed")
        uow.commit()
        return callback.id if callback else None


def test_case_numbers_are_per_center_and_year_without_fixed_width(system: System, clock: FakeClock) -> None:
    kim, park = actor(system, "kim"), actor(system, "park")
    cid = citizen(system)
    numbers = []
    for who in (kim, kim, park):
        iid, _ = call(system, who, "010-2345-6789", who.center_code or "")
        numbers.append(new_case(system, who, cid, iid))
        finish(system, who, iid)
    assert numbers == ["2026-ACRC110-1", "2026-ACRC110-2", "2026-SEOUL120-1"]
    clock.now = dt.datetime(2026, 12, 31, 15, 30, tzinfo=dt.UTC)  # 2027-01-01 00:30 in Seoul
    iid, _ = call(system, kim, "010-2345-6789", "ACRC110")
    assert new_case(system, kim, cid, iid) == "2027-ACRC110-1"


def test_sequences_never_repeat_under_concurrency(system: System) -> None:
    taken: list[int] = []
    errors: list[BaseException] = []

    def take() -> None:
        try:
            for _ in range(10):
                with system.uow() as uow:
                    taken.append(uow.cases.next_sequence("NTS126", 2026))
                    uow.commit()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(taken) == list(range(1, 41))


def test_new_contact_is_offered_the_open_case_within_the_window(system: System, clock: FakeClock) -> None:
    kim, lee = actor(system, "kim"), actor(system, "lee")
    cid = citizen(system)
    iid, offered = call(system, kim, "010-2345-6789", "ACRC110")
    assert offered == []
    number = new_case(system, kim, cid, iid, "여권 재발급 문의")
    finish(system, kim, iid)
    clock.advance(days=6, hours=23)
    iid2, offered = call(system, lee, "010 2345 6789", "ACRC110")
    assert offered == [number]
    with system.uow() as uow:
        case = services.continue_case(uow, lee, clock(), interaction_id=iid2, number=number, policy=system.policy)
        uow.commit()
        assert case.status is CaseStatus.IN_PROGRESS and case.owner_agent_id == lee.agent_id
    finish(system, lee, iid2)
    with system.uow() as uow:
        contacts_of_case = uow.interactions.for_case(uow.cases.get(number).id)  # type: ignore[union-attr]
        assert [i.id for i in contacts_of_case] == [iid, iid2]
    clock.advance(days=7, seconds=1)
    _, offered = call(system, kim, "010-2345-6789", "ACRC110")
    assert offered == [], "a case untouched for more than 7 days is not offered"


def test_resolved_case_is_not_offered_and_cannot_be_continued(system: System) -> None:
    kim = actor(system, "kim")
    cid = citizen(system)
    iid, _ = call(system, kim, "010-2345-6789", "ACRC110")
    number = new_case(system, kim, cid, iid)
    finish(system, kim, iid)
    with system.uow() as uow:
        services.change_status(
            uow, kim, system.clock(), number=number, target=CaseStatus.RESOLVED, reason="끝", expected_version=None
        )
        uow.commit()
    iid2, offered = call(system, kim, "010-2345-6789", "ACRC110")
    assert offered == []
    with system.uow() as uow, pytest.raises(Conflict):
        services.continue_case(uow, kim, system.clock(), interaction_id=iid2, number=number, policy=system.policy)


def test_drop_before_wrap_up_keeps_case_open_with_callback(system: System, clock: FakeClock) -> None:
    kim = actor(system, "kim")
    cid = citizen(system)
    iid, _ = call(system, kim, "010-2345-6789", "ACRC110")
    number = new_case(system, kim, cid, iid)
    dropped_at = clock.advance(minutes=3)
    callback_id = finish(system, kim, iid, dropped=True)
    assert callback_id is not None
    with system.uow() as uow:
        case = uow.cases.get(number)
        assert case is not None and case.status is CaseStatus.WAITING_CALLBACK and case.is_active
        callback = uow.callbacks.get(callback_id)
        assert callback is not None
        assert callback.status is CallbackStatus.PENDING
        assert callback.due_at == dropped_at + dt.timedelta(minutes=30)
        assert callback.case_id == case.id and callback.interaction_id == iid
        interaction = uow.interactions.get(iid)
        assert interaction is not None and interaction.disposition is Disposition.DROPPED
        assert interaction.completed_at is not None, "a dropped contact no longer counts as serving"
        kinds = [e.kind for e in uow.events.for_case(case.id or 0)]
        assert EventKind.CALLBACK_SCHEDULED in kinds
    # The callback continues the same case.
    _, offered = call(system, kim, "010-2345-6789", "ACRC110")
    assert offered == [number]


def test_call_abandoned_before_menu_leaves_an_interaction_but_no_case(system: System) -> None:
    kim = actor(system, "kim")
    with system.uow() as uow:
        interaction, _, _ = contacts.start_interaction(
            uow,
            Actor.system("ivr"),
            system.clock(),
            system.policy,
            channel=Channel.INBOUND_CALL,
            center_code="ACRC110",
            phone="02-123-4567",
        )
        contacts.end_interaction(
            uow,
            Actor.system("ivr"),
            system.clock(),
            system.policy,
            interaction_id=interaction.id or 0,
            disposition=Disposition.ABANDONED_BEFORE_MENU,
        )
        uow.commit()
        iid = interaction.id
    with system.uow() as uow:
        stored = uow.interactions.get(iid or 0)
        assert stored is not None and stored.case_id is None and stored.completed_at is not None
        assert stored.caller_masked == "02-***-4567"
        assert list(uow.callbacks.pending(None, None)) == []
    assert kim.center_code == "ACRC110"


def test_transfer_moves_the_same_case_with_its_summary(system: System, clock: FakeClock) -> None:
    kim, park = actor(system, "kim"), actor(system, "park")
    cid = citizen(system)
    clock.now = dt.datetime(2026, 2, 13, 2, 0, tzinfo=dt.UTC)  # Friday 11:00 in Seoul, before 설날 2026
    iid, _ = call(system, kim, "010-2345-6789", "ACRC110")
    number = new_case(system, kim, cid, iid, "버스 노선 민원")
    with system.uow() as uow:
        handoff = services.hand_off(
            uow,
            kim,
            clock(),
            system.calendar,
            system.policy,
            number=number,
            to_center="SEOUL120",
            to_queue="transport",
            reason="서울시 소관",
            summary="버스 노선 변경 요청, 본인 확인 완료",
        )
        uow.commit()
        handoff_id = handoff.id
    with system.uow() as uow:
        case = uow.cases.get(number)
        assert case is not None
        assert case.number == number, "a transfer never renumbers the case"
        assert case.owner_center == "SEOUL120" and case.status is CaseStatus.TRANSFERRED
        # 7 working days after Fri 13 Feb 2026: 16-18 Feb is 설날 (holidays), so 19,20,23,24,25,26,27 → 27 Feb.
        assert case.due_at == dt.datetime(2026, 2, 27, 9, 0, tzinfo=dt.UTC)
        assert len(list(uow.cases.list(center_code=None, status=None, citizen_id=cid, after_id=None, limit=10))) == 1
    with system.uow() as uow, pytest.raises(OtherCenter):
        services.accept_handoff(uow, kim, clock(), number=number, handoff_id=handoff_id or 0)
    with system.uow() as uow:
        accepted = services.accept_handoff(uow, park, clock(), number=number, handoff_id=handoff_id or 0)
        uow.commit()
        assert accepted.summary == "버스 노선 변경 요청, 본인 확인 완료"
        assert accepted.accepted_by == park.agent_id
    with system.uow() as uow:
        case = uow.cases.get(number)
        assert case is not None and case.status is CaseStatus.IN_PROGRESS and case.owner_agent_id == park.agent_id
        assert uow.cases.centers_involved(case.id or 0) == {"ACRC110", "SEOUL120"}
    # The case is SEOUL120's now: to kim it answers like a missing one (no probing case numbers).
    with system.uow() as uow, pytest.raises(CaseNotFound):
        services.change_status(
            uow, kim, clock(), number=number, target=CaseStatus.RESOLVED, reason=None, expected_version=None
        )


def test_merge_and_complaint_links(system: System) -> None:
    kim = actor(system, "kim")
    cid = citizen(system)
    other = citizen(system, "010-9999-0000", "김철수")
    iid, _ = call(system, kim, "010-2345-6789", "ACRC110")
    first = new_case(system, kim, cid, iid)
    finish(system, kim, iid)
    iid2, _ = call(system, kim, "010-2345-6789", "ACRC110")
    with system.uow() as uow:
        second = services.open_case(
            uow,
            kim,
            system.clock(),
            citizen_id=cid,
            center_code="ACRC110",
            channel=Channel.INBOUND_CALL,
            interaction_id=iid2,
        ).number
        uow.commit()
    iid3, _ = call(system, kim, "010-9999-0000", "ACRC110")
    stranger = new_case(system, kim, other, iid3)
    with system.uow() as uow, pytest.raises(MergeRejected):
        services.merge_cases(uow, kim, system.clock(), target_number=first, source_number=stranger)
    with system.uow() as uow:
        services.merge_cases(uow, kim, system.clock(), target_number=first, source_number=second)
        uow.commit()
    with system.uow() as uow:
        target, source = uow.cases.get(first), uow.cases.get(second)
        assert target is not None and source is not None
        assert source.status is CaseStatus.CLOSED and source.merged_into == first and source.number == second
        assert {i.id for i in uow.interactions.for_case(target.id or 0)} == {iid, iid2}
        assert [e.kind for e in uow.events.for_case(source.id or 0)][-1] is EventKind.MERGED_INTO
        complaints.record_complaint(
            uow,
            Actor.system("sinmungo"),
            sinmungo_id="1AA-2603-000123",
            received_at=system.clock(),
            title="여권 발급 지연",
            citizen_id=cid,
        )
        complaints.record_complaint(
            uow,
            Actor.system("sinmungo"),
            sinmungo_id="1AA-2603-000999",
            received_at=system.clock(),
            title="다른 사람",
            citizen_id=other,
        )
        uow.commit()
    with system.uow() as uow:
        complaints.link_complaint(uow, kim, system.clock(), number=first, sinmungo_id="1AA-2603-000123")
        uow.commit()
    with system.uow() as uow, pytest.raises(LinkRejected):
        complaints.link_complaint(uow, kim, system.clock(), number=first, sinmungo_id="1AA-2603-000999")
    with system.uow() as uow:
        case = uow.cases.get(first)
        assert case is not None
        assert [c.sinmungo_id for c in uow.complaints.for_case(case.id or 0)] == ["1AA-2603-000123"]


def test_every_change_is_an_event_with_before_and_after(system: System) -> None:
    kim = actor(system, "kim")
    cid = citizen(system)
    iid, _ = call(system, kim, "010-2345-6789", "ACRC110")
    number = new_case(system, kim, cid, iid)
    with system.uow() as uow:
        services.change_status(
            uow,
            kim,
            system.clock(),
            number=number,
            target=CaseStatus.IN_PROGRESS,
            reason="상담 중",
            expected_version=None,
        )
        services.update_case(uow, kim, system.clock(), number=number, expected_version=None, category="행정")
        uow.commit()
    with system.uow() as uow:
        case = uow.cases.get(number)
        assert case is not None
        events = list(uow.events.for_case(case.id or 0))
    assert [e.kind for e in events] == [
        EventKind.CREATED,
        EventKind.CONTACT_ADDED,
        EventKind.STATUS_CHANGED,
        EventKind.UPDATED,
    ]
    status_event = events[2]
    assert status_event.before == {"status": "open"}
    assert status_event.after == {"status": "in-progress", "reason": "상담 중"}
    assert status_event.actor == "kim" and status_event.actor_agent_id == kim.agent_id
    assert events[3].before == {"category": None} and events[3].after == {"category": "행정"}


def test_illegal_transition_and_stale_version_change_nothing(system: System) -> None:
    kim = actor(system, "kim")
    cid = citizen(system)
    iid, _ = call(system, kim, "010-2345-6789", "ACRC110")
    number = new_case(system, kim, cid, iid)
    with system.uow() as uow:
        version = uow.cases.get(number).version  # type: ignore[union-attr]
    with system.uow() as uow, pytest.raises(IllegalTransition):
        services.change_status(
            uow, kim, system.clock(), number=number, target=CaseStatus.CLOSED, reason=None, expected_version=None
        )
    with system.uow() as uow:
        services.change_status(
            uow,
            kim,
            system.clock(),
            number=number,
            target=CaseStatus.IN_PROGRESS,
            reason=None,
            expected_version=version,
        )
        uow.commit()
    with system.uow() as uow, pytest.raises(VersionConflict):
        services.change_status(
            uow, kim, system.clock(), number=number, target=CaseStatus.RESOLVED, reason=None, expected_version=version
        )
    with system.uow() as uow:
        case = uow.cases.get(number)
        assert case is not None and case.status is CaseStatus.IN_PROGRESS and case.version == version + 1
