"""Helpers for the phone tests: a softphone process with its event log, a worker's call by SIPp, test tones."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support import sipp as scenarios

SOFTPHONE = [sys.executable, "-m", "telephony.phones.softphone"]
SIPP = "/usr/bin/sipp"


class EventLog:
    """Events as they arrive (from any thread), awaited with a deadline."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._cond = threading.Condition()

    def add(self, event: dict[str, Any]) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def matching(self, kind: str, **fields: Any) -> list[dict[str, Any]]:
        with self._cond:
            return [e for e in self.events if e.get("event") == kind and all(e.get(k) == v for k, v in fields.items())]

    def wait(self, kind: str, timeout: float = 10, count: int = 1, **fields: Any) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = self.matching(kind, **fields)
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {count}x {kind} {fields} within {timeout}s; got {self.events}")
                self._cond.wait(left)


class PhoneProcess:
    """``python -m telephony.phones.softphone`` with its stdout parsed into an ``EventLog``."""

    def __init__(self, args: list[str], agents: list[dict[str, Any]] | None, workdir: Path) -> None:
        self.stderr_path = workdir / f"softphone-{time.monotonic_ns()}.err"
        self.log = EventLog()
        self.raw: list[str] = []
        with self.stderr_path.open("wb") as stderr:
            self.proc = subprocess.Popen(
                [*SOFTPHONE, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True
            )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if agents is not None:
            self.send(json.dumps(agents))

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.raw.append(line)
            self.log.add(json.loads(line))  # anything but a JSON object per line fails the test

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait(self, kind: str, timeout: float = 10, **fields: Any) -> dict[str, Any]:
        return self.log.wait(kind, timeout=timeout, **fields)[-1]

    def exit_code(self, timeout: float = 10) -> int:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)


def worker_call(login: str, headers: dict[str, str], rtp_wav: Path, phone_hangs_up: bool, hold_ms: int = 0) -> str:
    """A media worker calling an agent through the edge: INVITE with headers, RTP (a tone), then BYE either way."""
    stream = f'<nop><action><exec rtp_stream="{rtp_wav},-1,0"/></action></nop>\n'
    end = scenarios.AWAIT_BYE if phone_hangs_up else scenarios.pause(hold_ms) + scenarios.BYE
    # The stream starts before the ACK: the phone may hang up the moment it has the ACK.
    return scenarios.scenario("worker-to-agent", scenarios.invite(login, "media", headers, on_answer=stream), end)


@dataclass
class Uac:
    """One SIPp UAC run, with its message trace for failure messages."""

    proc: subprocess.Popen[bytes]
    script: Path

    def wait(self, timeout: float = 15) -> int:
        return self.proc.wait(timeout=timeout)

    def explain(self) -> str:
        parts = [self.script.with_suffix(s) for s in (".err", ".msg")]
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in parts if path.exists())

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=5)


def worker_call_refused(login: str, code: int) -> str:
    """A media worker's INVITE to an agent that must be refused with ``code`` (then the ACK of the refusal)."""
    return scenarios.scenario(
        f"worker-to-agent-refused-{code}",
        f"""<send retrans="500"><![CDATA[
INVITE sip:{login}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:media@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:{login}@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:media@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Length: 0

]]></send>
<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="{code}"/>
<send><![CDATA[
ACK sip:{login}@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:media@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
""",
    )


def start_sipp(workdir: Path, target: str, scenario: str, sip_port: int, media_port: int) -> Uac:
    """SIPp as a UAC bound to ``sip_port`` (a media worker's address in the edge's dispatcher set)."""
    script = workdir / f"uac-{sip_port}-{time.monotonic_ns()}.xml"
    script.write_text(scenario)
    command = [
        SIPP, target, "-sf", str(script), "-m", "1", "-i", "127.0.0.1", "-p", str(sip_port),
        "-mi", "127.0.0.1", "-mp", str(media_port), "-timeout", "30s", "-timeout_error", "-nostdin",
        "-trace_msg", "-message_file", str(script.with_suffix(".msg")),
        "-trace_err", "-error_file", str(script.with_suffix(".err")),
    ]  # fmt: skip
    proc = subprocess.Popen(
        command, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    return Uac(proc, script)


def make_tones(directory: Path) -> dict[str, Path]:
    """The agent's voice (440 Hz, 16-bit) and the caller's (1000 Hz, μ-law for RTP), 8 kHz mono."""
    directory.mkdir(parents=True, exist_ok=True)
    tones = {"agent": directory / "agent440.wav", "caller": directory / "caller1000-ulaw.wav"}
    sox = ["sox", "-n", "-r", "8000", "-c", "1"]
    subprocess.run([*sox, "-b", "16", str(tones["agent"]), "synth", "5", "sine", "440", "vol", "0.5"],
                   check=True, timeout=30)  # fmt: skip
    subprocess.run([*sox, "-e", "u-law", str(tones["caller"]), "synth", "20", "sine", "1000", "vol", "0.5"],
                   check=True, timeout=30)  # fmt: skip
    return tones
