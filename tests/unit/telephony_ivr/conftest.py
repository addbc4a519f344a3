"""Shared helpers: the shipped flows and a driver that feeds events to a session."""

from __future__ import annotations

import pytest

from telephony.ivr.loader import FlowSet, load_flows, shipped_flows_dir


@pytest.fixture(scope="session")
def flows() -> FlowSet:
    return load_flows(shipped_flows_dir())
