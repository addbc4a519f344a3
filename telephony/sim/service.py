"""The simulation as a Twisted service: agents' softphones (``PhoneFleet``), agent bots (threads driving the
HTTP API) and SIPp callers per center, all started together and all stopped together.

Callers come from an injection file of numbers (mostly demo citizens, so the console's screen-pop shows a
history); they wait for the recording notice, press the keys that reach an agent, talk and wait for the
agent to end the call. Caller and agent take turns, in real Korean telephone speech (``telephony.sim.voices``,
CC BY 4.0): the caller's SIPp streams its utterances with silences long enough for the agent's replies
(``plan.Conversation.caller_track``), and the agent's softphone answers each caller utterance in the
silence after it (``telephony.phones.turns``). A share of callers instead lose the
line mid-call (a BYE with ``Reason: Q.850;cause=41``), which the desk treats as a drop: callback.
"""

from __future__ import annotations

import contextlib
import logging
import random
import shutil
import struct
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twisted.application import service
from twisted.internet import defer, error, protocol, threads
from twisted.python import failure

from telephony.phones.fleet import PhoneFleet
from telephony.phones.protocol import AgentPhone
from telephony.sim import sipp, voices
from telephony.sim.bots import AgentBot, ApiClient
from telephony.sim.plan import BotBrain, BotPolicy, CenterLoad, Conversation, caller_numbers

log = logging.getLogger("sori.sim")

SIPP_INSTALL = "apt-get install sip-tester"  # SIPp's Debian package



@dataclass(frozen=True)
class SimulationConfig:
    http_url: str
    sip_host: str
    sip_port: int
    loads: tuple[CenterLoad, ...]
    bots: tuple[tuple[str, str, str], ...]  # (login, API password, SIP password): in memory, never on argv
    policy: BotPolicy = field(default_factory=BotPolicy)
    drop_share: float = 0.05
    known_numbers: tuple[str, ...] = ()
    notice_s: float = 10.0  # when callers press the agent keys (after the recording notice)
    seed: int | None = None


class _Sipp(protocol.ProcessProtocol):
    def __init__(self, name: str) -> None:
        self.name = name
        self.ended: defer.Deferred[None] = defer.Deferred()

    def processEnded(self, reason: failure.Failure) -> None:
        log.info("simulated callers %s stopped", self.name)
        self.ended.callback(None)


class SimulationService(service.MultiService):
    name = "simulation"

    def __init__(self, config: SimulationConfig, state_dir: Path, reactor: Any) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.config = config
        self.state_dir = state_dir
        self.reactor = reactor
        self.rng = random.Random(config.seed)
        self.stop_event = threading.Event()
        self.bots: list[AgentBot] = []
        self.callers: list[tuple[Any, _Sipp]] = []
        self.fleet: PhoneFleet | None = None

    def startService(self) -> None:
        super().startService()  # type: ignore[no-untyped-call]
        self.state_dir.mkdir(parents=True, exist_ok=True)
        d = threads.deferToThread(self._audio)
        d.addCallback(self._start)
        d.addErrback(lambda f: log.error("simulation did not start: %s", f.getErrorMessage()))

    def _audio(self) -> Voices:
        return prepare_voices(self.state_dir / "voices", voices.conversation())

    def _start(self, audio: Voices) -> None:
        if not self.running:
            return
        caller_wav = audio.caller
        c = self.config
        phones = [AgentPhone(login, sip_password) for login, _, sip_password in c.bots]
        self.fleet = PhoneFleet(c.sip_host, c.sip_port, audio.replies[0], self.state_dir / "phones", self.reactor,
                                agents=phones, replies=audio.replies)  # fmt: skip
        self.fleet.setServiceParent(self)  # type: ignore[no-untyped-call]
        waits = [self.fleet.registered(p.login) for p in phones]
        registered = defer.DeferredList(waits, consumeErrors=True)
        registered.addCallback(lambda results: self._go(results, caller_wav))

    def _go(self, results: list[tuple[bool, Any]], caller_wav: Path) -> None:
        if not self.running:
            return
        c = self.config
        for (ok, result), (login, password, _) in zip(results, c.bots, strict=True):
            if not ok:
                log.warning("bot %s has no phone: %s", login, result.getErrorMessage())
                continue
            brain = BotBrain(c.policy, random.Random(self.rng.random()))
            bot = AgentBot(ApiClient(c.http_url, login, password), brain, self.stop_event)
            self.bots.append(bot)
            bot.start()
        for load in c.loads:
            self._callers(load, caller_wav)
        log.info("simulation running", extra={"bots": len(self.bots), "centers": [x.center for x in c.loads]})

    def _callers(self, load: CenterLoad, caller_wav: Path) -> None:
        c = self.config
        program = shutil.which("sipp")
        if program is None:  # `sori up` checks first (sori/doctor.py); `sori simulate` may still get here
            log.error("simulated callers of %s cannot start: sipp is not installed; install it with: %s",
                      load.center, SIPP_INSTALL)  # fmt: skip
            return
        numbers = self.state_dir / f"callers-{load.center}.csv"
        numbers.write_text("RANDOM\n" + "\n".join(caller_numbers(500, self.rng, list(c.known_numbers))) + "\n")
        talk = load.calls_per_minute * (1 - c.drop_share)
        drop = load.calls_per_minute * c.drop_share
        for kind, rate in (("talk", talk), ("drop", drop)):
            if rate <= 0:
                continue
            scenario = self.state_dir / f"{load.center}-{kind}.xml"
            scenario.write_text(caller_scenario(load, caller_wav, c.notice_s, dropping=kind == "drop"))
            period_ms = max(1, int(60000 / rate))
            args = ["sipp", f"{c.sip_host}:{c.sip_port}", "-sf", str(scenario), "-inf", str(numbers),
                    "-r", "1", "-rp", str(period_ms), "-i", c.sip_host, "-p", "0", "-mi", c.sip_host,
                    "-nostdin", "-timeout_error", "-trace_err", "-error_file",
                    str(self.state_dir / f"{load.center}-{kind}.err")]  # fmt: skip
            proto = _Sipp(f"{load.center}-{kind}")
            transport = self.reactor.spawnProcess(proto, program, args, env=None, path=str(self.state_dir))
            self.callers.append((transport, proto))

    def stopService(self) -> defer.Deferred[None]:
        self.stop_event.set()
        for transport, proto in self.callers:
            if not proto.ended.called:
                with contextlib.suppress(OSError, error.ProcessExitedAlready):
                    transport.signalProcess("KILL")
        ended = [proto.ended for _, proto in self.callers]
        bots = list(self.bots)

        @defer.inlineCallbacks
        def stop() -> Any:
            yield defer.gatherResults(ended, consumeErrors=True)
            yield threads.deferToThread(_join, bots)
            yield super(SimulationService, self).stopService()  # type: ignore[no-untyped-call]

        done: defer.Deferred[None] = stop()
        return done


