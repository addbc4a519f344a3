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


def test_the_indexer_ends_when_its_supervisor_is_killed_outright(tmp_path: Path) -> None:
    """SIGKILL on ``sori up`` runs no stop code: the real indexer (``ingest --case-store --follow``) notices its
    stdin pipe close and stops by itself (no orphan keeps the index and the database open)."""
    import os
    import signal
    import subprocess

    sori = str(Path(sys.executable).with_name("sori"))
    state = tmp_path / "state"
    subprocess.run([sori, "db", "upgrade", "--state-dir", str(state)], check=True, capture_output=True, timeout=120)
    log = tmp_path / "indexer.log"
    argv = [sori, "analytics", "ingest", "--case-store", "--follow", "--state-dir", str(state)]
    supervisor = (  # stands in for `sori up`: holds the pipe that is the helper's stdin, as SupervisedProcess does
        "import os, subprocess, sys, time\n"
        f"env = dict(os.environ, SUPERVISED_BY_SORI='1', SORI_LOG__FILE={str(log)!r},\n"
        "           SORI_ANALYTICS__INDEX_INTERVAL_S='0.2')\n"
        f"child = subprocess.Popen({argv!r}, stdin=subprocess.PIPE, env=env)\n"
        "print(child.pid, flush=True)\ntime.sleep(300)\n"
    )  # fmt: skip
    parent = subprocess.Popen([sys.executable, "-c", supervisor], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    _wait(lambda: log.exists() and "indexer following" in log.read_text(), timeout=60)
    parent.send_signal(signal.SIGKILL)
    parent.wait()

    def gone() -> bool:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return True
        with open(f"/proc/{child}/stat") as stat:  # exited but not yet reaped by init: a zombie is gone too
            return stat.read().split(") ")[1].startswith("Z")

    _wait(gone, timeout=15)
    assert "supervisor gone: stopping" in log.read_text()


def test_the_supervised_indexer_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """Stopped by its supervisor (SIGTERM, stdin still an open pipe), the indexer exits 0 at once: its watcher of
    the supervisor's pipe must not keep the interpreter from shutting down (a buffered stdin read did: abort)."""
    import os
    import signal
    import subprocess

    sori = str(Path(sys.executable).with_name("sori"))
    state = tmp_path / "state"
    subprocess.run([sori, "db", "upgrade", "--state-dir", str(state)], check=True, capture_output=True, timeout=120)
    log = tmp_path / "indexer.log"
    env = dict(os.environ, SUPERVISED_BY_SORI="1", SORI_LOG__FILE=str(log), SORI_ANALYTICS__INDEX_INTERVAL_S="0.2")
    argv = [sori, "analytics", "ingest", "--case-store", "--follow", "--state-dir", str(state)]
    child = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        _wait(lambda: log.exists() and "indexer following" in log.read_text(), timeout=60)
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=15)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err.decode(errors="replace")[-2000:]
