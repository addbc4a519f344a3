"""Fixtures for the media tests: test audio, a running pool of workers, child processes that always die."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from telephony.media.pool import MediaPool, PoolConfig
from tests.integration.telephony_media.support import EventLog, make_audio
from tests.support import reactor as rt


@pytest.fixture(scope="session")
def audio(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_audio(tmp_path_factory.mktemp("media-audio"))


@pytest.fixture
def workdir() -> Iterator[Path]:
    # Short, so the AMP Unix socket path stays under the 108-byte limit.
    with tempfile.TemporaryDirectory(prefix="sori-media-") as name:
        yield Path(name)


@pytest.fixture
def processes() -> Iterator[list[Any]]:
    """Child processes a test starts (SIPp, the agent phone); killed at the end whatever happened."""
    started: list[Any] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


class RunningPool:
    def __init__(self, state_dir: Path, config: PoolConfig) -> None:
        self.log = EventLog()
        self.pool = MediaPool(state_dir, self.log.on_event, self.log.on_lost, config, reactor=rt.reactor)
        rt.call(self.pool.startService)
        self.stopped = False

    def command(self, worker_id: str, command: Any, **args: Any) -> Any:
        return rt.call(self.pool.command, worker_id, command, **args)

    def first_worker(self, timeout: float = 15) -> Any:
        self.log.wait("Hello", timeout=timeout)
        return rt.call(lambda: self.pool.ready_workers()[0])

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            rt.call(self.pool.stopService)


@pytest.fixture
def pool(workdir: Path) -> Iterator[RunningPool]:
    config = PoolConfig(min_workers=1, max_workers=2, health_interval=1.0, health_timeout=2.0, stop_timeout=3.0)
    running = RunningPool(workdir / "state", config)
    try:
        yield running
    finally:
        running.stop()
