"""The agent's softphone process against a real Kamailio edge, with real SIP and RTP over loopback.

The far end is what a media worker is to the edge: a SIPp UAC bound to an address in the edge's
dispatcher set, so the edge routes its INVITE (``route[FROM_WORKER]``) to the agent's registered contact.
"""

from __future__ import annotations

import json
import math
import wave
from collections.abc import Callable
from pathlib import Path

import pytest

from telephony.edge.settings import EdgeConfig
from telephony.edge.tables import Subscriber, WorkerAddress
from tests.integration.telephony_edge.harness import RunningEdge
from tests.integration.telephony_media.support import read_samples, tone_power
from tests.integration.telephony_phones.support import (
    PhoneProcess,
    Uac,
    start_sipp,
    worker_call,
    worker_call_refused,
)

pytestmark = pytest.mark.integration

Ports = Callable[[], int]
Edges = Callable[..., RunningEdge]
Phones = Callable[..., PhoneProcess]

CASE_HEADERS = {
    "X-Sori-Case": "2026-ACRC110-000042",
    "X-Sori-Center": "ACRC110",
    "User-to-User": "3032362d414352433131302d303030303432;encoding=hex",
    "X-Unrelated": "not reported",
}


def _edge(edges: Edges, ports: Ports, worker: WorkerAddress, subscribers: list[Subscriber]) -> RunningEdge:
    return edges(EdgeConfig(port=ports(), children=2, shared_memory_mb=32), [worker], subscribers)


def _rms(samples: list[int]) -> float:
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def test_agents_register_and_a_wrong_password_is_refused(
    edges: Edges, ports: Ports, phones: Phones, tones: dict[str, Path]
) -> None:
    worker = WorkerAddress("127.0.0.1", ports())
    edge = _edge(edges, ports, worker, [Subscriber("kim", "pw-kim"), Subscriber("lee", "pw-lee")])
    agents = [
        {"login": "kim", "password": "pw-kim"},
        {"login": "lee", "password": "pw-lee"},
        {"login": "park", "password": "not-a-subscriber"},
    ]
    phone = phones(["--edge", edge.address, "--port", "0", "--wav", str(tones["agent"])], agents)

    ready = phone.wait("ready")
    assert ready["logins"] == ["kim", "lee", "park"] and ready["port"] > 0
    assert phone.wait("registered", login="kim")["code"] == 200
    assert phone.wait("registered", login="lee")["code"] == 200
    assert phone.wait("registration-failed", login="park")["code"] in (401, 403)
    assert phone.proc.poll() is None

    # Stdin closing (the parent went away) ends the phone cleanly: registrations withdrawn, library destroyed.
    assert phone.proc.stdin is not None
    phone.proc.stdin.close()
    assert phone.exit_code() == 0, phone.stderr()
    assert {e["login"] for e in phone.log.matching("unregistered")} == {"kim", "lee"}
    assert phone.log.events[-1] == {"event": "stopped"}


