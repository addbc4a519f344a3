"""Erlang C and Erlang A agree with a discrete-event simulation of the same queue.

Tolerance: each run simulates 3,000 hours (about 600,000 callers at 200 calls per hour, 0.4 s). Ten seeds of
such runs of each case below spread with a standard deviation of at most 0.005 in service level, 3.0 % in
ASA (the worst case, 12 agents at 83 % load), 0.0012 in abandonment and 0.0017 in occupancy (eight seeds,
measured once on 2026-12-07); the tolerances below are four to five of those deviations. The seeds are
fixed, so a run is reproducible.
"""

from __future__ import annotations

import pytest

from telephony.acd.kpi import SlVariant
from telephony.staffing import erlang_c as c
from telephony.staffing.erlang_a import erlang_a
from telephony.staffing.simulation import simulate

HOURS = 3000
SL_TOLERANCE = 0.02
ASA_RELATIVE = 0.13
ABANDON_TOLERANCE = 0.006
OCCUPANCY_TOLERANCE = 0.008


@pytest.mark.parametrize(("agents", "seed"), [(12, 11), (14, 12)])
def test_erlang_c_agrees_with_the_simulation(agents: int, seed: int) -> None:
    # 200 calls per hour × 180 s = 10 erlangs (the worked example's load)
    sim = simulate(200, 180, agents, 20, hours=HOURS, seed=seed)
    assert sim.offered > 500_000
    assert sim.abandoned == 0
    assert sim.service_level == pytest.approx(c.erlang_service_level(10, agents, 180, 20), abs=SL_TOLERANCE)
    assert sim.asa_seconds == pytest.approx(c.erlang_asa(10, agents, 180), rel=ASA_RELATIVE)
    assert sim.occupancy == pytest.approx(10 / agents, abs=OCCUPANCY_TOLERANCE)


@pytest.mark.parametrize(("agents", "patience", "seed"), [(8, 120, 21), (10, 120, 22), (12, 300, 23)])
def test_erlang_a_agrees_with_the_simulation(agents: int, patience: float, seed: int) -> None:
    # 8 agents for 10 erlangs: a queue Erlang C cannot describe (it grows without end) but Erlang A can.
    sim = simulate(200, 180, agents, 20, hours=HOURS, seed=seed, patience_seconds=patience)
    model = erlang_a(200, 3600, 180, patience, agents, 20, SlVariant.ABANDONS_AGAINST)
    assert sim.service_level == pytest.approx(model.service_level, abs=SL_TOLERANCE)
    assert sim.asa_seconds == pytest.approx(model.asa_seconds, rel=ASA_RELATIVE)
    assert sim.abandon_rate == pytest.approx(model.abandon_rate, abs=ABANDON_TOLERANCE)
    assert sim.occupancy == pytest.approx(model.occupancy, abs=OCCUPANCY_TOLERANCE)


def test_the_simulation_tells_the_two_models_apart() -> None:
    # The check has teeth: with 2-minute patience and 10 agents, Erlang C (which ignores abandons: it has no
    # steady state at all for 10 erlangs on 10 agents) is far off what the simulated queue does.
    sim = simulate(200, 180, 10, 20, hours=500, seed=3, patience_seconds=120)
    assert c.erlang_service_level(10, 10, 180, 20) == 0.0
    assert sim.service_level > 0.5
    assert sim.abandon_rate > 0.1


def test_a_run_is_reproducible_and_the_seed_matters() -> None:
    first = simulate(100, 180, 6, 20, hours=50, seed=7, patience_seconds=60)
    assert simulate(100, 180, 6, 20, hours=50, seed=7, patience_seconds=60) == first
    assert simulate(100, 180, 6, 20, hours=50, seed=8, patience_seconds=60) != first
