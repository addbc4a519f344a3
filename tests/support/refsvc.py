"""The reference service (``python -m integrations.refsvc``) as a real process for a test: a free loopback port,
a state directory of its own with one 0600 key per played system."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.postgres import free_port

SYSTEMS = ("public-services", "certificates", "bills")


def tool_settings(refsvc: RefSvc) -> dict[str, Any]:
    """Settings sections that point every agent tool at the test's reference service (no child process)."""
    return {
        name.replace("-", "_"): {"enabled": True, "base_url": refsvc.base(name), "api_key": key_of(name),
                                 "read_timeout_s": 10, "deadline_s": 20}
        for name in SYSTEMS
    }  # fmt: skip


@pytest.fixture(scope="session")
def refsvc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RefSvc]:
    """One reference service per test worker (it loads the catalog and its index once, a few seconds)."""
    service = start_refsvc(Path(tmp_path_factory.mktemp("refsvc")))
    yield service
    service.stop()


def key_of(system: str) -> str:
    return f"test-{system}-key-0123456789abcdef"


def write_keys(state_dir: Path, mode: int = 0o600) -> None:
    keys = state_dir / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    for system in SYSTEMS:
        path = keys / f"{system}-api.key"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "w") as handle:
            handle.write(key_of(system) + "\n")
        os.chmod(path, mode)


@dataclass
class RefSvc:
    process: subprocess.Popen[str]
    port: int
    state_dir: Path
    argv: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def base(self, system: str) -> str:
        return f"{self.url}/{system}"

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        self.resume()
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.resume()
            self.process.terminate()
            self.process.wait(timeout=10)

    def restart(self) -> RefSvc:
        """The same service again (same port, same store), as ``sori up``'s supervisor would."""
        self.stop()
        return _spawn(self.argv, self.port, self.state_dir)


def start_refsvc(state_dir: Path, port: int | None = None) -> RefSvc:
    write_keys(state_dir)
    port = port or free_port()
    argv = [sys.executable, "-m", "integrations.refsvc", "--port", str(port), "--state-dir", str(state_dir),
            "--verify-base-url", "http://127.0.0.1:8080"]  # fmt: skip
    return _spawn(argv, port, state_dir)


def _spawn(argv: list[str], port: int, state_dir: Path) -> RefSvc:
    errors = state_dir / "refsvc.stderr"  # a file, not a pipe: a pipe nobody reads would block the service
    with errors.open("a") as stderr:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if "ready" not in line:
        process.kill()
        raise AssertionError(f"the reference service did not start: {line} {errors.read_text()}")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # listening once "ready" is printed; this only guards a slow machine
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.05)
    return RefSvc(process, port, state_dir, argv)
