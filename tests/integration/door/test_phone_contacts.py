"""Contract: phone contacts changed since a cursor, the same on every adapter of the door."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.cases.model import Case, Channel, Disposition, Interaction
from crm.citizens.model import Citizen, Sex
from crm.door.ports import ChangeCursor
from kernel.calendar import SEOUL
from tests.integration.door.conftest import DoorWorld

pytestmark = pytest.mark.integration

AT = dt.datetime(2026, 1, 1, 0, 30, tzinfo=SEOUL)  # already 2026 in Seoul, still 2025 in UTC


def call(world: DoorWorld, minutes: int, **fields: object) -> int:
    started = AT + dt.timedelta(minutes=minutes)
    fields = {"ended_at": started + dt.timedelta(minutes=3), "disposition": Disposition.ANSWERED} | fields
    channel = fields.pop("channel", Channel.INBOUND_CALL)
    center = fields.pop("center", "ACRC110")
    return world.seed.contact(Interaction(channel, center, started, **fields))  # type: ignore[arg-type]


def test_contacts_with_words_come_in_change_order_with_their_fields(world: DoorWorld) -> None:
    citizen = world.seed.citizen(Citizen(birth_year=1986, sex=Sex.FEMALE, region_sido="부산광역시"))
    case = world.seed.case(
        Case(
            "2026-ACRC110-77001",
            citizen,
            Channel.INBOUND_CALL,
            "ACRC110",
            category="세금",
            created_at=AT,
            updated_at=AT,
        )
    )
    notes = call(world, 0, notes="종합소득세 신고 문의", citizen_id=citizen, case_id=case)
    both = call(world, 1, transcript="여권 재발급", notes="메모", center="NTS126")
    call(world, 2)  # no words
    call(world, 3, notes="통화 중", ended_at=None)  # not finished
    call(world, 4, notes="자동 안내", channel=Channel.IVR_SELF_SERVICE)  # not a voice contact with an agent
    callback = call(world, 5, notes="회신 완료", channel=Channel.CALLBACK)

    first, cursor = world.contacts.changed_since(ChangeCursor(), limit=2)
    assert [c.interaction_id for c in first] == [notes, both]
    assert cursor > ChangeCursor()
    found = first[0]
    assert (found.text, found.center, found.category) == ("종합소득세 신고 문의", "ACRC110", "세금")
    assert (found.region, found.sex, found.age_band) == ("부산광역시", "female", "40대")  # 2026 - 1986, Seoul's year
    assert found.received_at == AT
    assert first[1].text == "여권 재발급\n메모" and first[1].center == "NTS126"
    assert (first[1].category, first[1].region, first[1].age_band, first[1].sex) == (None, None, None, None)

    rest, end = world.contacts.changed_since(cursor)
    assert [c.interaction_id for c in rest] == [callback] and end > cursor
    assert world.contacts.changed_since(end) == ([], end), "nothing new: the cursor stays"


def test_a_changed_column_read_here_is_a_change_and_others_are_not(world: DoorWorld) -> None:
    contact = call(world, 0, agent_id=None)
    silent, cursor = world.contacts.changed_since(ChangeCursor())
    assert silent == [] and cursor == ChangeCursor(), "no words yet: nothing, and the cursor does not move"
    world.seed.update_contact(contact, notes="전입신고 문의")
    changed, cursor = world.contacts.changed_since(cursor)
    assert [(c.interaction_id, c.text) for c in changed] == [(contact, "전입신고 문의")]
    world.seed.update_contact(contact, recording_ref="2026/01/01/a.wav")  # not read by the query
    assert world.contacts.changed_since(cursor) == ([], cursor)
    world.seed.update_contact(contact, transcript="전입신고 하려고요")
    again, _ = world.contacts.changed_since(cursor)
    assert [c.text for c in again] == ["전입신고 하려고요\n전입신고 문의"]


def test_the_cursor_survives_as_text() -> None:
    cursor = ChangeCursor(412, 9)
    assert ChangeCursor.parse(cursor.text()) == cursor
    assert ChangeCursor.parse("") == ChangeCursor() == ChangeCursor.parse("garbage")
    assert ChangeCursor(1, 0) > ChangeCursor(0, 99), "the transaction orders first"
