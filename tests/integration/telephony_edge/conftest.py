"""Fixtures for the SIP edge tests: free ports, a SIPp factory and edges that are always stopped."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.telephony_edge.harness import RunningEdge, SippFactory, start_edge
from tests.support.postgres import free_port


@pytest.fixture
def ports() -> Callable[[], int]:
    """Free loopback ports, never twice the same in one test (never 5060)."""
    seen: set[int] = {5060}

    def next_port() -> int:
        while True:
            port = free_port()
            if port not in seen:
                seen.add(port)
                return port

    return next_port


@pytest.fixture
def sipp(tmp_path: Path) -> Iterator[SippFactory]:
    workdir = tmp_path / "sipp"
    workdir.mkdir()
    factory = SippFactory(workdir)
    yield factory
    factory.stop_all()


@pytest.fixture
def edges(tmp_path: Path) -> Iterator[Callable[..., RunningEdge]]:
    """Start edges in their own state directories under the test's tmp dir; all are stopped at the end."""
    started: list[RunningEdge] = []

    def start(*args: Any, **kwargs: Any) -> RunningEdge:
        state_dir = tmp_path / f"edge{len(started)}"
        state_dir.mkdir()
        edge = start_edge(state_dir, *args, **kwargs)
        started.append(edge)
        return edge

    yield start
    for edge in started:
        edge.stop()
