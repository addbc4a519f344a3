"""Contract: telephony's door (``crm.door.calls``), the same on the memory adapters and the SQL ones.

Who is calling and which cases their center may continue, the agent's contact as it is answered, handed off
and ended, callbacks, the IVR PIN, transcription and finished contacts, and the desk's own records.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest

from crm.cases.status import CaseStatus
from crm.door.calls import (
    AgentStateChange,
    Answered,
    AnsweredCall,
    CallbackStatus,
    CallKind,
    Channel,
    Disposition,
    Ended,
    FinishedCall,
    FinishedContact,
    HandedOff,
    Rejected,
)
from kernel.errors import Conflict, DomainError
from tests.conftest import AGENTS
from tests.integration.door.calls_world import CallsWorld

pytestmark = pytest.mark.integration

NOW = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)  # 10:00 in Seoul, a Tuesday
DAY = dt.timedelta(days=1)
PHONE = "010-3456-7890"
_calls = iter(range(1, 10**6))


@dataclass(frozen=True)
class Keys:
    """What the caller keyed in the IVR (``crm.door.calls.KeyedPin``)."""

    current: str
    new: str | None = None
    repeated: str | None = None


def answer(world: CallsWorld, login: str, phone: str | None = PHONE, *, case: str | None = None,
           handoff: int | None = None, at: dt.datetime = NOW) -> Answered:  # fmt: skip
    agent = world.agent(login)
    call = AnsweredCall(Channel.INBOUND_CALL, agent.center, phone, None, f"c{next(_calls)}@edge",
                        at - dt.timedelta(seconds=20), case, handoff)  # fmt: skip
    return world.desk.answered(agent, at, call)


def end(world: CallsWorld, login: str, interaction_id: int, *, dropped: bool = False, at: dt.datetime = NOW,
        call: FinishedCall | None = None) -> Ended:  # fmt: skip
    disposition = Disposition.DROPPED if dropped else Disposition.ANSWERED
    return world.desk.ended(world.agent(login), at, interaction_id=interaction_id, disposition=disposition,
                            dropped=dropped, recording_ref=None, call=call)  # fmt: skip


def hand_off(world: CallsWorld, login: str, interaction_id: int, to_center: str,
             summary: str = "세금 문의 이관") -> HandedOff:  # fmt: skip
    return world.desk.hand_off(world.agent(login), NOW, interaction_id=interaction_id, to_center=to_center,
                               to_queue=None, summary=summary, reason="담당 기관")  # fmt: skip


# -- who is calling ------------------------------------------------------------------------------------------
def test_one_citizens_number_offers_their_fresh_active_cases_newest_first_at_the_owning_center(
    calls_world: CallsWorld,
) -> None:
    world = calls_world
    citizen = world.seed.citizen(PHONE)
    older = world.seed.case(citizen, "ACRC110", NOW - 3 * DAY)
    newer = world.seed.case(citizen, "NTS126", NOW - DAY, CaseStatus.IN_PROGRESS)
    world.seed.case(citizen, "ACRC110", NOW - 8 * DAY)  # not touched within a week
    world.seed.case(citizen, "ACRC110", NOW - DAY, CaseStatus.RESOLVED)  # no longer active
    info = world.calls.lookup_caller("+82 10 3456 7890", NOW)
    assert (info.citizen_id, info.phone_digits, info.phone_display) == (citizen, "01034567890", "010-3456-7890")
    assert info.open_cases == ((newer, frozenset({"NTS126"})), (older, frozenset({"ACRC110"})))
    assert (info.open_case_at("ACRC110"), info.open_case_at("NTS126"), info.open_case_at("SEOUL120")) == (
        older,
        newer,
        None,
    )
    assert not info.has_pin


def test_a_number_two_citizens_share_identifies_no_one_and_offers_nothing(calls_world: CallsWorld) -> None:
    first, second = calls_world.seed.citizen(PHONE), calls_world.seed.citizen(PHONE, "02-123-4567")
    calls_world.seed.case(first, "ACRC110", NOW - DAY)
    calls_world.seed.case(second, "ACRC110", NOW - DAY)
    shared = calls_world.calls.lookup_caller(PHONE, NOW)
    assert (shared.citizen_id, shared.open_cases, shared.has_pin) == (None, (), False)
    assert shared.phone_digits == "01034567890", "the number's forms are still given"
    own = calls_world.calls.lookup_caller("021234567", NOW)
    assert own.citizen_id == second and own.area_code == "02"


def test_a_number_that_is_no_number_gives_nothing(calls_world: CallsWorld) -> None:
    info = calls_world.calls.lookup_caller("anonymous", NOW)
    assert (info.phone_display, info.phone_digits, info.citizen_id, info.open_cases) == (None, None, None, ())
    unknown = calls_world.calls.lookup_caller("010-9999-0000", NOW)
    assert (unknown.phone_digits, unknown.citizen_id) == ("01099990000", None)


# -- the agent's contact -------------------------------------------------------------------------------------
def test_an_answered_call_starts_a_contact_with_the_one_citizen_on_the_continuing_case(calls_world: CallsWorld) -> None:
    citizen = calls_world.seed.citizen(PHONE)
    number = calls_world.seed.case(citizen, "ACRC110", NOW - DAY, CaseStatus.WAITING_CALLBACK)
    plain = answer(calls_world, "lee")
    assert (plain.case_number, plain.citizen_id, plain.note) == (None, citizen, None)
    got = answer(calls_world, "kim", case=number)
    assert (got.case_number, got.citizen_id, got.note, got.handoff_summary) == (number, citizen, None, None)
    assert got.interaction_id != plain.interaction_id
    assert calls_world.seed.case_status(number) is CaseStatus.IN_PROGRESS
    unknown = answer(calls_world, "kim", "010-9999-0000")
    assert unknown.case_number is None and unknown.citizen_id not in (None, citizen), (
        "a new number becomes a new, unverified citizen"
    )
    assert calls_world.calls.lookup_caller("01099990000", NOW).citizen_id == unknown.citizen_id
    withheld = answer(calls_world, "kim", None)
    assert (withheld.citizen_id, withheld.case_number) == (None, None)


def test_a_case_another_center_holds_gives_a_contact_without_it_and_a_note(calls_world: CallsWorld) -> None:
    citizen = calls_world.seed.citizen(PHONE)
    number = calls_world.seed.case(citizen, "ACRC110", NOW - DAY)
    got = answer(calls_world, "park", case=number)  # SEOUL120 may not continue ACRC110's case
    assert (got.case_number, got.citizen_id) == (None, citizen)
    assert got.note is not None and got.note.startswith("case-not-found:")
    assert calls_world.seed.case_status(number) is CaseStatus.OPEN, "the refused attempt left nothing behind"


def test_a_case_that_can_no_longer_be_continued_gives_a_contact_without_it_and_a_note(calls_world: CallsWorld) -> None:
    citizen = calls_world.seed.citizen(PHONE)
    closed = calls_world.seed.case(citizen, "ACRC110", NOW - DAY, CaseStatus.CLOSED)
    got = answer(calls_world, "kim", case=closed)
    assert (got.case_number, got.citizen_id) == (None, citizen)
    assert got.note is not None and got.note.startswith("conflict:")
    stranger = answer(calls_world, "kim", "010-9999-0000", case=calls_world.seed.case(citizen, "ACRC110", NOW - DAY))
    assert stranger.case_number is None and stranger.note is not None and stranger.note.startswith("conflict:"), (
        "a number alone never takes over a case"
    )


def test_a_transfer_keeps_the_case_and_the_receiver_gets_the_senders_summary(calls_world: CallsWorld) -> None:
    citizen = calls_world.seed.citizen(PHONE)
    number = calls_world.seed.case(citizen, "ACRC110", NOW - DAY)
    kim = answer(calls_world, "kim", case=number)
    sent = hand_off(calls_world, "kim", kim.interaction_id, "NTS126", summary="종합소득세 환급 문의")
    assert sent.case_number == number
    assert calls_world.seed.case_status(number) is CaseStatus.TRANSFERRED
    assert calls_world.calls.lookup_caller(PHONE, NOW).open_cases == ((number, frozenset({"NTS126"})),)
    choi = answer(calls_world, "choi", case=number, handoff=sent.handoff_id)
    assert (choi.case_number, choi.citizen_id, choi.note) == (number, citizen, None)
    assert (choi.handoff_summary, choi.handoff_from) == ("종합소득세 환급 문의", "ACRC110")
    assert calls_world.seed.case_status(number) is CaseStatus.IN_PROGRESS
    again = answer(calls_world, "choi", case=number, handoff=sent.handoff_id)
    assert again.case_number is None and again.note is not None and again.note.startswith("conflict:"), (
        "a hand-off is accepted once"
    )
    onward = hand_off(calls_world, "choi", choi.interaction_id, "SEOUL120", summary="지방세는 서울시")
    assert calls_world.calls.lookup_caller(PHONE, NOW).open_cases == ((number, frozenset({"NTS126", "SEOUL120"})),), (
        "a center the case was handed to may still continue it"
    )
    park = answer(calls_world, "park", case=number, handoff=onward.handoff_id)
    assert (park.case_number, park.handoff_summary, park.handoff_from) == (number, "지방세는 서울시", "NTS126")


def test_handing_off_an_identified_caller_without_a_case_opens_one_at_the_senders_center(
    calls_world: CallsWorld,
) -> None:
    citizen = calls_world.seed.citizen(PHONE)
    kim = answer(calls_world, "kim")
    sent = hand_off(calls_world, "kim", kim.interaction_id, "SEOUL120")
    assert re.fullmatch(r"2026-ACRC110-\d+", sent.case_number)
    assert calls_world.calls.lookup_caller(PHONE, NOW).open_case_at("SEOUL120") == sent.case_number
    assert calls_world.calls.lookup_caller(PHONE, NOW).citizen_id == citizen


def test_handing_off_an_unidentified_caller_is_a_conflict(calls_world: CallsWorld) -> None:
    withheld = answer(calls_world, "kim", None)
    with pytest.raises(Conflict):
        hand_off(calls_world, "kim", withheld.interaction_id, "NTS126")
    calls_world.seed.citizen(PHONE)
    calls_world.seed.citizen(PHONE)
    shared = answer(calls_world, "kim")  # two citizens have the number: no one is picked
    with pytest.raises(Conflict):
        hand_off(calls_world, "kim", shared.interaction_id, "NTS126")
    assert end(calls_world, "kim", shared.interaction_id).callback is None


def test_a_contact_ends_once_and_only_for_its_agent(calls_world: CallsWorld) -> None:
    kim = answer(calls_world, "kim")
    with pytest.raises(DomainError) as other:
        end(calls_world, "lee", kim.interaction_id)
    assert other.value.code == "forbidden"
    assert end(calls_world, "kim", kim.interaction_id).interaction_id == kim.interaction_id
    with pytest.raises(DomainError) as twice:
        end(calls_world, "kim", kim.interaction_id)
    assert twice.value.code == "interaction-closed"


# -- callbacks ------------------------------------------------------------------------------------------------
def test_a_dropped_call_on_a_case_schedules_a_callback_to_the_citizens_number(calls_world: CallsWorld) -> None:
    citizen = calls_world.seed.citizen("02-123-4567", PHONE)
    number = calls_world.seed.case(citizen, "ACRC110", NOW - DAY)
    kim = answer(calls_world, "kim", case=number)
    ended = end(calls_world, "kim", kim.interaction_id, dropped=True, at=NOW + dt.timedelta(minutes=4))
    task = ended.callback
    assert task is not None
    assert (task.center, task.case_number, task.phone, task.attempts) == ("ACRC110", number, "01034567890", 0)
    assert task.due_at == NOW + dt.timedelta(minutes=34), "due within the policy's 30 minutes of the drop"
    assert calls_world.seed.case_status(number) is CaseStatus.WAITING_CALLBACK
    assert calls_world.desk.pending_callbacks() == [task]


def test_a_dropped_call_without_a_case_or_a_call_not_dropped_schedules_nothing(calls_world: CallsWorld) -> None:
    citizen = calls_world.seed.citizen(PHONE)
    number = calls_world.seed.case(citizen, "ACRC110", NOW - DAY)
    assert end(calls_world, "kim", answer(calls_world, "kim").interaction_id, dropped=True).callback is None
    assert end(calls_world, "lee", answer(calls_world, "lee", case=number).interaction_id).callback is None
    assert calls_world.desk.pending_callbacks() == []


def test_a_finished_callback_leaves_the_pending_list_and_stays_finished(calls_world: CallsWorld) -> None:
    citizen = calls_world.seed.citizen(PHONE)
    tasks = []
    for login in ("kim", "lee"):
        number = calls_world.seed.case(citizen, "ACRC110", NOW - DAY)
        ended = end(calls_world, login, answer(calls_world, login, case=number).interaction_id, dropped=True)
        assert ended.callback is not None
        tasks.append(ended.callback)
    assert [t.callback_id for t in calls_world.desk.pending_callbacks()] == [t.callback_id for t in tasks]
    calls_world.desk.callback_finished(tasks[0].callback_id, CallbackStatus.DONE, 1)
    assert [t.callback_id for t in calls_world.desk.pending_callbacks()] == [tasks[1].callback_id]
    calls_world.desk.callback_finished(tasks[0].callback_id, CallbackStatus.PENDING, 2)  # too late: it is done
    calls_world.desk.callback_finished(10**6, CallbackStatus.DONE, 1)  # unknown: nothing happens
    assert [t.callback_id for t in calls_world.desk.pending_callbacks()] == [tasks[1].callback_id]


# -- the IVR PIN ----------------------------------------------------------------------------------------------
def test_the_right_pin_is_verified_a_wrong_one_counted_and_the_limit_locks_it(calls_world: CallsWorld) -> None:
    citizen = calls_world.seed.citizen(PHONE)
    assert calls_world.calls.pin(citizen, Keys("3579"), NOW) == "no-pin"
    calls_world.seed.pin(citizen, "3579", NOW)
    assert calls_world.calls.lookup_caller(PHONE, NOW).has_pin

    def keyed(pin: str, at: dt.datetime = NOW) -> str:
        return calls_world.calls.pin(citizen, Keys(pin), at)

    assert [keyed(p) for p in ("1111", "2222", "3333", "4444")] == ["wrong"] * 4
    assert keyed("3579") == "verified", "a right PIN starts the count again"
    assert [keyed(p) for p in ("1111", "2222", "3333", "4444", "55")] == ["wrong"] * 4 + ["locked"]
    assert keyed("3579") == "locked", "refused without checking while locked"
    assert keyed("3579", NOW + dt.timedelta(minutes=31)) == "verified"


def test_a_pin_changes_only_with_the_current_pin_to_one_not_guessable(calls_world: CallsWorld) -> None:
    citizen = calls_world.seed.citizen(PHONE)
    calls_world.seed.pin(citizen, "3579", NOW)

    def change(current: str, new: str, repeated: str | None = None) -> str:
        return calls_world.calls.pin(citizen, Keys(current, new, new if repeated is None else repeated), NOW)

    assert change("1111", "2468") == "wrong"
    assert change("3579", "9999") == "trivial"
    assert change("3579", "7890") == "trivial", "the end of a number on file"
    assert change("3579", "2468", "2469") == "mismatch"
    assert change("3579", "2468") == "verified"
    assert (calls_world.calls.pin(citizen, Keys("3579"), NOW), calls_world.calls.pin(citizen, Keys("2468"), NOW)) == (
        "wrong",
        "verified",
    )


def test_a_pin_is_enrolled_only_on_a_contact_verified_with_evidence(calls_world: CallsWorld) -> None:
    citizen = calls_world.seed.citizen(PHONE, birth_year=1990)
    kim = calls_world.agent("kim")
    contact = answer(calls_world, "kim").interaction_id
    with pytest.raises(DomainError) as unverified:
        calls_world.desk.enrol_pin(kim, NOW, contact, "3579", "3579")
    assert unverified.value.code == "forbidden"
    calls_world.seed.verify(contact, "resident-number", NOW)
    assert calls_world.desk.enrol_pin(kim, NOW, contact, "1990", "1990") == "trivial"  # the birth year
    assert calls_world.desk.enrol_pin(kim, NOW, contact, "123", "123") == "format"
    assert calls_world.desk.enrol_pin(kim, NOW, contact, "3579", "3578") == "mismatch"
    assert not calls_world.calls.lookup_caller(PHONE, NOW).has_pin
    assert calls_world.desk.enrol_pin(kim, NOW, contact, "3579", "3579") == "verified"
    assert calls_world.calls.lookup_caller(PHONE, NOW).has_pin
    assert calls_world.calls.pin(citizen, Keys("3579"), NOW) == "verified"


# -- contacts and recordings ----------------------------------------------------------------------------------
def test_a_recording_is_queued_for_transcription_once(calls_world: CallsWorld) -> None:
    assert calls_world.calls.enqueue_transcription("rec/2026/a.wav", NOW, 42.0)
    assert not calls_world.calls.enqueue_transcription("rec/2026/a.wav", NOW + DAY, 42.0)
    assert calls_world.calls.enqueue_transcription("rec/2026/b.wav", NOW, 3.5)


def test_a_finished_contact_is_recorded_and_a_broken_one_is_refused_with_its_reason(calls_world: CallsWorld) -> None:
    citizen = calls_world.seed.citizen(PHONE)
    number = calls_world.seed.case(citizen, "ACRC110", NOW - 6 * DAY)

    def contact(**fields: object) -> int | Rejected:
        values: dict[str, object] = {"channel": Channel.IVR_SELF_SERVICE, "center_code": "ACRC110",
                                     "started_at": NOW - dt.timedelta(minutes=2), "ended_at": NOW,
                                     "disposition": Disposition.SELF_SERVICE_COMPLETED} | fields  # fmt: skip
        return calls_world.calls.record(FinishedContact(**values))  # type: ignore[arg-type]

    first, second = contact(), contact(citizen_id=citizen, case_number=number)
    assert isinstance(first, int) and isinstance(second, int) and first != second
    assert calls_world.calls.lookup_caller(PHONE, NOW + 3 * DAY).open_case_at("ACRC110") == number, (
        "the contact touched its case: still fresh a week after it was opened"
    )
    refusals = [
        contact(center_code="NOPE999"),
        contact(case_number="2026-ACRC110-999999"),
        contact(ended_at=NOW - dt.timedelta(hours=1)),
        contact(case_number=number, disposition=Disposition.SILENT),
        contact(case_number=number, citizen_id=calls_world.seed.citizen()),
    ]
    assert [(r.index, r.code) for r in refusals if isinstance(r, Rejected)] == [
        (0, "center-not-found"),
        (0, "case-not-found"),
        (0, "validation-failed"),
        (0, "validation-failed"),
        (0, "conflict"),
    ]


# -- the desk's records ---------------------------------------------------------------------------------------
def test_the_agents_are_listed_with_their_centers_and_roles(calls_world: CallsWorld) -> None:
    listed = {a.login: (a.center, a.role) for a in calls_world.desk.agents()}
    assert listed == {login: (center, str(role)) for login, (center, role) in AGENTS.items()}
    assert len({a.agent_id for a in calls_world.desk.agents()}) == len(AGENTS)


def test_a_call_written_at_the_contacts_end_and_again_by_the_acd_is_one_completed_row(calls_world: CallsWorld) -> None:
    kim = calls_world.agent("kim")
    contact = answer(calls_world, "kim", None).interaction_id
    enqueued = NOW - dt.timedelta(minutes=5)
    first = FinishedCall("w1.1#7", CallKind.INBOUND, "ACRC110", "general", enqueued, sip_call_id="c7@edge",
                         agent_id=kim.agent_id, answered_at=NOW - dt.timedelta(minutes=4), ended_at=NOW,
                         interaction_id=contact)  # fmt: skip
    end(calls_world, "kim", contact, call=first)
    (only,) = calls_world.desk.today(NOW)[0]
    assert not only.complete and only.interaction_id == contact
    wrapped = NOW + dt.timedelta(minutes=1)
    calls_world.desk.call_finished(FinishedCall("w1.1#7", CallKind.INBOUND, "ACRC110", "general", enqueued,
                                           answered_at=NOW - dt.timedelta(minutes=4), ended_at=NOW,
                                           wrapup_ended_at=wrapped, disposition="resolved"))  # fmt: skip
    (row,) = calls_world.desk.today(NOW)[0]
    assert (row.call_id, row.interaction_id, row.agent_id, row.sip_call_id) == ("w1.1#7", contact, kim.agent_id,
                                                                                  "c7@edge")  # fmt: skip
    assert (row.wrapup_ended_at, row.disposition, row.complete) == (wrapped, "resolved", True)


def test_today_is_since_midnight_in_seoul(calls_world: CallsWorld) -> None:
    midnight = dt.datetime(2026, 3, 9, 15, 0, tzinfo=dt.UTC)  # 2026-03-10 00:00 in Seoul
    for name, at in (("yesterday", midnight - dt.timedelta(seconds=1)), ("today", midnight),
                     ("later", NOW)):  # fmt: skip
        calls_world.desk.call_finished(FinishedCall(name, CallKind.INBOUND, "ACRC110", "general", at,
                                               abandoned_at=at + dt.timedelta(seconds=9)))  # fmt: skip
        calls_world.desk.agent_state_changed(AgentStateChange(1, "ACRC110", at, "ready", name))
    calls, changes = calls_world.desk.today(NOW)
    assert [c.call_id for c in calls] == ["today", "later"]
    assert [c.previous for c in changes] == ["today", "later"]
    assert calls[0].enqueued_at == midnight and changes[1] == AgentStateChange(1, "ACRC110", NOW, "ready", "later")
    assert [c.call_id for c in calls_world.desk.today(midnight - dt.timedelta(seconds=1))[0]] == [
        "yesterday",
        "today",
        "later",
    ], "just before midnight it is still the day before"
