"""Media workers under their pool, over real SIP and RTP on loopback.

SIPp plays the citizen, a pjsua2 process plays the agent's phone; the pool runs in the test
session's reactor thread and every worker is a real child process on a free port.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from telephony.media import protocol as p
from tests.integration.telephony_media.conftest import RunningPool
from tests.integration.telephony_media.support import (
    caller_scenario,
    read_samples,
    sipp_log,
    start_sipp,
    tone_power,
)
from tests.support import reactor as rt
from tests.support.postgres import free_port

pytestmark = pytest.mark.integration

AGENT_UA = Path(__file__).with_name("agent_ua.py")


def sipp_target(worker: Any) -> str:
    return str(worker.sip_uri).split("@", 1)[1]


def wait_exit(proc: Any, timeout: float) -> int:
    try:
        return int(proc.wait(timeout=timeout))
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"process {proc.args[0]} did not finish within {timeout}s") from None


def wait_ready(proc: Any, timeout: float = 10) -> None:
    """pjlib prints to stdout too: read until the agent's READY line (or give up)."""
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        if line.strip() == "READY":
            return
        if time.monotonic() > deadline:
            break
    raise AssertionError("the agent phone did not start")


def test_caller_hears_a_prompt_and_dials_a_digit(
    pool: RunningPool, workdir: Path, audio: dict[str, Path], processes: list[Any]
) -> None:
    worker = pool.first_worker()
    sipp_port = free_port()
    scenario = caller_scenario(hold_ms=3500, dtmf_pcap="/usr/share/sip-tester/dtmf_2833_5.pcap")
    sipp = start_sipp(workdir, sipp_target(worker), scenario, 1, sipp_port, free_port())
    processes.append(sipp)

    incoming = pool.log.wait("IncomingCall")[0]
    call_ref = incoming.args["call_ref"]
    assert incoming.worker_id == worker.worker_id
    assert incoming.args["headers"]["X-Sori-Dialled"] == "110"
    assert "01050000001" in incoming.args["from_uri"]
    pool.command(worker.worker_id, p.Answer, call_ref=call_ref)
    pool.log.wait("CallState", call_ref=call_ref, state="confirmed")
    pool.command(
        worker.worker_id, p.Play, call_ref=call_ref, wav_paths=[str(audio["prompt"])], loop=False, playback_id="greet"
    )

    digit = pool.log.wait("DtmfReceived", call_ref=call_ref)[0]
    assert digit.args["digit"] == "5"
    pool.log.wait("PlaybackDone", call_ref=call_ref, playback_id="greet", timeout=10)
    assert wait_exit(sipp, 20) == 0, sipp.stderr.read()
    ended = pool.log.wait("CallState", call_ref=call_ref, state="disconnected")[0]
    assert ended.args["code"] == 200
    assert len(pool.log.matching("DtmfReceived", call_ref=call_ref)) == 1
    health = pool.command(worker.worker_id, p.Health)
    assert health == {"calls": 0, "capacity": 4, "players": 0, "recorders": 0, "draining": False}


def test_errors_carry_stable_codes(pool: RunningPool) -> None:
    worker = pool.first_worker()
    with pytest.raises(p.CallNotFound):
        pool.command(worker.worker_id, p.Answer, call_ref="no-such-call")
    with pytest.raises(p.BadRequest):
        pool.command(worker.worker_id, p.Play, call_ref="x", wav_paths=[], loop=False, playback_id="x")
    assert {cls.code for cls in p.ERROR_CLASSES} >= {"call-not-found", "no-media", "capacity-exceeded"}


