"""Fixtures for the agent phone tests: free ports, edges, test tones, and processes that always die."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.telephony_edge.harness import RunningEdge, start_edge
from tests.integration.telephony_phones.support import PhoneProcess, Uac, make_tones
from tests.support.postgres import free_port

FORBIDDEN_PORTS = {5060, 8080}


@pytest.fixture
def ports() -> Callable[[], int]:
    """Free loopback ports, never twice the same in one test, never 5060 or 8080."""
    seen = set(FORBIDDEN_PORTS)

    def next_port() -> int:
        while True:
            port = free_port()
            if port not in seen:
                seen.add(port)
                return port

    return next_port


@pytest.fixture(scope="session")
def tones(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_tones(tmp_path_factory.mktemp("phone-tones"))


@pytest.fixture
def workdir() -> Iterator[Path]:
    # Short (under /tmp), like every state directory that may hold a Unix socket.
    path = Path(tempfile.mkdtemp(prefix="sori-phones-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def edges(workdir: Path) -> Iterator[Callable[..., RunningEdge]]:
    started: list[RunningEdge] = []

    def start(*args: Any, **kwargs: Any) -> RunningEdge:
        state_dir = workdir / f"edge{len(started)}"
        state_dir.mkdir()
        edge = start_edge(state_dir, *args, **kwargs)
        started.append(edge)
        return edge

    yield start
    for edge in started:
        edge.stop()


@pytest.fixture
def phones(workdir: Path) -> Iterator[Callable[..., PhoneProcess]]:
    """Start softphone processes; whatever happens, they are killed at the end."""
    started: list[PhoneProcess] = []

    def start(args: list[str], agents: list[dict[str, Any]] | None) -> PhoneProcess:
        phone = PhoneProcess(args, agents, workdir)
        started.append(phone)
        return phone

    yield start
    for phone in started:
        phone.kill()


@pytest.fixture
def uacs() -> Iterator[list[Uac]]:
    """SIPp processes a test starts; killed at the end."""
    started: list[Uac] = []
    yield started
    for uac in started:
        uac.kill()
