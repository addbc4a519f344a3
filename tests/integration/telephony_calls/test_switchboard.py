"""A citizen calls 126 and uses the tax bill self-service: real SIP (SIPp caller, RFC 2833 keys), a real
pjsua2 worker, Korean prompts from espeak-ng, and the case store on SQLite.

The call reaches the worker directly with the headers the Kamailio edge adds (``X-Sori-Dialled``,
``X-Sori-Center-Candidates``); the edge itself is tested in ``telephony_edge``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from twisted.internet import threads

from crm.citizens.services import register_citizen
from crm.door.sql_calls import CaseStoreCalls
from crm.store import tables
from integrations.bills.memory import demo_bill_ledger
from integrations.certificates.memory import demo_certificate_issuer
from kernel.actor import Actor
from sori.seed.demo import seed_centers
from telephony.control.switchboard import Switchboard
from telephony.ivr.loader import load_flows, shipped_flows_dir
from telephony.ivr.ports import run_self_service
from telephony.ivr.prompts import PromptLibrary, static_prompts
from telephony.media.pool import MediaPool, PoolConfig
from tests.support import reactor as rt
from tests.support import sipp as scenarios
from tests.support.postgres import free_port
from tests.support.system import make_system

pytestmark = pytest.mark.integration


@pytest.fixture
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="sori-calls-") as name:  # short: the AMP socket path is limited
        yield Path(name)


@pytest.fixture
def switchboard(workdir: Path, sqlite_template: Path) -> Iterator[Switchboard]:
    shutil.copyfile(sqlite_template, workdir / "sori.db")
    system = make_system(f"sqlite:///{workdir / 'sori.db'}", workdir / "state")
    system.clock = lambda: dt.datetime.now(dt.UTC)
    seed_centers(system)
    with system.uow() as uow:
        register_citizen(
            uow, Actor.system("test"), system.clock(), system.rrn_key, name="홍길동", phones=["010-5000-0002"]
        )
        uow.commit()
    with system.uow(readonly=True) as uow:
        centers = {c.code: c for c in uow.centers.list()}
    centers["NTS126"].hours = "24/7"  # the test must not depend on the hour it runs at (the center closes at 18:00)
    library = PromptLibrary(workdir / "prompts", rate=300)  # fast speech: a shorter test, same prompts
    flows = load_flows(shipped_flows_dir())
    for prompt in static_prompts(flows.for_center("NTS126")):  # as `sori up` warms the cache at start
        library.wav(prompt)
    ledger, issuer = demo_bill_ledger(), demo_certificate_issuer()
    board = Switchboard(
        pool=None,  # type: ignore[arg-type]  # set below: the pool needs the board's handlers first
        flows=flows,
        centers=centers,
        calendar=system.calendar,
        store=CaseStoreCalls(system.uow, system.policy),
        db=lambda f, *a: threads.deferToThread(f, *a),
        prompts=lambda part: threads.deferToThread(library.wav, part),
        self_service=lambda action: threads.deferToThread(run_self_service, action, ledger, issuer),
        scheduler=rt.reactor,
        clock=system.clock,
    )
    config = PoolConfig(min_workers=1, max_workers=1, health_interval=1.0, health_timeout=3.0, stop_timeout=3.0)
    pool = MediaPool(workdir / "media", board.on_event, board.on_lost, config, reactor=rt.reactor)
    board.pool = pool
    board.system = system  # type: ignore[attr-defined]  # for the assertions below
    rt.call(pool.startService)
    try:
        yield board
    finally:
        rt.call(pool.stopService)
        system.engine.dispose()


def wait_for(predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if rt.call(predicate):
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_bill_inquiry_is_heard_to_the_end_and_recorded(switchboard: Switchboard, workdir: Path) -> None:
    wait_for(lambda: bool(switchboard.pool.ready_workers()), 20)  # type: ignore[attr-defined]
    worker = rt.call(lambda: switchboard.pool.ready_workers()[0])  # type: ignore[attr-defined]
    port = int(worker.sip_uri.rsplit(":", 1)[1].split(";")[0])
    path = workdir / "citizen.xml"
    # After the recording notice (not interruptible), key 1 (bill inquiry) into the main menu, then 2
    # (부가가치세) into the bill menu; listen to the answer; hang up. (Two different keys: replaying one
    # RFC 2833 capture twice repeats its RTP timestamp, which a receiver rightly takes as one event.)
    # as the edge adds them for a call from a trusted trunk (tests/integration/telephony_edge/test_trusted_trunk.py)
    headers = {"X-Sori-Dialled": "126", "X-Sori-Center-Candidates": "NTS126", "X-Sori-Trusted-Caller": "1"}
    path.write_text(
        scenarios.scenario(
            "citizen calls 126",
            scenarios.invite("126", "01050000002", headers),
            scenarios.key("1", 7500),
            scenarios.key("2", 3000),
            scenarios.pause(18000),
            scenarios.BYE,
        )
    )
    sip_port, media_port = free_port(), free_port()
    sipp = subprocess.Popen(
        ["sipp", f"127.0.0.1:{port}", "-sf", str(path), "-m", "1", "-i", "127.0.0.1", "-p", str(sip_port),
         "-mi", "127.0.0.1", "-mp", str(media_port), "-timeout", "60s", "-timeout_error", "-nostdin",
         "-trace_err", "-error_file", str(workdir / "sipp.err")],
        cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert sipp.wait(timeout=60) == 0, (workdir / "sipp.err").read_text() if (workdir / "sipp.err").exists() else ""
    finally:
        if sipp.poll() is None:
            sipp.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            sipp.wait(timeout=5)
    wait_for(lambda: bool(switchboard.finished) and switchboard.finished[-1].recorded is not None, 10)
    call = switchboard.finished[-1]
    trace = call.traces[0]
    assert trace.notice_heard and trace.keys == ["1", "2"]
    ((action, result),) = trace.self_service
    assert (action.kind, action.item, action.citizen_ref) == ("bill-inquiry", "부가가치세", "010-5000-0002")
    assert result.error is None and result.value is not None
    heard = [text for text, complete in trace.played if complete]
    bill = [text for text in heard if "원" in text and "부가가치세" in text]
    assert bill, trace.played  # the amount and due date were played to the end
    system = switchboard.system  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10
    rows: list[Any] = []
    while time.monotonic() < deadline and not rows:
        with system.engine.connect() as conn:
            rows = conn.execute(
                select(tables.interactions).where(tables.interactions.c.sip_call_id == call.call_id)
            ).all()
        time.sleep(0.2)
    (row,) = rows
    assert (row.channel, row.disposition, row.center_code) == ("ivr-self-service", "self-service-completed", "NTS126")
    assert row.citizen_id is not None and row.caller_masked == "010-****-0002"
    assert "Bill" in (row.notes or "")
