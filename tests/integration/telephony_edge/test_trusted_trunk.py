"""Only a configured trunk's calls reach a worker marked as trusted (``X-Sori-Trusted-Caller: 1``): the edge
adds the header for the trunk's source address and strips any copy a caller sends from elsewhere.

Real Kamailio and SIPp over loopback: 127.0.0.1 is the trunk, 127.0.0.2 a stranger on the network. Both
callers send the header themselves (as a spoofer would).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from telephony.edge.settings import EdgeConfig
from telephony.edge.tables import WorkerAddress
from tests.integration.telephony_edge.harness import RunningEdge, SippFactory, wait_for_udp_listener

pytestmark = pytest.mark.integration


def test_only_the_trunk_address_is_marked_trusted(
    edges: Callable[..., RunningEdge], sipp: SippFactory, ports: Callable[[], int]
) -> None:
    worker = WorkerAddress("127.0.0.1", ports())
    uas = sipp.run("worker_uas.xml", worker.port, calls=2)
    wait_for_udp_listener(worker.port)
    edge = edges(EdgeConfig(port=ports(), children=2, shared_memory_mb=32, trusted_trunks=("127.0.0.1",)), [worker])

    for source, caller in (("127.0.0.1", "01050000002"), ("127.0.0.2", "01050000004")):
        uac = sipp.run("caller_claims_trust.xml", ports(), edge.address, service="126", variables={"caller": caller},
                       local_ip=source)  # fmt: skip
        assert uac.wait() == 0, uac.explain()
    assert uas.wait() == 0, uas.explain()

    invites = re.findall(r"^INVITE sip:.*?\r?\n\r?\n", uas.trace_text(), flags=re.M | re.S)
    by_caller = {re.search(r"From: <sip:([^@]+)@", i).group(1): i for i in invites}  # type: ignore[union-attr]
    assert set(by_caller) == {"01050000002", "01050000004"}
    assert by_caller["01050000002"].count("X-Sori-Trusted-Caller") == 1  # the trunk's: the edge's own header
    assert "X-Sori-Trusted-Caller: 1" in by_caller["01050000002"]
    assert "X-Sori-Trusted-Caller" not in by_caller["01050000004"]  # the stranger's claim is stripped
