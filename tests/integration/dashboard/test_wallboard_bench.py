"""The wallboard benchmark's code, small: a few agents over every center, background CTI events, three probes
that reach the supervisor's screen in headless Chromium. No timing is asserted: the target lives in
``bench.wallboard``."""

from __future__ import annotations

import pytest

from bench.wallboard import run

pytestmark = pytest.mark.integration


def test_probes_reach_the_screen_under_background_load() -> None:
    outcome = run(agents=40, probes=3, rate=20.0, quiet=True)
    assert outcome.centers == 156
    assert outcome.missed == 0 and len(outcome.latencies_s) == 3
    assert outcome.background_events > 0
