"""The Twisted supervisor: starts Kamailio, notices it answer, restarts it after a crash, stops it for good.

Runs on the session's reactor thread (``tests.support.reactor``); that reactor has no
SIGCHLD handler, so the test reaps children with a LoopingCall as the handler would.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from twisted.internet import task
from twisted.internet.process import reapAllProcesses

from telephony.edge.process import EdgeService
from telephony.edge.settings import EdgeConfig
from tests.integration.telephony_edge.harness import number_plan, options
from tests.support import reactor as rt

pytestmark = pytest.mark.integration


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _wait(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_supervisor_restarts_a_crashed_kamailio_and_stops_it_cleanly(tmp_path: Path, ports: Callable[[], int]) -> None:
    port = ports()
    config = EdgeConfig(port=port, children=2, shared_memory_mb=32)
    edge = EdgeService(config, number_plan(), [], [], tmp_path / "edge", rt.reactor, stop_timeout=3, max_backoff=1)
    reaper = task.LoopingCall(reapAllProcesses)
    rt.call(lambda: reaper.start(0.05, now=False) and None)  # start() fires only when the loop stops
    try:
        rt.call(edge.startService)
        rt.call(edge.when_ready)
        first = edge.pid
        assert first is not None
        assert options(port) == "SIP/2.0 200 OK"

        os.kill(first, signal.SIGKILL)  # a crash: the supervisor must bring it back
        _wait(lambda: edge.pid not in (None, first))
        rt.call(edge.when_ready)
        assert edge.restarts == 1
        assert options(port) == "SIP/2.0 200 OK"
        assert (tmp_path / "edge" / "run" / "kamailio.pid").exists()
    finally:
        rt.call(edge.stopService)
        rt.call(reaper.stop)
    assert edge.pid is None
    _wait(lambda: _port_free(port))
    assert options(port, timeout=0.3) is None
