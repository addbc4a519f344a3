"""A spoofed number gets no personal data; the citizen's PIN, keyed by RFC 2833 DTMF, opens self-service.

Real SIP (two SIPp callers at once), a real pjsua2 worker and the case store on SQLite. Both calls come
without the edge's ``X-Sori-Trusted-Caller`` (the edge adds it only for a configured trunk:
tests/integration/telephony_edge/test_trusted_trunk.py), each From a known citizen who enrolled a PIN.
One caller does not know the PIN (*): no bill is looked up or spoken, the agent is offered. The other keys
it: the bill is read out.
"""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from crm.citizens.pin import CitizenPin, PinHasher
from crm.citizens.services import register_citizen
from crm.store import tables
from kernel.actor import Actor
from telephony.control.switchboard import Switchboard
from telephony.ivr import pin as pins
from tests.integration.telephony_calls.test_switchboard import switchboard, wait_for, workdir
from tests.support import reactor as rt
from tests.support import sipp as scenarios
from tests.support.postgres import free_port

pytestmark = pytest.mark.integration
__all__ = ["switchboard", "workdir"]  # the fixtures, shared with test_switchboard
HEADERS = {"X-Sori-Dialled": "126", "X-Sori-Center-Candidates": "NTS126"}  # no X-Sori-Trusted-Caller


def enrol_pins(board: Switchboard) -> None:
    system = board.system  # type: ignore[attr-defined]
    hasher = PinHasher()
    with system.uow() as uow:
        register_citizen(uow, Actor.system("test"), system.clock(), system.rrn_key, name="김영희",
                         phones=["010-5000-0004"])  # fmt: skip
        uow.commit()
    with system.uow() as uow:
        for phone in ("01050000002", "01050000004"):
            (citizen,) = uow.citizens.by_phone(phone)
            uow.pins.add(CitizenPin(citizen.id, hasher.hash("3579"), system.clock()))
        uow.commit()


def test_a_spoofed_number_hears_no_bill_unless_the_pin_is_keyed(switchboard: Switchboard, workdir: Path) -> None:
    enrol_pins(switchboard)
    wait_for(lambda: bool(switchboard.pool.ready_workers()), 20)  # type: ignore[attr-defined]
    worker = rt.call(lambda: switchboard.pool.ready_workers()[0])  # type: ignore[attr-defined]
    port = int(worker.sip_uri.rsplit(":", 1)[1].split(";")[0])
    # After the notice: 1 (tax bills), 2 (부가가치세), then at the PIN prompt * or 3 5 7 9 #.
    menu = [scenarios.key("1", 7500), scenarios.key("2", 3000)]
    unknown = [scenarios.key("star", 2000), scenarios.pause(12000)]
    known = [scenarios.key(k, 2000 if k == "3" else 700) for k in "3579"] + [scenarios.key("pound", 700)]
    callers = {"01050000002": unknown, "01050000004": [*known, scenarios.pause(14000)]}
    runs = []
    for number, steps in callers.items():
        path = workdir / f"{number}.xml"
        path.write_text(scenarios.scenario(f"{number} calls 126", scenarios.invite("126", number, HEADERS), *menu,
                                           *steps, scenarios.BYE))  # fmt: skip
        sip_port, media_port = free_port(), free_port()
        runs.append(subprocess.Popen(
            ["sipp", f"127.0.0.1:{port}", "-sf", str(path), "-m", "1", "-i", "127.0.0.1", "-p", str(sip_port),
             "-mi", "127.0.0.1", "-mp", str(media_port), "-timeout", "60s", "-timeout_error", "-nostdin",
             "-trace_err", "-error_file", str(workdir / f"{number}.err")],
            cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        ))  # fmt: skip
    try:
        for number, sipp in zip(callers, runs, strict=True):
            err = workdir / f"{number}.err"
            assert sipp.wait(timeout=60) == 0, err.read_text() if err.exists() else ""
    finally:
        for sipp in runs:
            if sipp.poll() is None:
                sipp.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                sipp.wait(timeout=5)
    wait_for(lambda: len(switchboard.finished) >= 2, 10)
    calls = {c.caller: c for c in switchboard.finished}

    spoofed = calls["01050000002"].traces[0]
    heard = [text for text, _ in spoofed.played]
    assert pins.ASK.text in heard and pins.NOT_TRUSTED.text in heard, heard
    assert spoofed.self_service == [] and spoofed.pins == [] and not spoofed.verified
    assert not any("납부하실 금액" in text for text in heard), "no amount was spoken"

    keyed = calls["01050000004"].traces[0]
    assert keyed.keys == ["1", "2", "*", "*", "*", "*", "*"], "the PIN's digits are not kept"
    assert keyed.pins == ["verified"] and keyed.verified
    ((action, result),) = keyed.self_service
    assert action.citizen_ref == "010-5000-0004" and result.value is not None
    assert any("부가가치세 납부하실 금액은" in text for text, complete in keyed.played if complete), keyed.played
    system = switchboard.system  # type: ignore[attr-defined]
    with system.engine.connect() as conn:
        t = tables.identity_attempts
        outcomes = [str(r.outcome) for r in conn.execute(select(t).where(t.c.method == "ivr-pin"))]
    assert outcomes == ["verified"]
