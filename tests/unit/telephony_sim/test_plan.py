"""The simulator's pure decisions: call loads, bots' handle times, transfers and notes."""

from __future__ import annotations

import random
import statistics
from pathlib import Path

import pytest

from kernel.errors import ValidationFailed
from telephony.sim.plan import NOTES, BotBrain, BotPolicy, CenterLoad, caller_numbers
from telephony.sim.service import caller_scenario


def test_handle_times_are_lognormal_with_the_policy_mean_and_never_below_the_minimum() -> None:
    brain = BotBrain(BotPolicy(handle_mean_s=40, handle_sd_s=20, min_talk_s=5), random.Random(7))
    times = [brain.handle_time() for _ in range(20000)]
    assert min(times) >= 5
    assert statistics.mean(times) == pytest.approx(40, rel=0.05)
    assert statistics.median(times) < statistics.mean(times), "a right tail, like real handle times"


def test_bots_transfer_the_policy_share_and_never_to_their_own_center() -> None:
    targets = (("ACRC110", "general"), ("NTS126", "general"))
    brain = BotBrain(BotPolicy(transfer_share=0.3, transfer_targets=targets), random.Random(3))
    decisions = [brain.decide("ACRC110") for _ in range(5000)]
    moved = [d for d in decisions if d.transfer_to is not None]
    assert len(moved) / len(decisions) == pytest.approx(0.3, abs=0.03)
    assert {d.transfer_to for d in moved} == {("NTS126", "general")}
    assert {d.notes for d in decisions} <= set(NOTES)


def test_no_transfer_when_the_only_target_is_the_bots_own_center() -> None:
    brain = BotBrain(BotPolicy(transfer_share=1.0, transfer_targets=(("NTS126", "general"),)), random.Random(1))
    assert all(brain.decide("NTS126").transfer_to is None for _ in range(100))


@pytest.mark.parametrize(
    ("number", "rate", "keys", "says"),
    [("1l0", 1.0, "0", "digits"), ("110", 0.0, "0", "per minute"), ("110", 1.0, "", "DTMF"), ("110", 1, "x", "DTMF")],
)
def test_a_bad_center_load_is_refused_with_the_reason(number: str, rate: float, keys: str, says: str) -> None:
    with pytest.raises(ValidationFailed, match=says):
        CenterLoad("ACRC110", number, rate, keys)


def test_callers_are_mostly_known_citizens_and_some_strangers() -> None:
    known = ["01050000001", "01050000002"]
    numbers = caller_numbers(2000, random.Random(5), known)
    share = sum(n in known for n in numbers) / len(numbers)
    assert share == pytest.approx(0.7, abs=0.04)
    assert all(n.isdigit() and n.startswith("010") and len(n) == 11 for n in numbers)


def test_caller_scenarios_wait_for_the_agent_or_lose_the_line() -> None:
    load = CenterLoad("NTS126", "126", 2.0, "0")
    talking = caller_scenario(load, Path("/tmp/x.wav"), 10.0, dropping=False)
    dropping = caller_scenario(load, Path("/tmp/x.wav"), 10.0, dropping=True)
    assert "INVITE sip:126@" in talking and "[field0]" in talking
    assert 'recv request="BYE"' in talking and "Reason: Q.850" not in talking
    assert "Reason: Q.850;cause=41" in dropping
    assert "dtmf_2833_0.pcap" in talking and 'pause milliseconds="10000"' in talking
