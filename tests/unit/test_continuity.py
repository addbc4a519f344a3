"""Continuity rules: which cases a new contact may continue, which contacts open a case, drops, merges, links."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.cases.continuity import (
    ContinuityPolicy,
    DropOutcome,
    after_drop,
    check_link,
    check_merge,
    continuable_cases,
    opens_case,
)
from crm.cases.model import Case, Channel, Complaint, Disposition, Interaction
from crm.cases.status import CaseStatus
from crm.errors import LinkRejected, MergeRejected

NOW = dt.datetime(2025, 6, 10, 3, 0, tzinfo=dt.UTC)
POLICY = ContinuityPolicy(open_case_days=7, callback_minutes=30)
ACTIVE = [
    CaseStatus.OPEN,
    CaseStatus.IN_PROGRESS,
    CaseStatus.TRANSFERRED,
    CaseStatus.WAITING_CALLBACK,
    CaseStatus.REOPENED,
]
INACTIVE = [CaseStatus.RESOLVED, CaseStatus.CLOSED]
VOICE = [Channel.INBOUND_CALL, Channel.OUTBOUND_CALL, Channel.CALLBACK]
NON_VOICE = [Channel.IVR_SELF_SERVICE, Channel.SINMUNGO_TEXT, Channel.AGENT_NOTE, Channel.SMS]

_ids = itertools.count(1)


def make_case(
    *,
    status: CaseStatus = CaseStatus.OPEN,
    updated_at: dt.datetime | None = NOW,
    citizen_id: int = 7,
    merged_into: str | None = None,
    case_id: int | None = None,
) -> Case:
    number = next(_ids) if case_id is None else case_id
    return Case(
        number=f"2025-ACRC110-{number}",
        citizen_id=citizen_id,
        origin_channel=Channel.INBOUND_CALL,
        owner_center="ACRC110",
        status=status,
        merged_into=merged_into,
        created_at=updated_at,
        updated_at=updated_at,
        id=number,
    )


def make_interaction(channel: Channel = Channel.INBOUND_CALL) -> Interaction:
    return Interaction(channel=channel, center_code="ACRC110", started_at=NOW - dt.timedelta(minutes=5))


def test_default_policy() -> None:
    policy = ContinuityPolicy()
    assert (policy.open_case_days, policy.callback_minutes, policy.handoff_due_working_days) == (7, 30, 7)


# --- continuable_cases --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ACTIVE)
def test_recent_active_cases_are_offered(status: CaseStatus) -> None:
    case = make_case(status=status, updated_at=NOW - dt.timedelta(days=1))
    assert continuable_cases([case], NOW, POLICY) == [case]


@pytest.mark.parametrize("status", INACTIVE)
def test_resolved_and_closed_cases_are_not_offered(status: CaseStatus) -> None:
    case = make_case(status=status, updated_at=NOW - dt.timedelta(hours=1))
    assert continuable_cases([case], NOW, POLICY) == []


def test_merged_cases_are_not_offered_even_if_active() -> None:
    case = make_case(status=CaseStatus.IN_PROGRESS, merged_into="2025-ACRC110-1")
    assert continuable_cases([case], NOW, POLICY) == []


def test_window_boundary_is_inclusive_at_exactly_n_days() -> None:
    exactly = make_case(updated_at=NOW - dt.timedelta(days=7))
    just_outside = make_case(updated_at=NOW - dt.timedelta(days=7, microseconds=1))
    just_inside = make_case(updated_at=NOW - dt.timedelta(days=7) + dt.timedelta(microseconds=1))
    assert continuable_cases([exactly, just_outside, just_inside], NOW, POLICY) == [just_inside, exactly]


@pytest.mark.parametrize("days", [1, 3, 30])
def test_window_follows_the_policy(days: int) -> None:
    policy = ContinuityPolicy(open_case_days=days)
    inside = make_case(updated_at=NOW - dt.timedelta(days=days))
    outside = make_case(updated_at=NOW - dt.timedelta(days=days, seconds=1))
    assert continuable_cases([outside, inside], NOW, policy) == [inside]


def test_newest_first() -> None:
    old = make_case(updated_at=NOW - dt.timedelta(days=6))
    newest = make_case(updated_at=NOW - dt.timedelta(minutes=1))
    middle = make_case(updated_at=NOW - dt.timedelta(days=2))
    assert continuable_cases([old, newest, middle], NOW, POLICY) == [newest, middle, old]


def test_case_without_update_time_counts_as_touched_now() -> None:
    untouched = make_case(updated_at=None)
    older = make_case(updated_at=NOW - dt.timedelta(hours=2))
    assert continuable_cases([older, untouched], NOW, POLICY) == [untouched, older]


def test_no_cases_no_offers() -> None:
    assert continuable_cases([], NOW, POLICY) == []
    assert continuable_cases(iter([]), NOW, POLICY) == []


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(CaseStatus)),
            st.integers(min_value=0, max_value=20 * 24 * 60),  # minutes before now
            st.booleans(),  # merged
        ),
        max_size=12,
    ),
    st.integers(min_value=1, max_value=14),
)
def test_offers_are_exactly_the_fresh_active_unmerged_cases_newest_first(
    specs: list[tuple[CaseStatus, int, bool]], days: int
) -> None:
    cases = [
        make_case(status=status, updated_at=NOW - dt.timedelta(minutes=age), merged_into="2025-X-1" if merged else None)
        for status, age, merged in specs
    ]
    offered = continuable_cases(cases, NOW, ContinuityPolicy(open_case_days=days))
    expected = {
        id(c)
        for c, (status, age, merged) in zip(cases, specs, strict=True)
        if status in ACTIVE and not merged and age <= days * 24 * 60
    }
    assert {id(c) for c in offered} == expected
    times = [c.updated_at or NOW for c in offered]
    assert times == sorted(times, reverse=True)


# --- opens_case ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("disposition", [*Disposition, None])
def test_only_abandoned_before_menu_scanner_and_silent_open_no_case(disposition: Disposition | None) -> None:
    no_case = {Disposition.ABANDONED_BEFORE_MENU, Disposition.SCANNER, Disposition.SILENT}
    assert opens_case(disposition) is (disposition not in no_case)


# --- after_drop ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("channel", VOICE)
@pytest.mark.parametrize("status", [s for s in ACTIVE if s is not CaseStatus.WAITING_CALLBACK])
def test_dropped_voice_contact_puts_the_case_on_callback(channel: Channel, status: CaseStatus) -> None:
    outcome = after_drop(make_case(status=status), make_interaction(channel), NOW, POLICY)
    assert outcome == DropOutcome(CaseStatus.WAITING_CALLBACK, NOW + dt.timedelta(minutes=30))


@pytest.mark.parametrize("channel", VOICE)
def test_already_waiting_for_a_callback_keeps_status_but_gets_a_due_time(channel: Channel) -> None:
    outcome = after_drop(make_case(status=CaseStatus.WAITING_CALLBACK), make_interaction(channel), NOW, POLICY)
    assert outcome == DropOutcome(None, NOW + dt.timedelta(minutes=30))


@pytest.mark.parametrize("channel", NON_VOICE)
@pytest.mark.parametrize("status", list(CaseStatus))
def test_non_voice_contacts_get_nothing(channel: Channel, status: CaseStatus) -> None:
    assert after_drop(make_case(status=status), make_interaction(channel), NOW, POLICY) == DropOutcome(None, None)


@pytest.mark.parametrize("channel", list(Channel))
def test_contact_without_a_case_gets_nothing(channel: Channel) -> None:
    assert after_drop(None, make_interaction(channel), NOW, POLICY) == DropOutcome(None, None)


@pytest.mark.parametrize("channel", VOICE)
@pytest.mark.parametrize("status", INACTIVE)
def test_inactive_case_gets_nothing(channel: Channel, status: CaseStatus) -> None:
    assert after_drop(make_case(status=status), make_interaction(channel), NOW, POLICY) == DropOutcome(None, None)


@pytest.mark.parametrize("minutes", [1, 15, 30, 90, 1440])
def test_callback_due_follows_the_policy(minutes: int) -> None:
    outcome = after_drop(make_case(), make_interaction(), NOW, ContinuityPolicy(callback_minutes=minutes))
    assert outcome.callback_due == NOW + dt.timedelta(minutes=minutes)


def test_after_drop_does_not_change_the_case_itself() -> None:
    case = make_case(status=CaseStatus.IN_PROGRESS)
    after_drop(case, make_interaction(), NOW, POLICY)
    assert case.status is CaseStatus.IN_PROGRESS


# --- check_merge --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target_status", ACTIVE)
@pytest.mark.parametrize("source_status", list(CaseStatus))
def test_merge_of_two_cases_of_one_citizen_into_an_active_target(
    target_status: CaseStatus, source_status: CaseStatus
) -> None:
    check_merge(make_case(status=target_status), make_case(status=source_status))


def test_merge_into_itself_is_rejected() -> None:
    case = make_case()
    with pytest.raises(MergeRejected, match="itself") as caught:
        check_merge(case, case)
    assert caught.value.code == "merge-rejected"
    # the same stored case loaded twice is still the same case
    with pytest.raises(MergeRejected, match="itself"):
        check_merge(make_case(case_id=900), make_case(case_id=900))


def test_merge_across_citizens_is_rejected() -> None:
    with pytest.raises(MergeRejected, match="same citizen"):
        check_merge(make_case(citizen_id=1), make_case(citizen_id=2))


def test_merge_of_an_already_merged_source_is_rejected() -> None:
    with pytest.raises(MergeRejected, match="already been merged"):
        check_merge(make_case(), make_case(status=CaseStatus.CLOSED, merged_into="2025-ACRC110-1"))


def test_merge_into_an_already_merged_target_is_rejected() -> None:
    with pytest.raises(MergeRejected, match="already been merged"):
        check_merge(make_case(merged_into="2025-ACRC110-1"), make_case())


@pytest.mark.parametrize("status", INACTIVE)
def test_merge_into_an_inactive_target_is_rejected(status: CaseStatus) -> None:
    with pytest.raises(MergeRejected, match=f"target case is {status}; reopen it first"):
        check_merge(make_case(status=status), make_case())


def test_merge_checks_in_order_self_then_citizen_then_merged_then_target_status() -> None:
    case = make_case(status=CaseStatus.CLOSED, merged_into="2025-ACRC110-1")
    with pytest.raises(MergeRejected, match="itself"):
        check_merge(case, case)
    with pytest.raises(MergeRejected, match="same citizen"):
        check_merge(make_case(citizen_id=1, status=CaseStatus.CLOSED), make_case(citizen_id=2, merged_into="x"))
    with pytest.raises(MergeRejected, match="already been merged"):
        check_merge(make_case(status=CaseStatus.CLOSED), make_case(merged_into="x"))


# --- check_link ---------------------------------------------------------------------------------------------


def make_complaint(citizen_id: int | None = 7, case_id: int | None = None) -> Complaint:
    return Complaint(
        sinmungo_id="1AA-2506-0000001",
        received_at=NOW,
        title="불법 주정차 단속 요청",
        citizen_id=citizen_id,
        case_id=case_id,
    )


def test_link_to_a_case_of_the_same_citizen() -> None:
    check_link(make_case(citizen_id=7), make_complaint(citizen_id=7))


def test_linking_again_to_the_same_case_is_allowed() -> None:
    case = make_case(citizen_id=7)
    check_link(case, make_complaint(citizen_id=7, case_id=case.id))


@pytest.mark.parametrize("status", list(CaseStatus))
def test_link_does_not_depend_on_case_status(status: CaseStatus) -> None:
    check_link(make_case(status=status), make_complaint())


def test_link_of_a_complaint_without_citizen_is_rejected() -> None:
    with pytest.raises(LinkRejected, match="identify the complainant") as caught:
        check_link(make_case(), make_complaint(citizen_id=None))
    assert caught.value.code == "link-rejected"


def test_link_to_another_citizens_case_is_rejected() -> None:
    with pytest.raises(LinkRejected, match="another citizen"):
        check_link(make_case(citizen_id=7), make_complaint(citizen_id=8))


def test_link_of_a_complaint_linked_elsewhere_is_rejected() -> None:
    case = make_case(citizen_id=7)
    with pytest.raises(LinkRejected, match="another case"):
        check_link(case, make_complaint(citizen_id=7, case_id=(case.id or 0) + 1))
