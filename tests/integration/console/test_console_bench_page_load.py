"""The console page-load benchmark's code, small: two loads of a logged-in agent's screen in headless Chromium,
each drawing the 50-item timeline of its own contact. No timing is asserted: the target lives in
``bench.console_page_load``."""

from __future__ import annotations

import pytest

from bench.console_page_load import TIMELINE_LIMIT, run

pytestmark = pytest.mark.integration


def test_two_loads_draw_the_fifty_item_timeline_of_their_own_contact() -> None:
    outcome = run(loads=2, quiet=True)
    assert outcome.seeded_items == TIMELINE_LIMIT
    assert len(outcome.loads) == 2
    assert len({x.interaction_id for x in outcome.loads}) == 2  # a new contact each load
    for load in outcome.loads:
        assert load.right_contact and load.items == TIMELINE_LIMIT, load
        assert load.fcp > 0 and load.drawn >= load.emitted > 0 and load.frame >= load.drawn, load
