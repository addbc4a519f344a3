"""``sori up``'s helper processes (``sori.children.SupervisedProcess``): a helper that dies is started again,
one that says it cannot run as configured (status 2) is not, and stopping ends it with SIGTERM.

Runs on the session's reactor thread (``tests.support.reactor``); that reactor has no SIGCHLD handler, so
the test reaps children with a LoopingCall as the handler would.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from twisted.internet import task
from twisted.internet.process import reapAllProcesses

from sori.children import CANNOT_RUN, SupervisedProcess
from tests.support import reactor as rt

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def reaper() -> Iterator[None]:
    loop = task.LoopingCall(reapAllProcesses)
    rt.call(lambda: loop.start(0.05, now=False) and None)
    yield
    rt.call(loop.stop)


def _wait(condition: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _helper(tmp_path: Path, code: str) -> SupervisedProcess:
    return SupervisedProcess("helper", [sys.executable, "-c", code], tmp_path / "logs" / "helper.log", rt.reactor)


def test_a_helper_that_dies_is_restarted_and_stopping_ends_it_with_sigterm(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    code = (f"import signal, sys, time, pathlib\np = pathlib.Path({str(starts)!r})\n"
            "n = len(p.read_text()) if p.exists() else 0\np.write_text('x' * (n + 1))\n"
            "print('start', n + 1, flush=True)\n"
            "if n == 0: sys.exit(1)\n"
            "signal.signal(signal.SIGTERM, lambda *a: (print('terminated', flush=True), sys.exit(0)))\n"
            "time.sleep(60)\n")  # fmt: skip
    helper = _helper(tmp_path, code)
    rt.call(helper.startService)
    _wait(lambda: starts.exists() and len(starts.read_text()) == 2 and helper.pid is not None)
    assert helper.restarts == 1 and helper.last_exit == 1
    time.sleep(0.3)  # let it install its SIGTERM handler
    rt.call(helper.stopService)
    log = (tmp_path / "logs" / "helper.log").read_text()
    assert "start 1" in log and "start 2" in log and "terminated" in log
    assert helper.pid is None and len(starts.read_text()) == 2, "not restarted after a stop"


def test_a_helper_that_cannot_run_as_configured_is_not_restarted(tmp_path: Path) -> None:
    helper = _helper(tmp_path, f"import sys; print('no model here', file=sys.stderr); sys.exit({CANNOT_RUN})")
    rt.call(helper.startService)
    _wait(lambda: helper.last_exit == CANNOT_RUN)
    time.sleep(1.5)  # longer than the first restart delay
    assert helper.restarts == 0 and helper.pid is None
    rt.call(helper.stopService)
    assert "no model here" in (tmp_path / "logs" / "helper.log").read_text()