def _join(bots: Iterable[AgentBot]) -> None:
    for bot in bots:
        bot.join(timeout=20)


PACKET_SAMPLES = 160  # 20 ms at 8 kHz: one RTP packet of SIPp's rtp_stream
#: Silence after the caller's last words. SIPp sends a few packets of noise (a loud click) when a stream that
#: plays once reaches its end; the tail keeps that end beyond nearly every call (the agent hangs up first).
TAIL_S = 90.0


@dataclass(frozen=True)
class Voices:
    """The call's audio, ready to play: the caller's track (8 kHz μ-law, for SIPp's ``rtp_stream``) and the
    agent's replies in order (8 kHz 16-bit PCM, for the softphone's player)."""

    caller: Path
    replies: tuple[Path, ...]


def prepare_voices(folder: Path, conversation: Conversation) -> Voices:
    """Render ``conversation``'s clips (``telephony.sim.voices``) into ``folder`` with sox: the caller's
    utterances with the silences its track needs (``Conversation.caller_track``), the agent's replies as is.
    Rebuilt at every start (a few milliseconds), so an older run's files are never reused."""
    folder.mkdir(parents=True, exist_ok=True)
    pcm = ["-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer"]
    parts = []
    for index, (silence, utterance) in enumerate(conversation.caller_track()):
        part = folder / f"caller-{index + 1}.wav"
        _sox(str(voices.clip_path(utterance)), *pcm, str(part), "pad", f"{silence:.3f}", "0")
        parts.append(str(part))
    raw = folder / "caller.ul"
    _sox(*parts, "-r", "8000", "-c", "1", "-t", "ul", str(raw), "pad", "0", f"{TAIL_S:.0f}")
    caller = folder / "caller-ulaw.wav"
    caller.write_bytes(ulaw_wav(raw.read_bytes()))
    raw.unlink()
    replies = []
    for index, utterance in enumerate(conversation.said_by("agent")):
        reply = folder / f"agent-{index + 1}.wav"
        _sox(str(voices.clip_path(utterance)), *pcm, str(reply))
        replies.append(reply)
    if not replies:
        raise ValueError("the conversation gives the agent nothing to say")
    return Voices(caller, tuple(replies))


def _sox(*args: str) -> None:
    subprocess.run(["sox", *args], check=True, timeout=60, capture_output=True)


def ulaw_wav(samples: bytes) -> bytes:
    """8 kHz μ-law samples as a WAV file whose header is the plain 44 bytes, cut to whole 20 ms packets.

    SIPp's ``rtp_stream`` skips 44 bytes of header and pads a last partial packet with zero bytes, which in
    μ-law is a full-scale click: sox's μ-law header (58 bytes, with a ``fact`` chunk) would leave both."""
    data = samples[: len(samples) // PACKET_SAMPLES * PACKET_SAMPLES]
    fmt = struct.pack("<HHIIHH", 7, 1, 8000, 8000, 1, 8)  # WAVE_FORMAT_MULAW, mono, 8 kHz, 8 bits
    chunks = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(chunks)) + chunks


def caller_scenario(load: CenterLoad, caller_wav: Path, notice_s: float, dropping: bool) -> str:
    """A citizen who asks for an agent, speaks their track once (utterances with room for the agent's
    replies in between), and waits for the agent to end the call (or loses the line)."""
    keys = "".join(sipp.key(k, int(notice_s * 1000) if i == 0 else 1200) for i, k in enumerate(load.agent_keys))
    parts = [sipp.invite(load.number, "[field0]"), keys, sipp.pause(1000), sipp.stream(str(caller_wav), loops=1)]
    if dropping:
        parts += [sipp.pause(40000), sipp.bye_with_cause(41, "Temporary failure")]
    else:
        parts += [
            '<recv request="BYE" timeout="300000" ontimeout="giveup"/>\n',
            sipp.OK_TO_BYE.replace("<send>", '<send next="done">', 1),
            '<label id="giveup"/>\n',
            sipp.BYE,
            '<label id="done"/>\n',
        ]
    return sipp.scenario(f"citizen calls {load.number}", *parts)
