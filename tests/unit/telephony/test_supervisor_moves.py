"""A supervisor moves a logged-in agent between queues (``Acd.agent_skills``): the next match uses the new
skills at once (a caller already waiting in the new queue is offered to them), the old queue no longer."""

from __future__ import annotations

import pytest

from kernel.errors import ValidationFailed
from telephony.acd import CallOffered
from tests.unit.telephony.world import TAX, at, make_acd, only, ready


def test_a_moved_agent_is_offered_the_caller_waiting_in_the_new_queue() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"customs": 1}, at(0))
    assert only(acd.call_arrived("c1", TAX, at(1)), CallOffered) == []  # nobody with tax
    events = acd.agent_skills("kim", {"tax": 3}, at(2))
    assert only(events, CallOffered) == [CallOffered("c1", "kim", TAX)]
    assert acd.agent("kim").skills == {"tax": 3}


def test_skills_must_be_given_with_levels_from_one() -> None:
    acd = make_acd()
    ready(acd, "kim", "NTS126", {"tax": 1}, at(0))
    for bad in ({}, {"tax": 0}):
        with pytest.raises(ValidationFailed):
            acd.agent_skills("kim", bad, at(1))
    assert acd.agent("kim").skills == {"tax": 1}
