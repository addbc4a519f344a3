"""Helpers for the media tests: an event log the pool writes to, SIPp scenarios, test audio and a tone detector."""

from __future__ import annotations

import math
import subprocess
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

from telephony.media.pool import WorkerEvent, WorkerLost
from telephony.sim.sipp import CITIZEN_SDP

SIPP_TIMEOUT = 40


class EventLog:
    """Every event and loss the pool reports (written on the reactor thread, awaited from the test thread)."""

    def __init__(self) -> None:
        self.events: list[WorkerEvent | WorkerLost] = []
        self.reactions: list[Callable[[WorkerEvent], None]] = []
        self._cond = threading.Condition()

    def on_event(self, event: WorkerEvent) -> None:
        for react in self.reactions:
            react(event)
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def on_lost(self, lost: WorkerLost) -> None:
        with self._cond:
            self.events.append(lost)
            self._cond.notify_all()

    def matching(self, name: str, **args: Any) -> list[WorkerEvent]:
        with self._cond:
            return [
                e
                for e in self.events
                if isinstance(e, WorkerEvent) and e.name == name and all(e.args.get(k) == v for k, v in args.items())
            ]

    def wait(self, name: str, timeout: float = 10.0, count: int = 1, **args: Any) -> list[WorkerEvent]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = self.matching(name, **args)
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {count}x {name} {args} within {timeout}s; got {self.events}")
                self._cond.wait(left)

    def wait_lost(self, timeout: float) -> WorkerLost:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self.events:
                    if isinstance(event, WorkerLost):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no WorkerLost within {timeout}s; got {self.events}")
                self._cond.wait(left)




def caller_scenario(hold_ms: int, dtmf_pcap: str | None = None, rtp_wav: str | None = None) -> str:
    """A citizen's call: INVITE (with X-Sori-Dialled), maybe DTMF or a tone, hold, BYE; a 486/503 is logged."""
    media = ""
    if dtmf_pcap:
        media += f'<pause milliseconds="1000"/><nop><action><exec play_pcap_audio="{dtmf_pcap}"/></action></nop>'
    if rtp_wav:
        media += f'<nop><action><exec rtp_stream="{rtp_wav},-1,0"/></action></nop>'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<scenario name="sori citizen">
<send retrans="500"><![CDATA[
INVITE sip:110@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: "citizen" <sip:01050000001@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:110@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: sip:citizen@[local_ip]:[local_port]
Max-Forwards: 70
X-Sori-Dialled: 110
Content-Type: application/sdp
Content-Length: [len]

{CITIZEN_SDP}]]></send>
<recv response="100" optional="true"/>
<recv response="180" optional="true"/>
<recv response="486" optional="true" next="refused"/>
<recv response="503" optional="true" next="refused"/>
<recv response="200" rtd="true"/>
<send><![CDATA[
ACK sip:110@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[last_From:]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Contact: sip:citizen@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0

]]></send>
<nop><action><log message="answered [call_number]"/></action></nop>
{media}
<pause milliseconds="{hold_ms}"/>
<send retrans="500"><![CDATA[
BYE sip:110@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
[last_From:]
[last_To:]
Call-ID: [call_id]
CSeq: 2 BYE
Contact: sip:citizen@[local_ip]:[local_port]
Max-Forwards: 70
Content-Length: 0

]]></send>
<recv response="200" crlf="true" next="done"/>
<label id="refused"/>
<send><![CDATA[
ACK sip:110@[remote_ip]:[remote_port] SIP/2.0
[last_Via:]
[last_From:]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
<nop><action><log message="refused [call_number]"/></action></nop>
<label id="done"/>
</scenario>
"""


def start_sipp(workdir: Path, target: str, scenario: str, calls: int, sip_port: int, media_port: int) -> Any:
    path = workdir / f"scenario-{sip_port}.xml"
    path.write_text(scenario)
    command = [
        "sipp", target, "-sf", str(path), "-m", str(calls), "-l", str(calls), "-r", "20",
        "-i", "127.0.0.1", "-p", str(sip_port), "-mi", "127.0.0.1", "-mp", str(media_port),
        "-timeout", f"{SIPP_TIMEOUT}s", "-timeout_error", "-nostdin", "-trace_err", "-trace_logs",
        "-log_file", str(workdir / f"sipp-{sip_port}.log"), "-error_file", str(workdir / f"sipp-{sip_port}.err"),
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def sipp_log(workdir: Path, sip_port: int) -> str:
    path = workdir / f"sipp-{sip_port}.log"
    return path.read_text() if path.exists() else ""


def make_audio(directory: Path) -> dict[str, Path]:
    """A Korean prompt (espeak-ng), a 440 Hz agent tone and a 1000 Hz μ-law caller tone, all 8 kHz mono."""
    directory.mkdir(parents=True, exist_ok=True)
    raw = directory / "prompt-raw.wav"
    files = {
        "prompt": directory / "prompt.wav",
        "agent_tone": directory / "tone440.wav",
        "caller_tone": directory / "tone1000-ulaw.wav",
    }
    text = "안녕하세요. 정부민원안내콜센터입니다."
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True, timeout=30)
    subprocess.run(["sox", str(raw), "-r", "8000", "-c", "1", "-b", "16", str(files["prompt"])], check=True, timeout=30)
    tone = ["sox", "-n", "-r", "8000", "-c", "1"]
    subprocess.run([*tone, "-b", "16", str(files["agent_tone"]), "synth", "20", "sine", "440", "vol", "0.5"],
                   check=True, timeout=30)  # fmt: skip
    subprocess.run([*tone, "-e", "u-law", str(files["caller_tone"]), "synth", "20", "sine", "1000", "vol", "0.5"],
                   check=True, timeout=30)  # fmt: skip
    return files


def read_samples(path: Path) -> tuple[list[int], int]:
    with wave.open(str(path)) as wav:
        assert wav.getsampwidth() == 2 and wav.getnchannels() == 1
        frames = wav.readframes(wav.getnframes())
        rate = wav.getframerate()
    return [int.from_bytes(frames[i : i + 2], "little", signed=True) for i in range(0, len(frames), 2)], rate


def tone_power(samples: list[int], rate: int, frequency: float) -> float:
    """Goertzel: the power of one frequency in the samples, normalised by their count."""
    coefficient = 2 * math.cos(2 * math.pi * frequency / rate)
    s_prev = s_prev2 = 0.0
    for sample in samples:
        s = sample + coefficient * s_prev - s_prev2
        s_prev2, s_prev = s_prev, s
    power = s_prev2**2 + s_prev**2 - coefficient * s_prev * s_prev2
    return power / max(1, len(samples)) ** 2
