"""The console screen-pop benchmark's code, small: three real SIPp calls through the desk rig to one agent signed
in to the console in headless Chromium, the agent's phone ringing 1.5 s before it answers; each call's caller and
timeline are drawn while it rings (``offer-pop`` for that call), and each call's own contact pops after the answer
with the caller's seeded history, by itself (no nudge). No timing is asserted (the target lives in
``bench.console_screen_pop``)."""

from __future__ import annotations

import pytest

from bench.console_screen_pop import run

pytestmark = pytest.mark.integration


def test_three_sip_calls_each_pop_while_ringing_and_then_their_own_contact() -> None:
    calls, seeded = run(calls=3, callers=2, ahead=1, ring_ms=1500, quiet=True)
    assert len(calls) == 3
    assert len({c.interaction_id for c in calls}) == 3 and len({c.call_id for c in calls}) == 3
    for call in calls:
        assert call.offer_items > 0 and call.offered <= call.offer_pop < call.answered, call  # drawn while ringing
        assert call.ringing_pop, call
        assert call.items >= seeded, call  # the caller's history, and the benchmark's earlier calls
        assert call.answered <= call.written <= call.pop <= call.frame, call
        assert call.contact <= call.pop and not call.lost, call