def test_a_worker_call_is_answered_recorded_and_hung_up(
    edges: Edges, ports: Ports, phones: Phones, tones: dict[str, Path], workdir: Path, uacs: list[Uac]
) -> None:
    worker = WorkerAddress("127.0.0.1", ports())
    edge = _edge(edges, ports, worker, [Subscriber("kim", "pw-kim"), Subscriber("lee", "pw-lee")])
    record_dir = workdir / "recordings"
    agents = [
        {"login": "kim", "password": "pw-kim", "answer_after_s": 0.3, "talk_s": 2.0},
        {"login": "lee", "password": "pw-lee", "answer_after_s": 0, "talk_s": None},
    ]
    wav, port = str(tones["agent"]), str(ports())
    phone = phones(["--edge", edge.address, "--port", port, "--wav", wav, "--record-dir", str(record_dir)], agents)
    phone.wait("registered", login="kim")
    phone.wait("registered", login="lee")

    # Malformed commands are answered with an error event, one each, and change nothing.
    bad = [
        "not json",
        "[1, 2]",
        '{"cmd": "fly"}',
        '{"cmd": "hangup"}',
        '{"cmd": "hangup", "login": "kim"}',
        '{"cmd": "dtmf", "login": "kim", "digits": "x"}',
        '{"cmd": "hangup", "login": "nobody"}',
        "\x00\x7f{",
    ]
    for line in bad:
        phone.send(line)
    errors = phone.log.wait("error", count=len(bad))
    reasons = [e["reason"] for e in errors]
    assert reasons[:3] == ["not a JSON object", "not a JSON object", "unknown cmd 'fly' (hangup, dtmf, quit)"]
    assert reasons[3:7] == [
        "hangup: login missing",
        "kim is not on a call",
        "dtmf: digits must be 1 to 32 of 0-9 * # A-D",
        "no agent 'nobody' in this phone",
    ]
    assert reasons[7] == "not a JSON object"
    assert phone.proc.poll() is None

    # A call to kim, who answers after 0.3 s and hangs up after talking 2 s.
    scenario = worker_call("kim", CASE_HEADERS, tones["caller"], phone_hangs_up=True)
    uac = start_sipp(workdir, edge.address, scenario, worker.port, ports())
    uacs.append(uac)
    incoming = phone.wait("incoming", login="kim")
    assert incoming["headers"] == {k: v for k, v in CASE_HEADERS.items() if k != "X-Unrelated"}
    answered = phone.wait("answered", login="kim")
    assert answered["call_id"] == incoming["call_id"]
    ended = phone.wait("ended", login="kim", timeout=15)
    assert uac.wait(timeout=15) == 0, uac.explain()  # the scenario requires the phone's BYE
    assert ended["call_id"] == incoming["call_id"] and ended["by"] == "phone"
    assert 1.9 <= ended["seconds"] <= 2.5
    assert ended["recording"] == str(record_dir / "kim-1.wav")
    with wave.open(ended["recording"]) as recording:
        assert (recording.getnchannels(), recording.getsampwidth(), recording.getframerate()) == (1, 2, 8000)
        seconds = recording.getnframes() / recording.getframerate()
    assert 1.7 <= seconds <= 2.6, seconds
    samples, rate = read_samples(Path(ended["recording"]))
    heard = samples[rate // 2 : -rate // 4]  # past the first RTP packets' jitter buffering
    assert _rms(heard) > 1000, "the recording is silent"
    assert tone_power(heard, rate, 1000) > 20 * tone_power(heard, rate, 440)  # the caller's tone, not its own

    # lee talks until told otherwise: keys, then a hang-up command.
    scenario = worker_call("lee", {}, tones["caller"], phone_hangs_up=True)
    uac = start_sipp(workdir, edge.address, scenario, worker.port, ports())
    uacs.append(uac)
    phone.wait("answered", login="lee")
    assert phone.wait("incoming", login="lee")["headers"] == {}
    errors_before = len(phone.log.matching("error"))
    phone.send(json.dumps({"cmd": "dtmf", "login": "lee", "digits": "12#"}))
    phone.send(json.dumps({"cmd": "hangup", "login": "lee"}))
    ended = phone.wait("ended", login="lee")
    assert uac.wait(timeout=15) == 0, uac.explain()
    assert ended["by"] == "phone" and ended["recording"] == str(record_dir / "lee-1.wav")
    assert len(phone.log.matching("error")) == errors_before

    phone.send(json.dumps({"cmd": "quit"}))
    assert phone.exit_code() == 0, phone.stderr()
    assert phone.log.events[-1] == {"event": "stopped"}
    assert all(json.loads(line) for line in phone.raw)  # stdout carried events only


def test_the_far_end_hanging_up_ends_the_call(
    edges: Edges, ports: Ports, phones: Phones, tones: dict[str, Path], workdir: Path, uacs: list[Uac]
) -> None:
    worker = WorkerAddress("127.0.0.1", ports())
    edge = _edge(edges, ports, worker, [Subscriber("kim", "pw-kim")])
    phone = phones(["--edge", edge.address, "--wav", str(tones["agent"])], [{"login": "kim", "password": "pw-kim"}])
    phone.wait("registered", login="kim")

    scenario = worker_call("kim", {"X-Sori-Case": "2026-NTS126-000007"}, tones["caller"], False, hold_ms=1000)
    uac = start_sipp(workdir, edge.address, scenario, worker.port, ports())
    uacs.append(uac)
    assert uac.wait(timeout=15) == 0, uac.explain()
    ended = phone.wait("ended", login="kim")
    assert ended["by"] == "far-end" and ended["recording"] is None
    assert 0.8 <= ended["seconds"] <= 1.6
    phone.proc.terminate()  # SIGTERM: a clean stop too
    assert phone.exit_code() == 0, phone.stderr()
    assert phone.log.events[-1] == {"event": "stopped"}


def test_four_agents_talk_at_once_and_a_busy_agent_refuses_a_second_call(
    edges: Edges, ports: Ports, phones: Phones, tones: dict[str, Path], workdir: Path, uacs: list[Uac]
) -> None:
    """pjsua2-python's limit is 4 calls per process: one per agent, all at once; quitting ends them all."""
    workers = [WorkerAddress("127.0.0.1", ports()) for _ in range(6)]
    logins = ["a1", "a2", "a3", "a4"]
    edge = edges(
        EdgeConfig(port=ports(), children=2, shared_memory_mb=32),
        workers,
        [Subscriber(login, f"pw-{login}") for login in logins],
    )
    agents = [{"login": login, "password": f"pw-{login}", "answer_after_s": 0.1} for login in logins]
    phone = phones(["--edge", edge.address, "--wav", str(tones["agent"]), "--register-gap", "0.1"], agents)
    for login in logins:
        phone.wait("registered", login=login)

    def call(login: str, worker: WorkerAddress) -> None:
        scenario = worker_call(login, {"X-Sori-Case": f"case-{login}"}, tones["caller"], phone_hangs_up=True)
        uacs.append(start_sipp(workdir, edge.address, scenario, worker.port, ports()))

    def refused(login: str, worker: WorkerAddress) -> None:
        busy = start_sipp(workdir, edge.address, worker_call_refused(login, 486), worker.port, ports())
        assert busy.wait() == 0, busy.explain()

    for login, worker in zip(logins[:3], workers, strict=False):
        call(login, worker)
    phone.log.wait("answered", count=3, timeout=15)
    refused("a1", workers[3])  # a1 is on a call: the phone refuses the second one itself
    assert phone.wait("refused", login="a1")["code"] == 486
    call("a4", workers[4])
    answered = phone.log.wait("answered", count=4, timeout=15)
    assert sorted(e["login"] for e in answered) == logins
    refused("a2", workers[5])  # 4 calls: pjsua2 refuses a fifth before the phone sees it
    assert len(phone.log.matching("refused")) == 1

    phone.send(json.dumps({"cmd": "quit"}))
    assert phone.exit_code() == 0, phone.stderr()
    for uac in uacs[:4]:
        assert uac.wait() == 0, uac.explain()  # each caller got its BYE
    ended = phone.log.matching("ended")
    assert sorted(e["login"] for e in ended) == logins and {e["by"] for e in ended} == {"phone"}
    assert phone.log.events[-1] == {"event": "stopped"}


def test_more_than_four_agents_are_refused(phones: Phones, tones: dict[str, Path]) -> None:
    agents = [{"login": f"agent{i}", "password": "pw"} for i in range(5)]
    phone = phones(["--edge", "127.0.0.1:9", "--wav", str(tones["agent"])], agents)
    assert phone.exit_code() == 2
    (error,) = phone.log.events
    assert error["event"] == "error" and error["fatal"] is True
    assert "at most 4" in error["reason"]
    assert "at most 4" in phone.stderr()
