"""The phone fleet as a Twisted service, in the test session's reactor thread, against a real Kamailio edge."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from telephony.edge.settings import EdgeConfig
from telephony.edge.tables import Subscriber, WorkerAddress
from telephony.phones.fleet import PhoneFleet, PhoneGone, RegistrationFailed, UnknownAgent
from telephony.phones.protocol import AgentPhone
from tests.integration.telephony_edge.harness import RunningEdge
from tests.integration.telephony_phones.support import EventLog, Uac, start_sipp, worker_call
from tests.support import reactor as rt

pytestmark = pytest.mark.integration

Ports = Callable[[], int]
Edges = Callable[..., RunningEdge]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); a reaped or dead process does not count as alive.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


def _outcome(d: Any, timeout: float = 10) -> Any:
    """The result of a Deferred made on the reactor thread, or the exception it failed with."""

    def make() -> Any:
        return d().addTimeout(timeout, rt.reactor).addErrback(lambda f: f.value)

    return rt.call(make)


@pytest.fixture
def fleets() -> Any:
    started: list[PhoneFleet] = []
    yield started
    for fleet in started:
        if fleet.running:
            rt.call(fleet.stopService)


def test_fleet_groups_agents_by_four_registers_them_and_stops_every_phone(
    edges: Edges, ports: Ports, tones: dict[str, Path], workdir: Path, fleets: list[PhoneFleet], uacs: list[Uac]
) -> None:
    worker = WorkerAddress("127.0.0.1", ports())
    logins = ["a1", "a2", "a3", "a4", "a5"]
    edge = edges(
        EdgeConfig(port=ports(), children=2, shared_memory_mb=32),
        [worker],
        [Subscriber(login, f"pw-{login}") for login in logins],
    )
    agents = [AgentPhone(login, f"pw-{login}", answer_after_s=0.1, talk_s=1.0) for login in logins[:4]]
    agents.append(AgentPhone("a5", "wrong password"))
    events = EventLog()
    fleet = PhoneFleet("127.0.0.1", edge.config.port, tones["agent"], workdir / "phones", rt.reactor, agents=agents)
    fleet.on_event.append(events.add)
    fleets.append(fleet)
    rt.call(fleet.startService)

    for login in logins[:4]:
        registered = _outcome(lambda login=login: fleet.registered(login))
        assert registered["event"] == "registered" and registered["code"] == 200, registered
    refused = _outcome(lambda: fleet.registered("a5"))
    assert isinstance(refused, RegistrationFailed) and refused.code in (401, 403), refused
    assert isinstance(_outcome(lambda: fleet.registered("nobody")), UnknownAgent)
    assert rt.call(lambda: fleet.is_registered("a1")) is True
    assert isinstance(_outcome(lambda: fleet.registered("a1")), dict)  # already registered: at once

    # Two processes, four agents and one; every event is tagged with the process it came from.
    ready = events.wait("ready", count=2)
    assert sorted((e["phone"], tuple(e["logins"])) for e in ready) == [
        ("phones-1", ("a1", "a2", "a3", "a4")),
        ("phones-2", ("a5",)),
    ]
    pids = rt.call(fleet.pids)
    assert len(pids) == 2 and all(_alive(pid) for pid in pids)
    for pid in pids:  # the SIP passwords went to the phones on stdin, never on their command lines (ps shows argv)
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        assert b"telephony.phones.softphone" in cmdline and b"pw-" not in cmdline and b"wrong" not in cmdline

    # A call through the edge to a4 (the first process's last agent): it answers, talks 1 s and hangs up.
    uac = start_sipp(workdir, edge.address, worker_call("a4", {"X-Sori-Case": "C-1"}, tones["caller"], True),
                     worker.port, ports())  # fmt: skip
    uacs.append(uac)
    assert events.wait("incoming", login="a4")[0]["headers"] == {"X-Sori-Case": "C-1"}
    assert uac.wait(timeout=15) == 0, uac.explain()
    assert events.wait("ended", login="a4")[0]["by"] == "phone"

    # Commands reach the right process; one for an agent with no call is answered with an error event.
    rt.call(fleet.hangup, "a2")
    assert events.wait("error", phone="phones-1")[0]["reason"] == "a2 is not on a call"
    with pytest.raises(UnknownAgent):
        rt.call(fleet.hangup, "nobody")

    started = time.monotonic()
    rt.call(fleet.stopService)
    assert time.monotonic() - started < 5
    assert not any(_alive(pid) for pid in pids)
    exited = events.wait("exited", count=2)
    assert {(e["code"], e["signal"]) for e in exited} == {(0, None)}  # SIGTERM handled: a clean exit
    assert isinstance(_outcome(lambda: fleet.registered("a1")), PhoneGone)
    assert rt.call(lambda: fleet.is_registered("a1")) is False


def test_a_fleet_started_before_its_edge_keeps_its_phones(
    ports: Ports, tones: dict[str, Path], workdir: Path, fleets: list[PhoneFleet]
) -> None:
    """No edge answers: the phone keeps trying, runs on its configured port and stops cleanly mid-REGISTER."""
    fleet = PhoneFleet("127.0.0.1", ports(), tones["agent"], workdir / "phones", rt.reactor, port_base=ports())
    fleet.add([AgentPhone("kim", "pw")])
    events = EventLog()
    fleet.on_event.append(events.add)
    fleets.append(fleet)
    rt.call(fleet.startService)
    (ready,) = events.wait("ready")
    assert ready["port"] == fleet.port_base
    with pytest.raises(ValueError, match="already in the fleet"):
        fleet.add([AgentPhone("kim", "pw")])
    (pid,) = rt.call(fleet.pids)
    (waiting,) = rt.call(lambda: [fleet.registered("kim")])  # not fired: the REGISTER is still retransmitted
    started = time.monotonic()
    rt.call(fleet.stopService)
    assert time.monotonic() - started < 5
    assert not _alive(pid)
    assert isinstance(_outcome(lambda: waiting), PhoneGone)
    assert isinstance(_outcome(lambda: fleet.registered("kim")), PhoneGone)
