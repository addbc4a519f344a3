"""The SIP edge (Kamailio configured by Sori) with real SIP over loopback.

The media workers and agents' phones here are SIPp UAS processes: real SIP peers
with their own transactions, answering on their own ports exactly where a
pjsua2 worker or a phone would. Callers are SIPp UAC processes. Kamailio is
started from the same layout the supervisor uses, on free ports, in the test's
own state directory.
"""

from __future__ import annotations

import contextlib
import re
import socket
import time
from collections.abc import Callable

import pytest

from telephony.edge.settings import EdgeConfig, PikeConfig
from telephony.edge.tables import Subscriber, WorkerAddress
from tests.integration.telephony_edge.harness import RunningEdge, Sipp, SippFactory, options, wait_for_udp_listener
from tests.support.shared import shared_dir

pytestmark = pytest.mark.integration

RFC4475 = shared_dir() / "sip" / "rfc4475"
# Their point is UDP framing (trailing octets; RFC 2543 without Content-Length): meaningless on a stream.
UDP_ONLY = {"dblreq.dat", "inv2543.dat"}

Edges = Callable[..., RunningEdge]
Ports = Callable[[], int]


def _config(port: int, **overrides: object) -> EdgeConfig:
    return EdgeConfig(port=port, children=2, shared_memory_mb=32, **overrides)


def _workers(ports: Ports, count: int) -> list[WorkerAddress]:
    return [WorkerAddress("127.0.0.1", ports()) for _ in range(count)]


def _start_workers(sipp: SippFactory, workers: list[WorkerAddress], calls: int = 1) -> list[Sipp]:
    uas = [sipp.run("worker_uas.xml", w.port, calls=calls) for w in workers]
    for w in workers:
        wait_for_udp_listener(w.port)
    return uas


def _invites(trace: str) -> list[str]:
    """The INVITE requests in a SIPp message trace."""
    return re.findall(r"^INVITE sip:.*?\r?\n\r?\n", trace, flags=re.M | re.S)


