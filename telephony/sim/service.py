"""The simulation as a Twisted service: agents' softphones (``PhoneFleet``), agent bots (threads driving the
HTTP API) and SIPp callers per center, all started together and all stopped together.

Callers come from an injection file of numbers (mostly demo citizens, so the console's screen-pop shows a
history); they wait for the recording notice, press the keys that reach an agent, talk (RTP from a
synthesised Korean sentence) and wait for the agent to end the call. A share of callers instead lose the
line mid-call (a BYE with ``Reason: Q.850;cause=41``), which the desk treats as a drop: callback.
"""

from __future__ import annotations

import contextlib
import logging
import random
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
from telephony.sim import sipp
from telephony.sim.bots import AgentBot, ApiClient
from telephony.sim.plan import BotBrain, BotPolicy, CenterLoad, caller_numbers

log = logging.getLogger("sori.sim")

AGENT_LINE = "네, 상담사입니다. 무엇을 도와드릴까요? 확인해 보겠습니다. 잠시만 기다려 주십시오."
CALLER_LINE = "안녕하세요. 문의드릴 것이 있어서 전화했습니다. 신청 방법을 알고 싶습니다."


@dataclass(frozen=True)
class SimulationConfig:
    http_url: str
    sip_host: str
    sip_port: int
    loads: tuple[CenterLoad, ...]
    bots: tuple[tuple[str, str], ...]  # (login, password)
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

    def _audio(self) -> tuple[Path, Path]:
        agent, caller = self.state_dir / "agent.wav", self.state_dir / "caller-ulaw.wav"
        for path, text, encoding in ((agent, AGENT_LINE, ["-b", "16"]), (caller, CALLER_LINE, ["-e", "u-law"])):
            if path.exists():
                continue
            raw = path.with_suffix(".raw.wav")
            subprocess.run(["espeak-ng", "-v", "ko", "-s", "160", "-w", str(raw), text], check=True, timeout=60)
            subprocess.run(["sox", str(raw), "-r", "8000", "-c", "1", *encoding, str(path)], check=True, timeout=60)
            raw.unlink()
        return agent, caller

    def _start(self, audio: tuple[Path, Path]) -> None:
        if not self.running:
            return
        agent_wav, caller_wav = audio
        c = self.config
        phones = [AgentPhone(login, password) for login, password in c.bots]
        self.fleet = PhoneFleet(c.sip_host, c.sip_port, agent_wav, self.state_dir / "phones", self.reactor,
                                agents=phones)  # fmt: skip
        self.fleet.setServiceParent(self)  # type: ignore[no-untyped-call]
        waits = [self.fleet.registered(p.login) for p in phones]
        registered = defer.DeferredList(waits, consumeErrors=True)
        registered.addCallback(lambda results: self._go(results, caller_wav))

    def _go(self, results: list[tuple[bool, Any]], caller_wav: Path) -> None:
        if not self.running:
            return
        c = self.config
        for (ok, result), (login, password) in zip(results, c.bots, strict=True):
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
            transport = self.reactor.spawnProcess(proto, "/usr/bin/sipp", args, env=None, path=str(self.state_dir))
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


def caller_scenario(load: CenterLoad, caller_wav: Path, notice_s: float, dropping: bool) -> str:
    """A citizen who asks for an agent, talks, and waits for the agent to end the call (or loses the line)."""
    keys = "".join(sipp.key(k, int(notice_s * 1000) if i == 0 else 1200) for i, k in enumerate(load.agent_keys))
    parts = [sipp.invite(load.number, "[field0]"), keys, sipp.pause(1000), sipp.stream(str(caller_wav))]
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
