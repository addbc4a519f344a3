"""The case status machine, checked against a table written out here by hand."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.cases.status import ACTIVE, TRANSITIONS, CaseStatus, check_transition
from crm.errors import IllegalTransition

# Rows: from; columns: to. "x" marks a legal transition. Written independently of TRANSITIONS.
#
#                    open  in-prog  transf  waitcb  resolved  closed  reopened
_TABLE = """
open                  .      x       x       x        x        .        .
in-progress           .      .       x       x        x        .        .
transferred           .      x       x       x        x        .        .
waiting-callback      .      x       x       .        x        .        .
resolved              .      .       .       .        .        x        x
closed                .      .       .       .        .        .        x
reopened              .      x       x       x        x        .        .
"""
_COLUMNS = ("open", "in-progress", "transferred", "waiting-callback", "resolved", "closed", "reopened")


def _expected() -> set[tuple[str, str]]:
    legal: set[tuple[str, str]] = set()
    for line in _TABLE.strip().splitlines():
        name, *marks = line.split()
        assert len(marks) == len(_COLUMNS), line
        legal.update((name, to) for to, mark in zip(_COLUMNS, marks, strict=True) if mark == "x")
    return legal


EXPECTED = _expected()
ALL_PAIRS = list(itertools.product(CaseStatus, CaseStatus))


def test_the_table_names_every_status() -> None:
    assert {str(s) for s in CaseStatus} == set(_COLUMNS)
    assert {line.split()[0] for line in _TABLE.strip().splitlines()} == set(_COLUMNS)


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_every_pair_against_the_table(current: CaseStatus, target: CaseStatus) -> None:
    if (str(current), str(target)) in EXPECTED:
        check_transition(current, target)
        assert target in TRANSITIONS[current]
    else:
        with pytest.raises(IllegalTransition) as caught:
            check_transition(current, target)
        assert caught.value.code == "illegal-status-transition"
        assert caught.value.details == {"current": str(current), "target": str(target)}
        assert f"'{current}'" in caught.value.message and f"'{target}'" in caught.value.message


def test_transitions_table_has_exactly_the_expected_pairs() -> None:
    actual = {(str(a), str(b)) for a, targets in TRANSITIONS.items() for b in targets}
    assert actual == EXPECTED
    assert set(TRANSITIONS) == set(CaseStatus)


def test_closed_can_only_be_left_by_reopening() -> None:
    assert TRANSITIONS[CaseStatus.CLOSED] == {CaseStatus.REOPENED}
    for target in CaseStatus:
        if target is not CaseStatus.REOPENED:
            with pytest.raises(IllegalTransition):
                check_transition(CaseStatus.CLOSED, target)


def test_nothing_goes_back_to_open() -> None:
    for current in CaseStatus:
        with pytest.raises(IllegalTransition):
            check_transition(current, CaseStatus.OPEN)


def test_error_lists_what_is_allowed() -> None:
    with pytest.raises(IllegalTransition, match=r"allowed: closed, reopened"):
        check_transition(CaseStatus.RESOLVED, CaseStatus.IN_PROGRESS)


def test_active_statuses() -> None:
    assert {str(s) for s in ACTIVE} == {"open", "in-progress", "transferred", "waiting-callback", "reopened"}


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(list(CaseStatus)), st.lists(st.sampled_from(list(CaseStatus)), max_size=40))
def test_random_walks_accept_only_table_transitions(start: CaseStatus, attempts: list[CaseStatus]) -> None:
    status = start
    history = [status]
    for target in attempts:
        try:
            check_transition(status, target)
        except IllegalTransition as exc:
            assert (str(status), str(target)) not in EXPECTED
            assert exc.code == "illegal-status-transition"
            continue
        assert target in TRANSITIONS[status]
        assert (str(status), str(target)) in EXPECTED
        status = target
        history.append(status)
    # Whenever a walk reaches closed, the very next step taken out of it is a reopen.
    for before, after in itertools.pairwise(history):
        if before is CaseStatus.CLOSED:
            assert after is CaseStatus.REOPENED
