"""Who may read a citizen's data, for what purpose and how much of it: every branch of the access policy."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from crm.access.model import Purpose, Scope
from crm.access.policy import MIN_REASON, AccessDecision, decide_citizen_access, visible_detail
from crm.cases.model import Channel, Interaction
from crm.errors import Forbidden, NotServing, ReasonRequired
from kernel.actor import Actor, Role

NOW = dt.datetime(2025, 6, 10, 1, 0, tzinfo=dt.UTC)
AGENT = Actor(center_code="ACRC110", role=Role.AGENT, login="kim", agent_id=1)
SUPERVISOR = Actor(center_code="ACRC110", role=Role.SUPERVISOR, login="sup", agent_id=2)
ADMIN = Actor(center_code="ACRC110", role=Role.ADMIN, login="root", agent_id=3)
ANALYST = Actor(center_code="ACRC110", role=Role.ANALYST, login="ana", agent_id=4)
READERS = [AGENT, SUPERVISOR, ADMIN]
REQUESTS = [None, *Purpose]
REASON = "민원 이력 확인"


def serving(verified: bool, interaction_id: int = 42, method: str = "resident-number") -> Interaction:
    return Interaction(
        channel=Channel.INBOUND_CALL,
        center_code="ACRC110",
        started_at=NOW,
        citizen_id=7,
        agent_id=1,
        verified_at=NOW if verified else None,
        verified_by=1 if verified else None,
        verified_method=method if verified else None,
        id=interaction_id,
    )


# --- serving --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", READERS, ids=lambda a: a.login)
@pytest.mark.parametrize("requested", [None, Purpose.SERVING])
def test_serving_verified_sees_all_centers(actor: Actor, requested: Purpose | None) -> None:
    decision = decide_citizen_access(actor, serving(verified=True), requested, None)
    assert decision == AccessDecision(Purpose.SERVING, Scope.ALL_CENTERS, None, 42)


@pytest.mark.parametrize("actor", READERS, ids=lambda a: a.login)
@pytest.mark.parametrize("requested", [None, Purpose.SERVING])
def test_serving_unverified_sees_a_summary_of_other_centers(actor: Actor, requested: Purpose | None) -> None:
    decision = decide_citizen_access(actor, serving(verified=False), requested, None)
    assert decision == AccessDecision(Purpose.SERVING, Scope.ALL_CENTERS_SUMMARY, None, 42)


def test_serving_needs_no_reason_but_keeps_one_given() -> None:
    decision = decide_citizen_access(AGENT, serving(verified=True), Purpose.SERVING, "  재확인  ")
    assert decision.reason == "재확인"
    assert decide_citizen_access(AGENT, serving(verified=True), None, "   ").reason is None


def test_serving_wins_over_own_center_record() -> None:
    decision = decide_citizen_access(AGENT, serving(verified=False), None, None, own_center_record=True)
    assert decision.purpose is Purpose.SERVING


@pytest.mark.parametrize("actor", READERS, ids=lambda a: a.login)
@pytest.mark.parametrize("reason", [None, REASON])
@pytest.mark.parametrize("own", [False, True])
def test_claiming_serving_without_a_serving_interaction_is_refused(actor: Actor, reason: str | None, own: bool) -> None:
    with pytest.raises(NotServing) as caught:
        decide_citizen_access(actor, None, Purpose.SERVING, reason, own_center_record=own)
    assert caught.value.code == "not-serving"
    assert isinstance(caught.value, Forbidden)


# --- no serving interaction: reason required --------------------------------------------------------------


@pytest.mark.parametrize("actor", READERS, ids=lambda a: a.login)
@pytest.mark.parametrize("requested", [None, Purpose.SEARCH, Purpose.REVIEW])
@pytest.mark.parametrize("reason", [None, "", "   ", "abc", " ab "])
def test_no_serving_and_no_reason_requires_a_reason(
    actor: Actor, requested: Purpose | None, reason: str | None
) -> None:
    with pytest.raises(ReasonRequired) as caught:
        decide_citizen_access(actor, None, requested, reason)
    assert caught.value.code == "reason-required"
    assert caught.value.details == {"min_length": MIN_REASON}


def test_minimum_reason_is_four_characters_after_stripping() -> None:
    assert MIN_REASON == 4
    with pytest.raises(ReasonRequired):
        decide_citizen_access(AGENT, None, Purpose.SEARCH, "  abc  ")
    decision = decide_citizen_access(AGENT, None, Purpose.SEARCH, "  abcd  ")
    assert decision.reason == "abcd"


@pytest.mark.parametrize("actor", READERS, ids=lambda a: a.login)
@pytest.mark.parametrize("requested", [None, Purpose.SEARCH])
def test_search_with_a_reason_sees_own_center(actor: Actor, requested: Purpose | None) -> None:
    decision = decide_citizen_access(actor, None, requested, REASON)
    assert decision == AccessDecision(Purpose.SEARCH, Scope.OWN_CENTER, REASON, None)


def test_explicit_search_while_serving_is_a_search() -> None:
    decision = decide_citizen_access(AGENT, serving(verified=True), Purpose.SEARCH, REASON)
    assert decision == AccessDecision(Purpose.SEARCH, Scope.OWN_CENTER, REASON, None)
    with pytest.raises(ReasonRequired):
        decide_citizen_access(AGENT, serving(verified=True), Purpose.SEARCH, None)


@pytest.mark.parametrize("requested", [None, Purpose.WORKLIST])
def test_reason_given_with_own_center_record_is_worklist_with_the_reason_kept(requested: Purpose | None) -> None:
    decision = decide_citizen_access(AGENT, None, requested, REASON, own_center_record=True)
    assert decision == AccessDecision(Purpose.WORKLIST, Scope.OWN_CENTER, REASON, None)


# --- review -------------------------------------------------------------------------------------------------


def test_supervisor_review_sees_own_center() -> None:
    decision = decide_citizen_access(SUPERVISOR, None, Purpose.REVIEW, REASON)
    assert decision == AccessDecision(Purpose.REVIEW, Scope.OWN_CENTER, REASON, None)


def test_admin_review_sees_all_centers() -> None:
    decision = decide_citizen_access(ADMIN, None, Purpose.REVIEW, REASON)
    assert decision == AccessDecision(Purpose.REVIEW, Scope.ALL_CENTERS, REASON, None)


def test_system_actor_reviews_as_admin() -> None:
    decision = decide_citizen_access(Actor.system("purge"), None, Purpose.REVIEW, "retention run")
    assert decision.scope is Scope.ALL_CENTERS


@pytest.mark.parametrize("with_serving", [False, True])
def test_agent_cannot_review(with_serving: bool) -> None:
    interaction = serving(verified=True) if with_serving else None
    with pytest.raises(Forbidden, match="supervisors and admins") as caught:
        decide_citizen_access(AGENT, interaction, Purpose.REVIEW, REASON)
    assert caught.value.code == "forbidden"


def test_review_needs_a_reason_even_for_admins() -> None:
    with pytest.raises(ReasonRequired):
        decide_citizen_access(ADMIN, None, Purpose.REVIEW, None)


# --- worklist -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", READERS, ids=lambda a: a.login)
@pytest.mark.parametrize("requested", [None, Purpose.WORKLIST])
def test_own_center_record_is_worklist_without_reason(actor: Actor, requested: Purpose | None) -> None:
    decision = decide_citizen_access(actor, None, requested, None, own_center_record=True)
    assert decision == AccessDecision(Purpose.WORKLIST, Scope.OWN_CENTER, None, None)


def test_blank_reason_counts_as_no_reason_for_worklist() -> None:
    decision = decide_citizen_access(AGENT, None, Purpose.WORKLIST, "  ", own_center_record=True)
    assert decision.purpose is Purpose.WORKLIST


@pytest.mark.parametrize("reason", [None, REASON])
def test_worklist_for_another_centers_record_is_forbidden(reason: str | None) -> None:
    with pytest.raises(Forbidden, match="does not belong to your center") as caught:
        decide_citizen_access(AGENT, None, Purpose.WORKLIST, reason, own_center_record=False)
    assert caught.value.code == "forbidden"


def test_worklist_while_serving_is_still_worklist() -> None:
    decision = decide_citizen_access(AGENT, serving(verified=True), Purpose.WORKLIST, None, own_center_record=True)
    assert decision == AccessDecision(Purpose.WORKLIST, Scope.OWN_CENTER, None, None)


# --- analysts -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interaction", "requested", "reason", "own"),
    list(itertools.product([None, serving(True), serving(False)], REQUESTS, [None, REASON], [False, True])),
)
def test_analyst_is_always_forbidden(
    interaction: Interaction | None, requested: Purpose | None, reason: str | None, own: bool
) -> None:
    with pytest.raises(Forbidden, match="analysts") as caught:
        decide_citizen_access(ANALYST, interaction, requested, reason, own_center_record=own)
    assert type(caught.value) is Forbidden
    assert caught.value.code == "forbidden"


# --- exhaustive: every input gives a decision or one of the typed refusals --------------------------------


@pytest.mark.parametrize(
    ("actor", "interaction", "requested", "reason", "own"),
    list(
        itertools.product(READERS, [None, serving(True), serving(False)], REQUESTS, [None, "ab", REASON], [False, True])
    ),
)
def test_decision_invariants(
    actor: Actor, interaction: Interaction | None, requested: Purpose | None, reason: str | None, own: bool
) -> None:
    try:
        decision = decide_citizen_access(actor, interaction, requested, reason, own_center_record=own)
    except (Forbidden, ReasonRequired):
        return
    # the full thread of every center only with a verified serving interaction, or an admin's review
    if decision.scope is Scope.ALL_CENTERS:
        assert (decision.purpose is Purpose.SERVING and interaction is not None and interaction.identity_verified) or (
            decision.purpose is Purpose.REVIEW and actor.role is Role.ADMIN
        )
    # serving is never granted without a serving interaction, and always points at it
    if decision.purpose is Purpose.SERVING:
        assert interaction is not None and decision.interaction_id == interaction.id
    else:
        assert decision.interaction_id is None
    # reads outside serving and own-center work always carry a reason
    if decision.purpose in (Purpose.SEARCH, Purpose.REVIEW):
        assert decision.reason is not None and len(decision.reason) >= MIN_REASON
    if decision.purpose is Purpose.WORKLIST:
        assert own and decision.scope is Scope.OWN_CENTER


# --- visible_detail -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "own_center", "item_centers", "expected"),
    [
        (Scope.ALL_CENTERS, "ACRC110", {"NTS126"}, "full"),
        (Scope.ALL_CENTERS, None, {"NTS126"}, "full"),
        (Scope.ALL_CENTERS, "ACRC110", set(), "full"),
        (Scope.ALL_CENTERS_SUMMARY, "ACRC110", {"ACRC110"}, "full"),
        (Scope.ALL_CENTERS_SUMMARY, "ACRC110", {"NTS126", "ACRC110"}, "full"),
        (Scope.ALL_CENTERS_SUMMARY, "ACRC110", {"NTS126"}, "summary"),
        (Scope.ALL_CENTERS_SUMMARY, None, {"NTS126"}, "summary"),
        (Scope.ALL_CENTERS_SUMMARY, "ACRC110", set(), "summary"),
        (Scope.OWN_CENTER, "ACRC110", {"ACRC110"}, "full"),
        (Scope.OWN_CENTER, "ACRC110", {"SEOUL120", "ACRC110"}, "full"),  # a hand-off involving us
        (Scope.OWN_CENTER, "ACRC110", {"NTS126"}, "hidden"),
        (Scope.OWN_CENTER, None, {"NTS126"}, "hidden"),
        (Scope.OWN_CENTER, "ACRC110", set(), "hidden"),
    ],
)
def test_visible_detail(scope: Scope, own_center: str | None, item_centers: set[str], expected: str) -> None:
    assert visible_detail(scope, own_center, item_centers) == expected


@pytest.mark.parametrize("method", ["birth-date-and-name", "identity-document", "simple-auth", "rrn"])
def test_a_check_recorded_on_the_agents_word_unlocks_nothing(method: str) -> None:
    """Contacts verified before evidence was required (the agent's attestation) count as unverified."""
    actor = Actor(center_code="ACRC110", role=Role.AGENT, login="kim", agent_id=1)
    decision = decide_citizen_access(actor, serving(verified=True, method=method), None, None)
    assert decision.scope is Scope.ALL_CENTERS_SUMMARY


@pytest.mark.parametrize("method", ["resident-number", "sms-code"])
def test_evidence_unlocks_all_centers(method: str) -> None:
    actor = Actor(center_code="ACRC110", role=Role.AGENT, login="kim", agent_id=1)
    assert decide_citizen_access(actor, serving(True, method=method), None, None).scope is Scope.ALL_CENTERS


def test_a_stated_reason_is_logged_without_the_numbers_that_identify_a_person() -> None:
    from crm.access.views import mask_reason

    assert mask_reason("민원인 900101-1234567 재문의, 010-1234-5678 회신") == (
        "민원인 ******-******* 재문의, 0**-****-**** 회신"
    )
    assert mask_reason("02 987 6543 확인") == "0**-****-**** 확인"
    assert mask_reason("2026년 3월 민원 12건 점검") == "2026년 3월 민원 12건 점검"
    assert mask_reason(None) is None
