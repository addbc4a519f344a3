"""A first PIN enrolled by keypad during a real call with an agent: SIPp caller (RFC 2833), a real pjsua2 worker
bridged to an agent's SIP leg, the desk and the HTTP API (tests.support.desk_rig).

The agent verifies the caller with the 주민등록번호, asks for the enrolment over HTTP, and the caller keys the
PIN twice. The same key twice in one call needs a second RTP capture with a later timestamp (a receiver rightly
takes a replayed capture as the same event), made here from SIPp's own.
"""

from __future__ import annotations

import struct
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from twisted.internet import threads

from crm.citizens.pin import PinHasher
from crm.citizens.services import register_citizen
from crm.store import tables
from kernel.actor import Actor
from telephony.control.pin_enrolment import PinEnrolments
from telephony.ivr.prompts import PromptLibrary
from telephony.sim.sipp import DTMF
from tests.support import reactor as rt
from tests.support import sipp as scenarios
from tests.support.desk_rig import DeskRig, running_desk, wait_until
from tests.support.postgres import free_port

pytestmark = pytest.mark.integration
CALLER, RRN, PIN = "010-6000-0001", "880305-2345678", "2581"


@pytest.fixture
def rig() -> Iterator[DeskRig]:
    with tempfile.TemporaryDirectory(prefix="sori-pin-") as name:  # short: the AMP socket path is limited
        workdir = Path(name)
        wav = workdir / "agent.wav"
        subprocess.run(["sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(wav), "synth", "40", "sine", "440",
                        "vol", "0.5"], check=True)  # fmt: skip
        with running_desk(workdir, wav, db_threads=2) as running:
            yield running


def later_capture(key: str, target: Path, offset: int) -> Path:
    """SIPp's RFC 2833 capture of ``key`` with its RTP sequence and timestamp moved on by ``offset``."""
    data = bytearray(Path(DTMF.format(key)).read_bytes())
    at = 24  # pcap global header; Ethernet, IPv4, UDP, RTP inside each record
    while at < len(data):
        length = struct.unpack_from("<I", data, at + 8)[0]
        packet = at + 16
        udp = packet + 14 + (data[packet + 14] & 0x0F) * 4
        struct.pack_into(">H", data, udp + 6, 0)  # no UDP checksum: the payload changes
        rtp = udp + 8
        seq, stamp = struct.unpack_from(">HI", data, rtp + 2)
        struct.pack_into(">HI", data, rtp + 2, (seq + offset) & 0xFFFF, (stamp + offset * 160) & 0xFFFFFFFF)
        at = packet + length
    target.write_bytes(bytes(data))
    return target


def keys_of(paths: list[str], first_after_ms: int) -> list[str]:
    play = '<nop><action><exec play_pcap_audio="{}"/></action></nop>\n'
    return [f'<pause milliseconds="{first_after_ms if i == 0 else 700}"/>{play.format(p)}' for i, p in enumerate(paths)]


def test_the_caller_keys_a_first_pin_that_the_agent_never_sees(rig: DeskRig) -> None:
    system = rig.system
    with system.uow() as uow:
        register_citizen(uow, Actor.system("test"), system.clock(), system.rrn_key, name="이순신", phones=[CALLER],
                         resident_number=RRN)  # fmt: skip
        uow.commit()
    library = PromptLibrary(rig.workdir / "prompts", rate=300)
    enrolments = PinEnrolments(lambda: rig.pool, lambda part: threads.deferToThread(library.wav, part), rt.reactor)
    rig.board.enrolments = system.desk.enrolments = enrolments
    assert rig.request("kim", "PUT", "/api/v1/telephony/agents/me/state", {"state": "ready"}).status_code == 200

    first = [DTMF.format(k) for k in (*PIN, "pound")]
    again = [str(later_capture(k, rig.workdir / f"again-{k}.pcap", 4000)) for k in (*PIN, "pound")]
    path = rig.workdir / "caller.xml"
    headers = {"X-Sori-Dialled": "110", "X-Sori-Center-Candidates": "ACRC110", "X-Sori-Trusted-Caller": "1"}
    path.write_text(scenarios.scenario("a citizen enrols a PIN", scenarios.invite("110", CALLER.replace("-", ""),
                                       headers), scenarios.key("0", 8000), *keys_of(first, 7000),
                                       *keys_of(again, 2000), scenarios.pause(4000), scenarios.BYE))  # fmt: skip
    sipp = subprocess.Popen(
        ["sipp", f"127.0.0.1:{rig.worker_port}", "-sf", str(path), "-m", "1", "-i", "127.0.0.1", "-p",
         str(free_port()), "-mi", "127.0.0.1", "-mp", str(free_port()), "-timeout", "90s", "-nostdin"],
        cwd=rig.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    rig.processes.append(sipp)
    wait_until(lambda: rig.on_call("kim"), 30, "kim talking to the caller")
    iid = rig.request("kim", "GET", "/api/v1/telephony/agents/me").json()["call"]["interaction_id"]
    verified = rig.request("kim", "POST", f"/api/v1/interactions/{iid}/verify",
                           {"method": "resident-number", "resident_number": RRN})  # fmt: skip
    assert verified.status_code == 200, verified.text
    answer: list[object] = []
    asking = threading.Thread(target=lambda: answer.append(
        rig.request("kim", "POST", f"/api/v1/interactions/{iid}/pin-enrolment", timeout=90)))  # fmt: skip
    asking.start()
    asking.join(timeout=90)
    assert sipp.wait(timeout=60) == 0
    (reply,) = answer
    assert reply.status_code == 200, reply.text  # type: ignore[attr-defined]
    assert reply.json() == {"outcome": "enrolled"}  # type: ignore[attr-defined]
    with system.engine.connect() as conn:
        (row,) = conn.execute(select(tables.citizen_pins)).all()
    assert PinHasher().verify(row.pin_hash, PIN)
    wait_until(lambda: bool(rig.board.finished), 10, "the call's end")
    (call,) = rig.board.finished
    assert [k for t in call.traces for k in t.keys] == ["0"], "the IVR never saw the PIN's keys"
