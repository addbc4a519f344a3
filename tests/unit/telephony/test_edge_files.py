"""The edge's files hold the phones' digest HA1s: owner-only whatever the umask of whoever writes them."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from telephony.edge.layout import prepare
from telephony.edge.numbers import NumberPlan
from telephony.edge.settings import EdgeConfig
from telephony.edge.tables import Subscriber, write_subscribers


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the usual default: files 0644, directories 0755
    try:
        yield
    finally:
        os.umask(old)


def test_the_subscriber_table_and_the_edge_directories_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    state = tmp_path / "edge"
    paths = prepare(EdgeConfig(), NumberPlan.from_centers([]), [], [Subscriber("kim", "pw")], state)
    write_subscribers(paths.db, [Subscriber("kim", "new pw")], "sori")  # a rotation while running
    for directory in (state, paths.db, paths.run):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    files = [p for p in state.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"subscriber", "location", "version", "kamailio.cfg", "dispatcher.list"}
    assert {p: oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {p: "0o600" for p in files}
    assert "new pw" not in (paths.db / "subscriber").read_text()  # only the HA1