def _wait(condition: Callable[[], bool], timeout: float = 5, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_center_numbers_reach_a_worker_with_sori_headers(edges: Edges, sipp: SippFactory, ports: Ports) -> None:
    workers = _workers(ports, 2)
    uas = _start_workers(sipp, workers, calls=2)
    edge = edges(_config(ports()), workers)

    calls = [("110", "0215551234"), ("120", "0312345678"), ("120", "01012345678"), ("15771000", "+82215551234")]
    for number, caller in calls:
        uac = sipp.run("caller.xml", ports(), edge.address, service=number, variables={"caller": caller})
        assert uac.wait() == 0, uac.explain()
    for server in uas:
        assert server.wait() == 0, server.explain()

    invites = [i for server in uas for i in _invites(server.trace_text())]
    assert len(invites) == 4
    assert all(len(_invites(server.trace_text())) == 2 for server in uas)  # round-robin over the two
    by_caller = {re.search(r"From: <sip:([^@]+)@", i).group(1): i for i in invites}  # type: ignore[union-attr]
    assert "X-Sori-Dialled: 110\n" in by_caller["0215551234"]
    assert "X-Sori-Center-Candidates: ACRC110\n" in by_caller["0215551234"]
    assert "X-Sori-Caller-Area: 02\n" in by_caller["0215551234"]
    assert "spoofed" not in by_caller["0215551234"]  # a caller's own X-Sori-* headers are removed
    assert "X-Sori-Center-Candidates: GYEONGGI120\n" in by_caller["0312345678"]
    mobile = by_caller["01012345678"]
    assert "X-Sori-Caller-Area" not in mobile
    candidates = re.search(r"X-Sori-Center-Candidates: (.*)\n", mobile).group(1).split(",")  # type: ignore[union-attr]
    assert set(candidates) == {
        "SEOUL120",
        "BUSAN120",
        "DAEGU120",
        "INCHEON120",
        "GWANGJU120",
        "ULSAN120",
        "GYEONGGI120",
    }
    assert "X-Sori-Dialled: 1577-1000\n" in by_caller["+82215551234"]
    assert "X-Sori-Caller-Area: 02\n" in by_caller["+82215551234"]


def test_unknown_number_gets_404(edges: Edges, sipp: SippFactory, ports: Ports) -> None:
    workers = _workers(ports, 1)
    (server,) = _start_workers(sipp, workers)
    edge = edges(_config(ports()), workers)

    uac = sipp.run(
        "caller_refused.xml", ports(), edge.address, service="9999", variables={"caller": "0215551234"}, code="404"
    )
    assert uac.wait() == 0, uac.explain()
    assert _invites(server.trace_text()) == []


def test_worker_call_cap_refuses_with_503_then_frees_the_slot(edges: Edges, sipp: SippFactory, ports: Ports) -> None:
    """Cap 1 per worker, two workers: a third concurrent call is refused 503 (Retry-After), not queued."""
    workers = _workers(ports, 2)
    uas = _start_workers(sipp, workers, calls=2)
    edge = edges(_config(ports(), worker_call_cap=1), workers)

    held = [
        sipp.run("caller.xml", ports(), edge.address, service="110", hold_ms=2500, variables={"caller": "0215550001"})
        for _ in range(2)
    ]
    _wait(lambda: all(edge.control.worker_calls(w) == 1 for w in workers), what="one call on each worker")
    refused = sipp.run(
        "caller_refused.xml", ports(), edge.address, service="110", variables={"caller": "0215550002"}, code="503"
    )
    assert refused.wait() == 0, refused.explain()
    assert "Retry-After: 5" in refused.trace_text()
    for uac in held:
        assert uac.wait() == 0, uac.explain()
    _wait(lambda: all(edge.control.worker_calls(w) == 0 for w in workers), what="slots released")

    again = sipp.run("caller.xml", ports(), edge.address, service="110", variables={"caller": "0215550003"})
    assert again.wait() == 0, again.explain()
    assert sum(len(_invites(s.trace_text())) for s in uas) == 3


def test_agent_registers_with_digest_and_a_worker_reaches_it(edges: Edges, sipp: SippFactory, ports: Ports) -> None:
    workers = _workers(ports, 1)
    agent_port = ports()
    agent = sipp.run("worker_uas.xml", agent_port)
    wait_for_udp_listener(agent_port)
    edge = edges(_config(ports()), workers, [Subscriber("kim", "s3cret pass")])

    # The scenario's first REGISTER has no credentials and requires a 401 challenge; the second must get 200.
    contact = {"contact_port": str(agent_port)}
    phone = sipp.run(
        "register.xml", ports(), edge.address, service="kim", variables=contact, auth=("kim", "s3cret pass")
    )
    assert phone.wait() == 0, phone.explain()
    trace = phone.trace_text()
    assert 'WWW-Authenticate: Digest realm="sori"' in trace
    assert "Authorization: Digest" in trace

    wrong = sipp.run("register.xml", ports(), edge.address, service="kim", variables=contact, auth=("kim", "guess"))
    assert wrong.wait() != 0  # a wrong password is challenged again, never 200
    assert "SIP/2.0 200" not in wrong.trace_text()

    # A caller cannot dial an agent directly; the media worker bridging a call can.
    direct = sipp.run(
        "caller_refused.xml", ports(), edge.address, service="kim", variables={"caller": "0215550009"}, code="404"
    )
    assert direct.wait() == 0, direct.explain()
    bridge = sipp.run("caller.xml", workers[0].port, edge.address, service="kim", variables={"caller": "worker"})
    assert bridge.wait() == 0, bridge.explain()
    assert agent.wait() == 0, agent.explain()
    (invite,) = _invites(agent.trace_text())
    assert invite.startswith(f"INVITE sip:kim@127.0.0.1:{agent_port}")


def test_pike_bans_a_flooding_source(edges: Edges, ports: Ports) -> None:
    edge = edges(_config(ports(), pike=PikeConfig(window_seconds=2, requests=5, ban_seconds=60)), [])

    answers = [options(edge.config.port, source_ip="127.0.0.2", timeout=0.3) for _ in range(20)]
    answered = [a for a in answers if a is not None]
    assert 1 <= len(answered) <= 8, answers
    assert answers[-5:] == [None] * 5
    time.sleep(1)
    assert options(edge.config.port, source_ip="127.0.0.2", timeout=0.5) is None  # still banned
    assert options(edge.config.port, source_ip="127.0.0.1") == "SIP/2.0 200 OK"  # others still served


def test_scanners_and_oversized_messages_are_dropped(edges: Edges, ports: Ports) -> None:
    edge = edges(_config(ports(), max_message_bytes=4096), [])
    port = edge.config.port
    for scanner in ("friendly-scanner", "sipvicious 0.3", "sipcli/v1.8"):
        assert options(port, source_ip="127.0.0.4", user_agent=scanner, timeout=0.5) is None
    assert options(port, source_ip="127.0.0.4") == "SIP/2.0 200 OK"
    assert options(port, source_ip="127.0.0.5", size=6000) == "SIP/2.0 513 Message Too Large"


def test_rfc4475_torture_messages_leave_the_edge_and_a_call_intact(
    edges: Edges, sipp: SippFactory, ports: Ports
) -> None:
    workers = _workers(ports, 1)
    (server,) = _start_workers(sipp, workers)
    edge = edges(_config(ports(), pike=PikeConfig(requests=10_000)), workers)
    call = sipp.run(
        "caller.xml", ports(), edge.address, service="110", hold_ms=3000, variables={"caller": "0215551234"}
    )
    _wait(lambda: "ACK sip:" in server.trace_text(), what="the call to be established")

    messages = sorted(RFC4475.glob("*.dat"))
    assert len(messages) == 49
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.3", 0))
        for path in messages:
            udp.sendto(path.read_bytes(), ("127.0.0.1", edge.config.port))
    for path in messages:
        if path.name in UDP_ONLY:
            continue
        with socket.create_connection(("127.0.0.1", edge.config.port), timeout=2) as tcp:
            tcp.sendall(path.read_bytes())
            tcp.settimeout(0.05)
            with contextlib.suppress(TimeoutError):
                tcp.recv(65535)

    assert call.wait() == 0, call.explain()  # the established call still ends with BYE/200
    assert server.wait() == 0, server.explain()
    assert edge.alive(), edge.log_text()[-3000:]
    assert options(edge.config.port) == "SIP/2.0 200 OK"


def test_dead_worker_dialogs_are_ended_with_bye(edges: Edges, sipp: SippFactory, ports: Ports) -> None:
    workers = _workers(ports, 1)
    (server,) = _start_workers(sipp, workers)
    edge = edges(_config(ports()), workers)
    caller = sipp.run("caller_waits_bye.xml", ports(), edge.address, service="110", variables={"caller": "0215551234"})
    _wait(lambda: [d.state for d in edge.control.worker_dialogs(workers[0])] == [4], what="a confirmed dialog")

    server.proc.kill()  # the worker dies without a word
    server.proc.wait(timeout=5)
    started = time.monotonic()
    assert edge.control.worker_dead(workers[0]) == 1
    assert caller.wait(timeout=10) == 0, caller.explain()  # the scenario fails if no BYE within 5 s
    assert time.monotonic() - started < 5
    assert "BYE sip:" in caller.trace_text()

    # The dead worker gets no new calls: with no other worker the caller is refused.
    refused = sipp.run(
        "caller_refused.xml", ports(), edge.address, service="110", variables={"caller": "0215550002"}, code="503"
    )
    assert refused.wait() == 0, refused.explain()


def test_a_new_agent_registers_without_restarting_the_edge(edges: Edges, sipp: SippFactory, ports: Ports) -> None:
    """Sori rewrites the subscriber table; db_text runs without a cache, so Kamailio reads it at once."""
    from telephony.edge.tables import write_subscribers

    edge = edges(_config(ports()), _workers(ports, 1), [Subscriber("kim", "s3cret pass")])
    contact = {"contact_port": str(ports())}
    before = sipp.run("register.xml", ports(), edge.address, service="lee", variables=contact, auth=("lee", "new one"))
    assert before.wait() != 0, "lee is not an agent yet"
    pid = edge.proc.pid
    write_subscribers(edge.paths.db, [Subscriber("kim", "s3cret pass"), Subscriber("lee", "new one")], "sori")
    after = sipp.run("register.xml", ports(), edge.address, service="lee", variables=contact, auth=("lee", "new one"))
    assert after.wait() == 0, after.explain()
    assert edge.alive() and edge.proc.pid == pid
    kim = sipp.run("register.xml", ports(), edge.address, service="kim", variables=contact, auth=("kim", "s3cret pass"))
    assert kim.wait() == 0, kim.explain()
