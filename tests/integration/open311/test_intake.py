"""Submitting: a complaint in the right center's inbox, idempotency, duplicates, holds, keys."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.cases import inbox
from crm.cases.complaint_records import ComplaintStatus, InboxQuery
from crm.open311 import keys, reads, review
from crm.open311.errors import AppNotFound, InvalidApiKey, Open311Invalid, TokenNotFound
from crm.open311.intake import NOTICE_DUPLICATE, NOTICE_HELD, IntakeRules
from crm.open311.model import Disposition, Location
from kernel.actor import Actor, Role
from tests.integration.open311.conftest import ROAD, World

pytestmark = pytest.mark.integration

ADMIN = Actor("ACRC110", Role.ADMIN, "root", agent_id=None)


def seoul_agent(world: World) -> Actor:
    with world.system.uow() as uow:
        park = uow.agents.by_login("park")
        assert park is not None and park.id is not None
        return Actor(park.center_code, park.role, park.login, park.id)


def test_a_request_becomes_a_masked_complaint_with_a_due_date_in_the_right_inbox(world: World) -> None:
    result = world.submit()
    assert result.service_request_id is not None and result.token is None
    request_id = int(result.service_request_id)
    agent = seoul_agent(world)
    with world.system.uow() as uow:
        rows = inbox.inbox(uow, agent, InboxQuery(center="SEOUL120", now=world.now))
        [row] = [r for r in rows if r.complaint.sinmungo_id == f"open311-{request_id}"]
        complaint = row.complaint
        assert complaint.citizen_id is None and complaint.status is ComplaintStatus.RECEIVED
        assert complaint.title.startswith("도로·보도 파손: 세종대로 보도블록이")
        assert "위치: 서울특별시 중구 세종대로 110" in complaint.body and "보도블록 파손" in complaint.body
        assert "010-1234-5678" in complaint.body and "010-1234-5678" not in complaint.body_masked
        assert complaint.due_at is not None and complaint.due_at > world.now + dt.timedelta(days=7)
        stored = uow.open311.get(request_id)
        assert stored is not None and stored.complaint_id == complaint.id and stored.description == ""
        assert stored.remote_addr == "203.0.113.7" and stored.email == "hong@example.kr"
        assert "홍" not in complaint.body and "hong@example.kr" not in complaint.body


def test_the_title_other_centers_list_is_masked_too(world: World) -> None:
    result = world.submit(description="홍길동 010-2222-3333 집 앞 도로가 파였습니다.\n자세한 내용")
    assert result.service_request_id is not None
    with world.system.uow() as uow:
        stored = uow.open311.get(int(result.service_request_id))
        assert stored is not None and stored.complaint_id is not None
        complaint = uow.complaints.get(stored.complaint_id)
        assert complaint is not None and "010-2222-3333" in complaint.body
        assert complaint.title.startswith("도로·보도 파손: ") and "010-2222-3333" not in complaint.title


def test_national_services_and_unknown_regions_route_to_their_centers(world: World) -> None:
    tax = world.submit(service_code="NATIONAL-TAX", attributes={}, description="연말정산 환급 문의")
    nowhere = world.submit(location=Location(address_id="ADDR-1"), description="위치를 모르는 파손")
    busan = world.submit(location=Location(lat=35.1796, long=129.0756), description="부산 시청 앞 파손")
    centers = {}
    with world.system.uow() as uow:
        for name, result in (("tax", tax), ("nowhere", nowhere), ("busan", busan)):
            assert result.service_request_id is not None
            stored = uow.open311.get(int(result.service_request_id))
            assert stored is not None and stored.complaint_id is not None
            complaint = uow.complaints.get(stored.complaint_id)
            assert complaint is not None
            centers[name] = (complaint.assigned_center, stored.jurisdiction)
    assert centers == {"tax": ("NTS126", "국세청"), "nowhere": ("ACRC110", "국민권익위원회"),
                       "busan": ("BUSAN120", "부산광역시")}  # fmt: skip


def test_the_same_app_request_id_returns_the_first_answer_and_creates_nothing(world: World) -> None:
    first = world.submit(app_request_id="req-1")
    again = world.submit(app_request_id="req-1", description="완전히 다른 내용")
    assert again.service_request_id == first.service_request_id
    with world.system.uow() as uow:
        found = uow.open311.find(app_id=world.app().id, ids=[], service_codes=[], statuses=frozenset(),
                                 jurisdiction=None, start=None, end=None, limit=10, with_text=False)  # fmt: skip
        assert len(found) == 1


def test_the_same_content_from_the_same_app_returns_the_existing_request(world: World) -> None:
    first = world.submit()
    world.system.clock.advance(hours=2)  # type: ignore[attr-defined]
    again = world.submit(description="  세종대로 보도블록이 깨져 있습니다.\n연락처 010-1234-5678 로 알려 주세요. ")
    assert again.service_request_id == first.service_request_id and again.service_notice == NOTICE_DUPLICATE
    world.system.clock.advance(hours=23)  # type: ignore[attr-defined]
    later = world.submit()
    assert later.service_request_id not in (None, first.service_request_id), "a day later it is new"


def test_the_same_content_from_many_other_apps_is_held_then_accepted_by_review(world: World) -> None:
    rules = IntakeRules(hold_after_duplicates=2)
    assert world.submit(app="seoul-app", rules=rules).service_request_id is not None
    assert world.submit(app="other-app", rules=rules, remote="198.51.100.1").service_request_id is not None
    held = world.submit(app="third-app", rules=rules, remote="198.51.100.2")
    assert held.service_request_id is None and held.token is not None and held.service_notice == NOTICE_HELD
    state = world.run(lambda uow: reads.resolve_token(uow, world.app("third-app"), held.token))
    assert state.service_request_id is None
    with pytest.raises(TokenNotFound):
        world.run(lambda uow: reads.resolve_token(uow, world.app("seoul-app"), held.token))
    assert [r.token for r in world.run(lambda uow: review.held_requests(uow, 10))] == [held.token]
    accepted = world.run(lambda uow: review.accept_held(uow, ADMIN, held.token, world.now, catalog=world.catalog))
    assert accepted.disposition is Disposition.ACCEPTED and accepted.complaint_id is not None
    assert accepted.reviewed_by == "root" and accepted.description == ""
    state = world.run(lambda uow: reads.resolve_token(uow, None, held.token))
    assert state.service_request_id == str(accepted.id)
    with world.system.uow() as uow:
        complaint = uow.complaints.get(accepted.complaint_id)
        assert complaint is not None and complaint.assigned_center == "SEOUL120"
        assert "세종대로 보도블록" in complaint.body
    assert world.run(lambda uow: review.held_requests(uow, 10)) == []


def test_a_description_full_of_links_is_held_and_can_be_rejected(world: World) -> None:
    spam = " ".join(f"https://spam{i}.example/" for i in range(4))
    held = world.submit(description=f"광고 {spam}")
    assert held.token is not None and held.service_request_id is None
    with pytest.raises(Open311Invalid):
        world.run(lambda uow: review.reject_held(uow, ADMIN, held.token, " ", world.now))
    rejected = world.run(lambda uow: review.reject_held(uow, ADMIN, held.token, "광고성 게시물", world.now))
    assert rejected.disposition is Disposition.REJECTED and rejected.complaint_id is None
    assert world.run(lambda uow: reads.resolve_token(uow, None, held.token)).service_request_id is None
    with pytest.raises(TokenNotFound):
        world.run(lambda uow: review.accept_held(uow, ADMIN, held.token, world.now, catalog=world.catalog))
    assert world.run(lambda uow: reads.find_requests(uow, world.app(), reads.RequestQuery(), world.catalog,
                                                     world.now)) == []  # fmt: skip


def test_keys_authenticate_until_revoked_and_are_stored_hashed(world: World) -> None:
    app, key = world.apps["seoul-app"]
    assert world.run(lambda uow: keys.authenticate(uow, key)).id == app.id
    assert world.run(lambda uow: keys.authenticate(uow, None)) is None
    assert app.key_hash == keys.key_hash(key) and app.key_prefix == key[:8] and len(key) >= 43
    with pytest.raises(InvalidApiKey):
        world.run(lambda uow: keys.authenticate(uow, "wrong-key"))
    with pytest.raises(Open311Invalid):
        world.run(lambda uow: keys.create_app_key(uow, "seoul-app", "root", world.now))
    revoked = world.run(lambda uow: keys.revoke_app_key(uow, "seoul-app", world.now))
    assert revoked.revoked_at is not None
    with pytest.raises(InvalidApiKey):
        world.run(lambda uow: keys.authenticate(uow, key))
    with pytest.raises(AppNotFound):
        world.run(lambda uow: keys.revoke_app_key(uow, "no-such-app", world.now))
    names = [a.name for a in world.run(keys.list_apps)]
    assert names == sorted(names) and "seoul-app" in names


def test_a_request_with_a_required_attribute_missing_stores_nothing(world: World) -> None:
    with pytest.raises(Open311Invalid):
        world.submit(attributes={})
    assert world.run(lambda uow: review.held_requests(uow, 10)) == []
    assert ROAD.attributes  # the valid one still goes through
    assert world.submit().service_request_id is not None
