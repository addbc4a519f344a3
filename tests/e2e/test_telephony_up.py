"""The whole stack as `sori up` runs it: a SIPp caller dials 126 at the Kamailio edge, is routed to a pjsua2
media worker, hears the 국세상담센터 IVR, keys the bill inquiry and hears the amount; the call is recorded in
the case store. Every port is free and the state directory is the test's own."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e.stack import running_stack
from tests.integration.telephony_media.support import read_samples
from tests.support import sipp as scenarios
from tests.support.postgres import free_port
from tests.support.shared import shared_dir

pytestmark = pytest.mark.e2e
SORI = str(Path(sys.executable).with_name("sori"))
PROMPTS = Path(tempfile.gettempdir()) / "sori-e2e-prompts"  # a cache shared by runs: synthesis is slow


@pytest.fixture
def stack() -> Iterator[dict[str, object]]:
    with running_stack() as running:
        yield running


def caller_without_open_case(db: Path) -> str:
    """An even demo citizen (the demo ledger has their bills) with no active case, so no continue-offer."""
    with sqlite3.connect(db) as conn:
        for index in range(0, 40, 2):
            digits = f"0105000{index:04d}"
            active = conn.execute(
                "SELECT count(*) FROM cases c JOIN citizen_phones p ON p.citizen_id = c.citizen_id "
                "WHERE p.digits = ? AND c.status NOT IN ('resolved', 'closed')",
                (digits,),
            ).fetchone()[0]
            if active == 0:
                return digits
    raise AssertionError("every even demo citizen has an open case")


def bill_call(stack: dict[str, object], during: Callable[[], None] | None = None) -> None:
    """A demo citizen calls 126, keys 1 then 2 and hears the 부가가치세 amount; checked in the case store."""
    state = Path(str(stack["state"]))
    db = state / "s" / "sori.db"
    caller = caller_without_open_case(db)
    scenario = state / "caller.xml"
    # After the recording notice (not interruptible) key 1 (bill inquiry) into the main menu, then 2
    # (부가가치세) into the bill menu; listen to the answer; hang up.
    scenario.write_text(
        scenarios.scenario(
            "citizen calls 126",
            scenarios.invite("126", caller),
            scenarios.key("1", 7500),
            scenarios.key("2", 3000),
            scenarios.pause(18000),
            scenarios.BYE,
        )
    )
    sipp = subprocess.Popen(
        ["sipp", f"127.0.0.1:{stack['sip']}", "-sf", str(scenario), "-m", "1", "-i", "127.0.0.1",
         "-p", str(free_port()), "-mi", "127.0.0.1", "-mp", str(free_port()), "-timeout", "60s",
         "-timeout_error", "-nostdin", "-trace_err", "-trace_msg", "-message_file", str(state / "msg.log"),
         "-error_file", str(state / "sipp.err")],
        cwd=state, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        if during is not None:
            time.sleep(2.0)  # answered: the recording notice is playing
            during()
        returncode = sipp.wait(timeout=90)
    finally:
        if sipp.poll() is None:
            sipp.kill()
            sipp.wait()
    errors = (state / "sipp.err").read_text() if (state / "sipp.err").exists() else ""
    assert returncode == 0, errors + ((state / "msg.log").read_text() if (state / "msg.log").exists() else "")
    deadline = time.monotonic() + 15
    rows: list[tuple[object, ...]] = []
    while time.monotonic() < deadline and not rows:
        with sqlite3.connect(db) as conn:
            rows = conn.execute(
                "SELECT channel, disposition, center_code, notes, caller_masked, recording_ref FROM interactions "
                "WHERE sip_call_id LIKE '%@127.0.0.1' AND channel = 'ivr-self-service'"
            ).fetchall()
        time.sleep(0.3)
    assert len(rows) == 1, rows
    channel, disposition, center, notes, masked, recording = rows[0]
    # recorded from the end of the recording notice to the hang-up (about 3 + 18 s of the scenario)
    samples, rate = read_samples(state / "s" / "recordings" / str(recording))
    assert 15 <= len(samples) / rate <= 25, len(samples) / rate
    # the caller says nothing (SIPp sends only DTMF): what is there is what they heard, the menus and the bill
    loud = sum(1 for i in range(0, len(samples) - 160, 160) if max(map(abs, samples[i : i + 160])) > 1000)
    assert loud / (len(samples) / 160) > 0.3, "the prompts the caller heard are in the recording"
    assert (channel, disposition, center) == ("ivr-self-service", "self-service-completed", "NTS126")
    assert "부가가치세" in str(notes) and str(masked).endswith(caller[-4:])
    lines = [json.loads(line) for line in Path(str(stack["log"])).read_text(encoding="utf-8").splitlines() if line]
    assert not any(caller in json.dumps(line, ensure_ascii=False) for line in lines), "a full number reached the log"


def test_a_citizen_hears_their_tax_bill_through_the_whole_stack(stack: dict[str, object]) -> None:
    bill_call(stack)


def test_rfc4475_torture_messages_at_the_edge_while_a_call_runs(stack: dict[str, object]) -> None:
    """Every RFC 4475 message, over UDP and TCP from another source, while a real call is in its IVR."""
    state = Path(str(stack["state"])) / "s"
    processes_before = sorted(worker_pids(state) + kamailio_pids(state))
    messages = sorted((shared_dir() / "sip" / "rfc4475").glob("*.dat"))
    assert len(messages) == 49

    def torture() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.3", 0))  # another source: pike may ban it without touching the caller
            for path in messages:
                udp.sendto(path.read_bytes(), ("127.0.0.1", int(str(stack["sip"]))))
        for path in messages:
            if path.name in ("dblreq.dat", "inv2543.dat"):  # about UDP framing only
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                tcp.bind(("127.0.0.3", 0))
                tcp.settimeout(2)
                try:
                    tcp.connect(("127.0.0.1", int(str(stack["sip"]))))
                    tcp.sendall(path.read_bytes())
                except OSError:
                    continue  # a banned source may be refused: that is the edge doing its job

    bill_call(stack, during=torture)
    assert sorted(worker_pids(state) + kamailio_pids(state)) == processes_before, "a SIP process died or restarted"


def kamailio_pids(state: Path) -> list[int]:
    found = subprocess.run(["pgrep", "-f", f"kamailio.*{state}"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def worker_pids(state: Path) -> list[int]:
    found = subprocess.run(["pgrep", "-f", f"telephony.media.worker.*{state}"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def answered_calls(stack: dict[str, object]) -> int:
    base = f"http://127.0.0.1:{stack['http']}"
    from sori.seed.demo import DEMO_PASSWORD

    token = requests.post(f"{base}/api/v1/auth/login", json={"login": "admin", "password": DEMO_PASSWORD}).json()[
        "token"
    ]
    events = requests.get(f"{base}/api/v1/cti/events", headers={"authorization": f"Bearer {token}"}).json()["events"]
    return sum(1 for e in events if e["kind"] == "call-answered")


def bye_received_at(message_log: Path) -> dt.datetime:
    """When SIPp received the BYE, from its own message trace (wall clock, to the microsecond)."""
    stamp = None
    for block in message_log.read_text().split("-----------------------------------------------"):
        lines = [line for line in block.strip().splitlines() if line.strip()]
        if len(lines) > 2 and "message received" in lines[1] and lines[2].startswith("BYE "):
            stamp = lines[0].strip()
    assert stamp is not None, "no BYE in the caller's trace"
    return dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f")


def test_a_worker_killed_mid_call_sends_the_caller_a_bye_and_is_replaced(stack: dict[str, object]) -> None:
    state = Path(str(stack["state"]))
    scenario = state / "dies.xml"
    scenario.write_text(
        scenarios.scenario("caller whose worker dies", scenarios.invite("110", "0212345678"), scenarios.AWAIT_BYE)
    )
    trace = state / "dies-msg.log"
    sipp = subprocess.Popen(
        ["sipp", f"127.0.0.1:{stack['sip']}", "-sf", str(scenario), "-m", "1", "-i", "127.0.0.1",
         "-p", str(free_port()), "-mi", "127.0.0.1", "-mp", str(free_port()), "-timeout", "40s",
         "-timeout_error", "-nostdin", "-trace_err", "-error_file", str(state / "dies.err"), "-trace_msg",
         "-message_file", str(trace)],
        cwd=state, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        db = state / "s" / "sori.db"
        deadline = time.monotonic() + 15
        while answered_calls(stack) < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert answered_calls(stack) == 1, "the call was not answered"
        before = worker_pids(state / "s")
        assert len(before) == 2, before
        killed_at = dt.datetime.now()  # SIPp writes local wall-clock times
        for pid in before:
            os.kill(pid, signal.SIGKILL)
        assert sipp.wait(timeout=20) == 0, (state / "dies.err").read_text() if (state / "dies.err").exists() else ""
    finally:
        if sipp.poll() is None:
            sipp.kill()
            sipp.wait()
    assert (bye_received_at(trace) - killed_at).total_seconds() < 5.0, "the caller got no BYE within 5 s"
    deadline = time.monotonic() + 20
    rows: list[tuple[object, ...]] = []
    replaced: list[int] = []
    while time.monotonic() < deadline and not (rows and len(replaced) == 2):
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT disposition, center_code FROM interactions WHERE disposition = 'worker-lost'"
                                ).fetchall()  # fmt: skip
        replaced = [pid for pid in worker_pids(state / "s") if pid not in before]
        time.sleep(0.3)
    assert rows == [("worker-lost", "ACRC110")]
    assert len(replaced) == 2, "the pool replaced both workers"


REGISTER = """<?xml version="1.0" encoding="UTF-8"?>
<scenario name="agent phone registers">
<send retrans="500"><![CDATA[
REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[service]@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]>
Call-ID: [call_id]
CSeq: 1 REGISTER
Contact: <sip:[service]@[local_ip]:[local_port]>
Expires: 300
Max-Forwards: 70
Content-Length: 0

]]></send>
<recv response="401" auth="true"/>
<send retrans="500"><![CDATA[
REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:[service]@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]>
Call-ID: [call_id]
CSeq: 2 REGISTER
Contact: <sip:[service]@[local_ip]:[local_port]>
[authentication]
Expires: 300
Max-Forwards: 70
Content-Length: 0

]]></send>
<recv response="200"/>
</scenario>
"""


def register(stack: dict[str, object], login: str, password: str) -> int:
    state = Path(str(stack["state"]))
    scenario = state / "register.xml"
    scenario.write_text(REGISTER)
    done = subprocess.run(
        ["sipp", f"127.0.0.1:{stack['sip']}", "-sf", str(scenario), "-s", login, "-au", login, "-ap", password,
         "-m", "1", "-i", "127.0.0.1", "-p", str(free_port()), "-timeout", "10s", "-timeout_error", "-nostdin",
         "-recv_timeout", "3000"],
        cwd=state, capture_output=True, timeout=30,
    )  # fmt: skip
    return done.returncode


def test_demo_agents_phones_register_with_their_own_sip_password(stack: dict[str, object]) -> None:
    from sori.seed.demo import DEMO_PASSWORD

    sip = stack["sip_passwords"]
    assert isinstance(sip, dict)
    assert register(stack, "acrc.kim", sip["acrc.kim"]) == 0
    assert register(stack, "acrc.kim", DEMO_PASSWORD) != 0  # the API password is not the phone's
    assert register(stack, "nobody", sip["acrc.kim"]) != 0


def test_an_agent_added_while_running_can_register_without_a_restart() -> None:
    from tests.e2e.stack import SORI

    with running_stack({"SORI_TELEPHONY__AGENTS_REFRESH_S": "1"}) as stack:
        state = Path(str(stack["state"]))
        added = subprocess.run(
            [SORI, "agents", "add", "--login", "acrc.park", "--center", "ACRC110", "--name", "상담사 박새롬",
             "--state-dir", str(state / "s")],
            input="새 상담사 비밀번호\n", text=True, capture_output=True, cwd=state, timeout=60,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        sip = added.stdout.split("sip-password ", 1)[1].split()[0]  # random, shown once; never the API password
        assert register(stack, "acrc.park", "새 상담사 비밀번호") != 0
        deadline = time.monotonic() + 15
        while register(stack, "acrc.park", sip) != 0:
            assert time.monotonic() < deadline, "the new agent's phone never registered"
            time.sleep(1)


def test_the_media_pool_grows_under_load_and_shrinks_back() -> None:
    """One worker taking one caller: more callers make the pool spawn workers on the spare ports, which the
    edge starts routing to when they say hello; idle extras are drained and stopped again."""
    env = {"SORI_TELEPHONY__WORKERS": "1", "SORI_TELEPHONY__SPARE_WORKERS": "2", "SORI_EDGE__WORKER_CALL_CAP": "1"}
    with running_stack(env) as stack:
        state = Path(str(stack["state"]))
        scenario = state / "hold.xml"
        scenario.write_text(scenarios.scenario("caller", scenarios.invite("126", "0215550001"),
                                               scenarios.pause(15000), scenarios.BYE))  # fmt: skip
        callers = []
        for n in range(3):
            callers.append(subprocess.Popen(
                ["sipp", f"127.0.0.1:{stack['sip']}", "-sf", str(scenario), "-m", "1", "-i", "127.0.0.1",
                 "-p", str(free_port()), "-mi", "127.0.0.1", "-mp", str(free_port()), "-timeout", "60s",
                 "-timeout_error", "-nostdin", "-trace_err", "-error_file", str(state / f"grow{n}.err")],
                cwd=state, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))  # fmt: skip
            time.sleep(3.0)
        peak = len(worker_pids(state / "s"))
        codes = [c.wait(timeout=60) for c in callers]
        errors = [(state / f"grow{n}.err").read_text() for n in range(3) if (state / f"grow{n}.err").exists()]
        assert codes == [0, 0, 0], errors
        assert peak == 3, f"{peak} workers at the peak"
        deadline = time.monotonic() + 30
        while len(worker_pids(state / "s")) > 2 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(worker_pids(state / "s")) == 2, "an idle extra worker was retired"
