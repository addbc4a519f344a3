"""The desk of ``sori up`` without media workers, as a fixture: agents log in to the ACD, no call ever arrives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from twisted.internet import defer

from crm.door.sql_desk import AgentContacts
from sori.telephony_wiring import queue_configs
from sori.wiring import System
from telephony.acd import Acd
from telephony.board import Board
from telephony.control.desk import Desk, DeskSettings
from telephony.ivr.loader import load_flows, shipped_flows_dir
from tests.support import reactor as rt


@pytest.fixture
def desk(system: System) -> Iterator[Desk]:
    with system.uow(readonly=True) as uow:
        centers = {c.code: c for c in uow.centers.list()}
    flows = load_flows(shipped_flows_dir(), known_centers=set(centers))
    store = AgentContacts(system.uow, system.policy, system.calendar)
    built = Desk(
        Acd(centers.values(), queue_configs(flows, centers, system.settings.telephony), system.calendar),
        store,
        db=lambda f, *a, **kw: defer.maybeDeferred(f, *a, **kw),
        clock=system.clock,
        scheduler=rt.reactor,
        settings=DeskSettings(edge_host="127.0.0.1", edge_port=1, recordings_dir=system.settings.state_dir / "rec"),
        prompts=lambda part: defer.fail(RuntimeError("no prompts in this test")),
        hold_music=None,
        events=system.cti,
    )
    board = Board(system.clock, [q.key for q in built.acd.queues()])  # as sori up attaches it
    unsubscribe = system.cti.subscribe(board.apply)
    rt.call(built.start, store.agents(), store.pending_callbacks())
    system.desk.reactor, system.desk.desk, system.desk.board = rt.reactor, built, board
    yield built
    rt.call(built.stop)
    unsubscribe()