def test_caller_bridged_to_an_agent_is_recorded_both_ways(
    pool: RunningPool, workdir: Path, audio: dict[str, Path], processes: list[Any]
) -> None:
    worker = pool.first_worker()
    agent_port = free_port()
    agent = subprocess.Popen(
        [sys.executable, str(AGENT_UA), "--port", str(agent_port), "--wav", str(audio["agent_tone"])],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    processes.append(agent)
    wait_ready(agent)

    sipp_port = free_port()
    scenario = caller_scenario(hold_ms=6000, rtp_wav=str(audio["caller_tone"]))
    sipp = start_sipp(workdir, sipp_target(worker), scenario, 1, sipp_port, free_port())
    processes.append(sipp)
    caller = pool.log.wait("IncomingCall")[0].args["call_ref"]
    pool.command(worker.worker_id, p.Answer, call_ref=caller)
    pool.log.wait("CallState", call_ref=caller, state="confirmed")

    agent_leg = "agent-leg-1"
    dialled = pool.command(
        worker.worker_id,
        p.Dial,
        call_ref=agent_leg,
        target_uri=f"sip:agent@127.0.0.1:{agent_port}",
        headers={"User-to-User": "2026-ACRC110-17;encoding=text;purpose=sori-case"},
    )
    assert dialled["call_id"]
    pool.log.wait("CallState", call_ref=agent_leg, state="confirmed")
    recording = workdir / "recordings" / "bridge.wav"
    pool.command(worker.worker_id, p.StartRecording, call_ref=caller, path=str(recording))
    pool.command(worker.worker_id, p.Bridge, call_ref_a=caller, call_ref_b=agent_leg)
    time.sleep(2.5)
    stopped = pool.command(worker.worker_id, p.StopRecording, call_ref=caller)
    assert stopped["path"] == str(recording) and stopped["seconds"] >= 2.0

    samples, rate = read_samples(recording)
    agent_power = tone_power(samples, rate, 440)
    caller_power = tone_power(samples, rate, 1000)
    quiet = max(tone_power(samples, rate, f) for f in (700, 1700, 2500))
    assert agent_power > 50 * quiet, (agent_power, caller_power, quiet)
    assert caller_power > 50 * quiet, (agent_power, caller_power, quiet)

    pool.command(worker.worker_id, p.Hangup, call_ref=agent_leg)
    pool.log.wait("CallState", call_ref=agent_leg, state="disconnected")
    assert wait_exit(sipp, 20) == 0, sipp.stderr.read()
    pool.log.wait("CallState", call_ref=caller, state="disconnected")


def test_a_fifth_concurrent_call_is_refused(pool: RunningPool, workdir: Path, processes: list[Any]) -> None:
    worker = pool.first_worker()

    def answer(event: Any) -> None:
        if event.name == "IncomingCall":
            pool.pool.command(event.worker_id, p.Answer, call_ref=event.args["call_ref"])

    pool.log.reactions.append(answer)
    sipp_port = free_port()
    sipp = start_sipp(workdir, sipp_target(worker), caller_scenario(hold_ms=3000), 5, sipp_port, free_port())
    processes.append(sipp)
    assert wait_exit(sipp, 30) == 0, sipp.stderr.read()
    log = sipp_log(workdir, sipp_port)
    assert log.count("answered") == 4 and log.count("refused") == 1, log
    assert len(pool.log.matching("IncomingCall")) == 4
    pool.log.wait("CallState", state="disconnected", count=4)


def test_a_killed_worker_is_reported_and_replaced(pool: RunningPool, workdir: Path, processes: list[Any]) -> None:
    worker = pool.first_worker()
    sipp = start_sipp(workdir, sipp_target(worker), caller_scenario(hold_ms=20000), 1, free_port(), free_port())
    processes.append(sipp)
    call_ref = pool.log.wait("IncomingCall")[0].args["call_ref"]
    pool.command(worker.worker_id, p.Answer, call_ref=call_ref)
    pool.log.wait("CallState", call_ref=call_ref, state="confirmed")

    killed_at = time.monotonic()
    os.kill(worker.pid, signal.SIGKILL)
    lost = pool.log.wait_lost(timeout=5)
    assert time.monotonic() - killed_at < 5
    assert lost.worker_id == worker.worker_id and lost.call_refs == (call_ref,)
    hellos = pool.log.wait("Hello", count=2, timeout=15)
    assert hellos[-1].worker_id != worker.worker_id
    replacement = rt.call(lambda: [w.worker_id for w in pool.pool.ready_workers()])
    assert replacement == [hellos[-1].worker_id]


def test_stopping_the_pool_leaves_no_worker_behind(pool: RunningPool) -> None:
    pool.first_worker()
    spare = rt.call(pool.pool.spawn)
    pool.log.wait("Hello", worker_id=spare.worker_id, timeout=15)
    pids = rt.call(lambda: [w.pid for w in pool.pool.workers.values()])
    assert len(pids) == 2
    started = time.monotonic()
    pool.stop()
    assert time.monotonic() - started < 3, "workers should leave on SIGTERM, before the SIGKILL timeout"
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists(), f"worker {pid} still exists"
    assert rt.call(lambda: dict(pool.pool.workers)) == {}
    assert not pool.log.matching("WorkerLost")
