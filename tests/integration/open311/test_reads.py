"""Reading requests back: only an app's own, masked, never a submitter's contact; public reads are bare;
status follows the complaint's work; the window and filters; the classifier's batch."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from crm.api.open311.formats import w3c
from crm.cases import inbox
from crm.open311 import reads
from crm.open311.classify import classify_pending
from crm.open311.errors import JurisdictionNotFound, Open311Invalid, RequestNotFound
from crm.open311.model import RequestOrigin, RequestQuery, RequestStatus, RequestView
from kernel.actor import Actor
from tests.integration.open311.conftest import ROAD, World

pytestmark = pytest.mark.integration

SECRETS = ("길동", "hong@example.kr", "010-9876-5432", "01098765432", "010-1234-5678")


def find(world: World, app: str | None = "seoul-app", **query: object) -> list[RequestView]:
    who = world.app(app) if app else None
    return world.run(lambda uow: reads.find_requests(uow, who, RequestQuery(**query), world.catalog, world.now))  # type: ignore[arg-type]


def get(world: World, request_id: str, app: str | None = "seoul-app") -> RequestView:
    who = world.app(app) if app else None
    return world.run(lambda uow: reads.get_request(uow, who, request_id, world.catalog))  # type: ignore[no-any-return]


def agent(world: World, login: str) -> Actor:
    with world.system.uow() as uow:
        found = uow.agents.by_login(login)
        assert found is not None and found.id is not None
        return Actor(found.center_code, found.role, found.login, found.id)


def complaint_id(world: World, request_id: str) -> int:
    with world.system.uow() as uow:
        stored = uow.open311.get(int(request_id))
        assert stored is not None and stored.complaint_id is not None
        return stored.complaint_id


def test_an_app_reads_its_own_request_masked_and_without_contact_fields(world: World) -> None:
    request_id = world.submit(media_url="https://example.kr/p.jpg").service_request_id
    assert request_id is not None
    view = get(world, request_id)
    assert view.public_only is False and view.status is RequestStatus.OPEN and view.status_notes is None
    assert view.service_code == "ROAD-DAMAGE" and view.service_name == "도로·보도 파손"
    assert view.description is not None and "세종대로 보도블록" in view.description
    assert view.agency_responsible == "120다산콜재단" and view.address == "서울특별시 중구 세종대로 110"
    assert view.media_url == "https://example.kr/p.jpg"
    assert view.requested_datetime == w3c(world.now) == view.updated_datetime
    assert view.expected_datetime is not None and view.expected_datetime > w3c(world.now)  # one offset: text order
    assert not any(secret in repr(view) for secret in SECRETS)
    assert [v.service_request_id for v in find(world)] == [request_id]


def test_another_apps_request_is_not_found_and_absent_from_its_lists(world: World) -> None:
    request_id = world.submit().service_request_id
    assert request_id is not None
    with pytest.raises(RequestNotFound):
        get(world, request_id, app="other-app")
    with pytest.raises(RequestNotFound):
        get(world, "999999", app="seoul-app")
    with pytest.raises(RequestNotFound):
        get(world, "abc", app="seoul-app")
    assert find(world, app="other-app") == []
    assert find(world, app="other-app", ids=(request_id, "x")) == []
    assert [v.service_request_id for v in find(world, ids=(request_id, "x", "999999"))] == [request_id]


def test_without_a_key_every_accepted_request_is_public_only(world: World) -> None:
    first = world.submit().service_request_id
    world.system.clock.advance(minutes=1)  # type: ignore[attr-defined]
    second = world.submit(
        app="other-app", service_code="NATIONAL-TAX", attributes={}, description="세금 문의"
    ).service_request_id
    held = world.submit(description="광고 " + " ".join(f"http://x{i}.example" for i in range(5)))
    assert held.token is not None
    views = find(world, app=None)
    assert [v.service_request_id for v in views] == [second, first], "newest first, held ones invisible"
    for view in views:
        assert view.public_only and view.description is None and view.address is None and view.lat is None
        assert view.agency_responsible is None and view.status_notes is None and view.media_url is None
    assert get(world, str(first), app=None).public_only


def test_status_closes_with_the_answer_and_status_notes_are_the_answer_masked(world: World) -> None:
    request_id = world.submit().service_request_id
    assert request_id is not None
    park = agent(world, "park")
    cid = complaint_id(world, request_id)
    world.system.clock.advance(hours=3)  # type: ignore[attr-defined]
    world.run(lambda uow: inbox.claim(uow, park, world.now, cid))
    assert get(world, request_id).status is RequestStatus.OPEN
    world.system.clock.advance(hours=1)  # type: ignore[attr-defined]
    answer = "보수를 마쳤습니다. 문의: 주민번호 900101-1234567 은 적지 마세요."
    world.run(lambda uow: inbox.answer(uow, park, world.now, cid, answer))
    view = get(world, request_id)
    assert view.status is RequestStatus.CLOSED
    assert view.status_notes is not None and view.status_notes.startswith("보수를 마쳤습니다.")
    assert "900101-1234567" not in view.status_notes and "[주민등록번호]" in view.status_notes
    assert view.updated_datetime == w3c(world.now) and view.updated_datetime > view.requested_datetime
    assert [v.service_request_id for v in find(world, statuses=frozenset({RequestStatus.CLOSED}))] == [request_id]
    assert find(world, statuses=frozenset({RequestStatus.OPEN})) == []


def test_the_window_defaults_to_90_days_and_never_spans_more(world: World) -> None:
    old = world.submit(description="석 달도 더 된 파손").service_request_id
    world.system.clock.advance(days=100)  # type: ignore[attr-defined]
    new = world.submit(description="새 파손").service_request_id
    assert [v.service_request_id for v in find(world)] == [new]
    start = world.now - dt.timedelta(days=120)
    assert [v.service_request_id for v in find(world, start=start, end=start + dt.timedelta(days=90))] == [old]
    with pytest.raises(Open311Invalid):
        find(world, start=start)
    with pytest.raises(Open311Invalid):
        find(world, start=world.now, end=world.now - dt.timedelta(days=1))
    assert [v.service_request_id for v in find(world, ids=(str(old),))] == [old], "ids: no window"


def test_service_code_jurisdiction_and_limit_filters(world: World) -> None:
    road = world.submit().service_request_id
    world.system.clock.advance(minutes=1)  # type: ignore[attr-defined]
    tax = world.submit(service_code="NATIONAL-TAX", attributes={}, description="세금 문의").service_request_id
    world.system.clock.advance(minutes=1)  # type: ignore[attr-defined]
    noise = world.submit(dataclasses.replace(ROAD, service_code="NOISE", attributes={}),
                         description="공사장 소음").service_request_id  # fmt: skip
    assert [v.service_request_id for v in find(world, service_codes=("ROAD-DAMAGE", "NOISE"))] == [noise, road]
    assert [v.service_request_id for v in find(world, jurisdiction_id="국세청")] == [tax]
    assert [v.service_request_id for v in find(world, limit=2)] == [noise, tax]
    capped = world.run(lambda uow: reads.find_requests(uow, world.app(), RequestQuery(), world.catalog, world.now,
                                                       max_rows=1))  # fmt: skip  # open311.max_requests
    assert [v.service_request_id for v in capped] == [noise]
    with pytest.raises(JurisdictionNotFound):
        find(world, jurisdiction_id="없는 기관")


def test_classify_pending_stores_a_suggestion_once_for_each_accepted_request(world: World) -> None:
    first = world.submit().service_request_id
    second = world.submit(service_code="NATIONAL-TAX", attributes={}, description="세금 문의").service_request_id
    seen: list[str] = []

    def suggest(text: str) -> str | None:
        seen.append(text)
        return "교통/건축/국토" if "보도블록" in text else None

    assert world.run(lambda uow: classify_pending(uow, suggest, 1, world.now)) == 1
    assert world.run(lambda uow: classify_pending(uow, suggest, 10, world.now)) == 1
    assert world.run(lambda uow: classify_pending(uow, suggest, 10, world.now)) == 0
    assert "010-1234-5678" not in seen[0], "the masked text"
    with world.system.uow() as uow:
        one, two = uow.open311.get(int(str(first))), uow.open311.get(int(str(second)))
        assert one is not None and two is not None
        assert (one.category_suggested, two.category_suggested) == ("교통/건축/국토", None)
        assert one.classified_at == world.now and two.classified_at == world.now


def test_the_agents_detail_names_the_app_and_the_suggestion_and_nothing_of_the_submitter(world: World) -> None:
    request_id = world.submit(first_name="홍", last_name="길동").service_request_id
    assert request_id is not None
    cid = complaint_id(world, request_id)
    park = agent(world, "park")
    detail = world.run(lambda uow: inbox.read_complaint(uow, park, world.now, cid, "test"))
    assert detail.origin == RequestOrigin("seoul-app", "ROAD-DAMAGE", None), "classified off the request path, later"
    world.run(lambda uow: classify_pending(uow, lambda text: "교통/건축/국토", 10, world.now))
    detail = world.run(lambda uow: inbox.read_complaint(uow, park, world.now, cid, "test"))
    assert detail.origin is not None and detail.origin.category_suggested == "교통/건축/국토"
    assert not any(secret in repr(detail.origin) for secret in (*SECRETS, "길동"))
    with world.system.uow() as uow:
        assert uow.open311.origin(cid + 1000) is None, "a complaint not filed through Open311 has no origin"
