"""Fifty agents' requests at once never hang the desk: over real HTTP, with two real calls bridged in a real
pjsua2 worker (SIPp callers, an answering agent phone), parallel hold, blind-transfer and state requests all
end with 200 or 409, one transfer per call wins, and ``/healthz`` and the screen-pop keep answering meanwhile.

The API's database pool has a single thread here: the limiting case of as many agents transferring at once as
the pool has threads. A desk request that held its pool thread while the desk waited (the old
``blockingCallFromThread``) would wait for a hand-off that needs that very thread: the request, and every
other one behind it, ``/healthz`` included, would hang. Latency under this load is measured by
``python -m bench.desk_load``.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from crm.store import tables
from tests.support.desk_rig import SCREEN_POP_PHONE, DeskRig, desk_requests, running_desk, wait_until

pytestmark = pytest.mark.integration
DEADLINE_S = 60.0  # generous: every request must have ended by then on a loaded 2-core machine
PROBE_TIMEOUT_S = 10.0  # each health check and screen-pop under load


@pytest.fixture
def rig() -> Iterator[DeskRig]:
    with tempfile.TemporaryDirectory(prefix="sori-desk-") as name:  # short: the AMP socket path is limited
        workdir = Path(name)
        wav = workdir / "agent440.wav"
        subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(wav), "synth", "30", "sine", "440",
                        "vol", "0.5"], check=True)  # fmt: skip
        with running_desk(workdir, wav, db_threads=1) as running:
            yield running


def test_fifty_parallel_desk_requests_end_with_200_or_409_while_the_api_keeps_answering(rig: DeskRig) -> None:
    for login in ("kim", "lee", "park"):
        assert rig.request(login, "PUT", "/api/v1/telephony/agents/me/state", {"state": "ready"}).status_code == 200
    rig.call_agent("01077770001")
    rig.call_agent("01077770002")
    wait_until(lambda: rig.on_call("kim") and rig.on_call("lee"), 60, "both agents talking to a caller")
    for login in ("kim", "lee", "park"):
        rig.headers(login)  # log in before the burst: the burst is desk requests only
    planned = desk_requests()
    probes: list[tuple[str, int, float]] = []
    with ThreadPoolExecutor(max_workers=len(planned)) as executor:
        futures = [executor.submit(rig.request, login, method, path, body, DEADLINE_S)
                   for login, method, path, body in planned]  # fmt: skip
        started = time.monotonic()
        while not all(f.done() for f in futures) and time.monotonic() - started < DEADLINE_S:
            probe_set: tuple[tuple[str, str, str | None], ...] = (
                ("healthz", "/healthz", None),
                ("screen-pop", f"/api/v1/citizens?phone={SCREEN_POP_PHONE}", "kim"),
            )
            for name, probe, who in probe_set:  # fmt: skip
                t0 = time.monotonic()
                try:
                    reply = requests.get(rig.base + probe, headers=rig.headers(who) if who else {},
                                         timeout=PROBE_TIMEOUT_S)  # fmt: skip
                except requests.Timeout:
                    pytest.fail(f"{name} did not answer within {PROBE_TIMEOUT_S} s under the desk load")
                probes.append((name, reply.status_code, time.monotonic() - t0))
        _, pending = wait(futures, timeout=max(0.0, DEADLINE_S - (time.monotonic() - started)))
        assert not pending, f"{len(pending)} desk requests still open after {DEADLINE_S} s"
    replies = [f.result() for f in futures]
    statuses = Counter(r.status_code for r in replies)
    assert set(statuses) <= {200, 409}, [(r.status_code, r.text) for r in replies if r.status_code not in (200, 409)]
    refusals = Counter(r.json()["error"] for r in replies if r.status_code == 409)
    assert set(refusals) <= {"transfer-in-progress", "not-on-call", "agent-busy"}, refusals
    assert all(r.json()["message"] for r in replies if r.status_code == 409)
    won = Counter(login for (login, _, path, _), r in zip(planned, replies, strict=True)
                  if path.endswith("/transfer") and r.status_code == 200)  # fmt: skip
    assert won == {"kim": 1, "lee": 1}, f"one transfer per call: {won}, refused {refusals}"
    with rig.system.engine.connect() as conn:
        handoffs = conn.execute(select(func.count()).select_from(tables.handoffs)).scalar_one()
    assert handoffs == 2, "one hand-off written per call, not one per request"
    assert {name for name, _, _ in probes} == {"healthz", "screen-pop"}
    assert all(status == 200 for name, status, _ in probes if name == "healthz"), probes
    assert all(status < 500 for _, status, _ in probes), probes
