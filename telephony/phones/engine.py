"""The pjsua2 side of the agents' softphone: accounts that register, calls that are answered and recorded.

``Softphone`` owns one pjsua2 endpoint and up to 4 agents (one ``AgentAccount`` each, one call at a time).
It runs its own loop (no reactor: the process is nothing but phones): pjsua2 has no threads of its own
(``threadCnt=0``, ``mainThreadOnly``), so ``run`` polls ``libHandleEvents``, the command lines and the
timers (answer delay, talk time, recordings being finished). Only DTMF callbacks may arrive on the media
clock thread; they only emit an event. Every ``Call`` is referenced from its account until its
``onCallState(DISCONNECTED)`` and dropped there: an unreferenced incoming call is collected and answered
603, and a ``Call`` destroyed later would hang up whichever call reuses its id. Timers therefore name a
call by (account, number), never hold it.
"""

from __future__ import annotations

import heapq
import os
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from itertools import count
from pathlib import Path
from typing import Any, Protocol

import pjsua2 as pj

from telephony.media.legs import active_audio, wav_seconds
from telephony.phones.protocol import (
    MAX_AGENTS_PER_PROCESS,
    AgentPhone,
    BadCommand,
    Dtmf,
    Hangup,
    Quit,
    parse_command,
    reported_headers,
)
from telephony.phones.turns import POLL_S, TurnTaker

REALM = "sori"
RECORDING_FLUSH_S = 2.0  # the WAV header is written a bridge clock tick after the recorder is dropped
UNREGISTER_WAIT_S = 1.0


class EventSink(Protocol):
    """Where the phone reports what happened (stdout, one JSON object a line); callable from any thread."""

    def emit(self, event: str, **fields: Any) -> None: ...


class CommandSource(Protocol):
    eof: bool

    def poll(self) -> list[str]: ...


class StderrLog(pj.LogWriter):  # type: ignore[misc]
    """pjsua2's own log goes to stderr: stdout carries only events."""

    def write(self, entry: Any) -> None:
        sys.stderr.write(str(entry.msg).rstrip("\n") + "\n")


class AgentAccount(pj.Account):  # type: ignore[misc]
    def __init__(self, phone: Softphone, agent: AgentPhone) -> None:
        pj.Account.__init__(self)
        self.phone = phone
        self.agent = agent
        self.call: AgentCall | None = None  # the one call this agent is on
        self.registered = False
        self.calls_taken = 0

    def onRegState(self, prm: Any) -> None:
        self.phone.registration(self, int(prm.code), str(prm.reason), int(prm.expiration))

    def onIncomingCall(self, prm: Any) -> None:
        self.phone.incoming(self, prm)


class AgentCall(pj.Call):  # type: ignore[misc]
    def __init__(self, phone: Softphone, account: AgentAccount, call_id: int) -> None:
        pj.Call.__init__(self, account, call_id)
        self.phone = phone
        self.account = account
        self.number = 0  # this agent's n-th call; timers name a call by it, never hold the Call itself
        self.sip_call_id = ""
        self.answered_at: float | None = None
        self.hung_up_here = False
        self.player: Any = None
        self.turns: TurnTaker | None = None  # with replies: when this call's agent speaks
        self.recorder: Any = None
        self.recording: Path | None = None

    def onCallState(self, prm: Any) -> None:
        self.phone.call_state(self)

    def onCallMediaState(self, prm: Any) -> None:
        self.phone.call_media(self)

    def onDtmfDigit(self, prm: Any) -> None:
        self.phone.events.emit("dtmf", login=self.account.agent.login, call_id=self.sip_call_id, digit=str(prm.digit))


class Softphone:
    def __init__(
        self,
        events: EventSink,
        edge: str,
        bind: str,
        port: int,
        wav: Path,
        record_dir: Path | None,
        agents: list[AgentPhone],
        register_gap_s: float = 0.25,
        replies: Sequence[Path] = (),
    ) -> None:
        """``replies``: instead of looping ``wav``, answer each caller utterance with the next of these."""
        self.edge = edge
        self.replies = tuple(replies)
        self.reply_seconds = [wav_seconds(path) for path in self.replies]
        self.bind = bind
        self.port = port
        self.wav = wav
        self.record_dir = record_dir
        self.agents = agents
        self.register_gap_s = register_gap_s
        self.events = events
        self.accounts: dict[str, AgentAccount] = {}
        self.refused: dict[int, AgentCall] = {}  # busy-refused calls, kept alive until their DISCONNECTED
        self.running = True
        self.stopping = False
        self._unreported = 0  # ended calls waiting for their recording's WAV header
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._order = count()
        self._ep: Any = None
        self._log_writer = StderrLog()

    # -- life cycle -------------------------------------------------------------------------

    def start(self, log_level: int) -> None:
        ep = pj.Endpoint()
        ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = MAX_AGENTS_PER_PROCESS  # so a busy agent's second call is ours to refuse
        cfg.uaConfig.userAgent = "sori-agent-phone"
        cfg.logConfig.level = log_level
        cfg.logConfig.consoleLevel = log_level
        cfg.logConfig.writer = self._log_writer
        cfg.medConfig.sndAutoCloseTime = -1  # with the null device, otherwise each finished call leaks a port
        cfg.medConfig.clockRate = 8000
        cfg.medConfig.sndClockRate = 8000
        cfg.medConfig.ecTailLen = 0
        cfg.medConfig.noVad = True
        ep.libInit(cfg)
        transport = pj.TransportConfig()
        transport.port = self.port
        transport.boundAddress = self.bind
        transport_id = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        ep.libStart()
        ep.audDevManager().setNullDev()
        self._ep = ep
        self.port = int(ep.transportGetInfo(transport_id).localName.rsplit(":", 1)[1])
        for index, agent in enumerate(self.agents):
            account = AgentAccount(self, agent)
            account.create(self._account_config(agent), True)
            self.accounts[agent.login] = account
            # One after another: the edge's flood protection (pike) counts REGISTERs per source address.
            self.later(index * self.register_gap_s, partial(self._register, account))
        self.events.emit("ready", port=self.port, pid=os.getpid(), logins=[a.login for a in self.agents])

    def _account_config(self, agent: AgentPhone) -> Any:
        edge_host = self.edge.rsplit(":", 1)[0]
        cfg = pj.AccountConfig()
        cfg.idUri = f"sip:{agent.login}@{edge_host}"
        cfg.regConfig.registrarUri = f"sip:{self.edge}"
        cfg.regConfig.registerOnAdd = False
        cfg.regConfig.retryIntervalSec = 10  # after a timeout or 5xx; a refused password is not retried
        cfg.regConfig.unregWaitMsec = int(UNREGISTER_WAIT_S * 1000)
        cfg.sipConfig.authCreds.append(pj.AuthCredInfo("digest", REALM, agent.login, 0, agent.password))
        cfg.mediaConfig.transportConfig.boundAddress = self.bind
        return cfg

    def _register(self, account: AgentAccount) -> None:
        if self.stopping:
            return
        try:
            account.setRegistration(True)
        except pj.Error as error:
            self.events.emit("registration-failed", login=account.agent.login, code=0, reason=str(error.reason))

    def run(self, stdin: CommandSource | None) -> None:
        while self.running:
            self._ep.libHandleEvents(10)
            self._run_timers()
            if stdin is not None:
                for line in stdin.poll():
                    if line:
                        self.command(line)
                if stdin.eof:
                    self.running = False

    def shutdown(self) -> None:
        """Hang up, report the last calls, unregister, then release every pjsua2 object and the library."""
        self.stopping = True
        if self._ep is None:
            return
        for account in self.accounts.values():
            if account.call is not None:
                self._hangup(account.call)
        deadline = time.monotonic() + RECORDING_FLUSH_S + 1
        while (self._busy() or self._unreported) and time.monotonic() < deadline:
            self._ep.libHandleEvents(10)
            self._run_timers()
        for account in self.accounts.values():
            if account.registered:
                try:
                    account.setRegistration(False)
                except pj.Error:
                    account.registered = False
        deadline = time.monotonic() + UNREGISTER_WAIT_S
        while any(a.registered for a in self.accounts.values()) and time.monotonic() < deadline:
            self._ep.libHandleEvents(10)
        self.refused.clear()
        for account in self.accounts.values():
            account.call = None
        self.accounts.clear()
        # Port removals are queued to the bridge's clock thread; let them run before the bridge goes.
        deadline = time.monotonic() + 0.3
        while time.monotonic() < deadline:
            self._ep.libHandleEvents(20)
        self._ep.libDestroy()
        self._ep = None
        self.events.emit("stopped")

    def _busy(self) -> bool:
        return bool(self.refused) or any(a.call is not None for a in self.accounts.values())

    # -- timers (the loop is ours, not a reactor's) ------------------------------------------

    def later(self, delay: float, function: Callable[[], None]) -> None:
        heapq.heappush(self._timers, (time.monotonic() + delay, next(self._order), function))

    def _run_timers(self) -> None:
        now = time.monotonic()
        while self._timers and self._timers[0][0] <= now:
            _, _, function = heapq.heappop(self._timers)
            function()

    # -- pjsua2 callbacks -------------------------------------------------------------------

    def registration(self, account: AgentAccount, code: int, reason: str, expiration: int) -> None:
        login = account.agent.login
        if 200 <= code < 300 and expiration > 0:
            if not account.registered:
                self.events.emit("registered", login=login, code=code, expires=expiration)
            account.registered = True
        elif 200 <= code < 300:
            account.registered = False
            self.events.emit("unregistered", login=login, code=code)
        else:
            account.registered = False
            if not self.stopping:
                self.events.emit("registration-failed", login=login, code=code, reason=reason)

    def incoming(self, account: AgentAccount, prm: Any) -> None:
        call = AgentCall(self, account, prm.callId)
        info = call.getInfo()
        call.sip_call_id = str(info.callIdString)
        login = account.agent.login
        if account.call is not None or self.stopping:
            code = 503 if self.stopping else 486  # one call per agent: pjsua2 allows 4 per process
            self.refused[call.getId()] = call
            # Not from inside onIncomingCall: a call ended there makes pjsua2 2.15 free the INVITE's cloned
            # rdata twice (``pjsip_rx_data_free_cloned: Assertion `rdata' failed``, the process aborts).
            self.later(0, partial(self._refuse, call.getId(), code))
            self.events.emit("refused", login=login, call_id=call.sip_call_id, code=code)
            return
        account.call = call
        account.calls_taken += 1
        call.number = number = account.calls_taken
        if self.record_dir is not None:
            call.recording = self.record_dir / f"{login}-{account.calls_taken}.wav"
        self.events.emit(
            "incoming",
            login=login,
            call_id=call.sip_call_id,
            from_uri=str(info.remoteUri),
            headers=reported_headers(str(prm.rdata.wholeMsg)),
        )
        if account.agent.answer_after_s <= 0:
            self._reply(call, 200)
            return
        self._reply(call, 180)
        self.later(account.agent.answer_after_s, lambda: self._answer(account, number))

    def _refuse(self, call_index: int, code: int) -> None:
        call = self.refused.get(call_index)
        if call is not None:
            self._reply(call, code)

    def _current(self, account: AgentAccount, number: int) -> AgentCall | None:
        call = account.call
        return call if call is not None and call.number == number else None

    def _answer(self, account: AgentAccount, number: int) -> None:
        call = self._current(account, number)
        if call is not None and call.answered_at is None:
            self._reply(call, 200)

    def _reply(self, call: AgentCall, code: int) -> None:
        prm = pj.CallOpParam(True)
        prm.statusCode = code
        try:
            if code >= 300:
                call.hangup(prm)
            else:
                call.answer(prm)
        except pj.Error as error:
            self.events.emit("error", login=call.account.agent.login, reason=f"answer {code}: {error.reason}")

    def call_state(self, call: AgentCall) -> None:
        info = call.getInfo()
        account = call.account
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED and call.answered_at is None and account.call is call:
            call.answered_at = time.monotonic()
            self.events.emit("answered", login=account.agent.login, call_id=call.sip_call_id)
            talk = account.agent.talk_s
            if talk is not None:
                number = call.number
                self.later(talk, lambda: self._hangup_after_talk(account, number))
            return
        if info.state != pj.PJSIP_INV_STATE_DISCONNECTED:
            return
        # Drop every reference now: a Call destroyed later would hang up whichever call reuses its id.
        self.refused.pop(call.getId(), None)
        if account.call is not call:
            return
        account.call = None
        seconds = 0.0 if call.answered_at is None else round(time.monotonic() - call.answered_at, 3)
        ended = {
            "login": account.agent.login,
            "call_id": call.sip_call_id,
            "seconds": seconds,
            "code": int(info.lastStatusCode),
            "reason": str(info.lastReason),
            "by": "phone" if call.hung_up_here else "far-end",
        }
        call.player = None
        recording = call.recording if call.recorder is not None else None
        call.recorder = None  # only queues its removal from the bridge: the WAV is complete a tick later
        if recording is None:
            self.events.emit("ended", **ended, recording=None)
        else:
            self._unreported += 1
            self._report_when_written(recording, ended, time.monotonic() + RECORDING_FLUSH_S)

    def _report_when_written(self, path: Path, ended: dict[str, Any], deadline: float) -> None:
        if wav_seconds(path) <= 0 and time.monotonic() < deadline:
            self.later(0.02, lambda: self._report_when_written(path, ended, deadline))
            return
        self._unreported -= 1
        self.events.emit("ended", **ended, recording=str(path))

    def call_media(self, call: AgentCall) -> None:
        audio = active_audio(call)
        if audio is None:
            return
        try:
            self._connect(call, audio)
        except pj.Error as error:  # an unreadable WAV, an unwritable recording: the call goes on without
            self.events.emit("error", login=call.account.agent.login, reason=f"media: {error.title}: {error.reason}")

    def _connect(self, call: AgentCall, audio: Any) -> None:
        """The agent's voice into the call, the call into the recorder (again after a re-INVITE)."""
        if self.replies:
            if call.turns is None:
                call.turns = TurnTaker(self.reply_seconds)
                self.later(POLL_S, partial(self._listen, call.account, call.number))
            # the bridge measures a port's level only while someone listens to it: the null device does
            audio.startTransmit(self._ep.audDevManager().getPlaybackDevMedia())
        elif call.player is None:
            call.player = pj.AudioMediaPlayer()
            call.player.createPlayer(str(self.wav), 0)  # 0: loop
        if call.player is not None:
            call.player.startTransmit(audio)
        if call.recording is not None:
            if call.recorder is None:
                call.recording.parent.mkdir(parents=True, exist_ok=True)
                call.recorder = pj.AudioMediaRecorder()
                call.recorder.createRecorder(str(call.recording))
            audio.startTransmit(call.recorder)

    def _listen(self, account: AgentAccount, number: int) -> None:
        """Turn-taking (``telephony.phones.turns``): the caller's level in, the next reply out when it is due."""
        call = self._current(account, number)
        if call is None or call.turns is None or call.turns.done:
            return
        audio = active_audio(call)
        try:
            # pjsua2's "tx" level of the call's port: what the port sends into the bridge, i.e. the caller
            reply = None if audio is None else call.turns.hear(time.monotonic(), int(audio.getTxLevel()))
            if reply is not None:
                call.player = pj.AudioMediaPlayer()
                call.player.createPlayer(str(self.replies[reply]), pj.PJMEDIA_FILE_NO_LOOP)
                call.player.startTransmit(audio)
                since = round(time.monotonic() - (call.answered_at or 0.0), 2)  # seconds since the answer
                self.events.emit("reply", login=account.agent.login, call_id=call.sip_call_id, reply=reply, at=since)
        except pj.Error as error:
            self.events.emit("error", login=account.agent.login, reason=f"reply: {error.title}: {error.reason}")
        self.later(POLL_S, partial(self._listen, account, number))

    def _hangup_after_talk(self, account: AgentAccount, number: int) -> None:
        call = self._current(account, number)
        if call is not None:
            self._hangup(call)

    def _hangup(self, call: AgentCall) -> None:
        call.hung_up_here = True
        try:
            call.hangup(pj.CallOpParam(True))
        except pj.Error as error:
            self.events.emit("error", login=call.account.agent.login, reason=f"hangup: {error.reason}")

    # -- commands ---------------------------------------------------------------------------

    def command(self, line: str) -> None:
        try:
            command = parse_command(line)
            if isinstance(command, Quit):
                self.running = False
                return
            account = self.accounts.get(command.login)
            if account is None:
                raise BadCommand(f"no agent {command.login!r} in this phone")
            call = account.call
            if call is None:
                raise BadCommand(f"{command.login} is not on a call")
            if isinstance(command, Hangup):
                self._hangup(call)
            elif isinstance(command, Dtmf):
                try:
                    call.dialDtmf(command.digits)
                except pj.Error as error:
                    raise BadCommand(f"dtmf: {error.reason}") from None
        except BadCommand as error:
            self.events.emit("error", reason=str(error), line=line[:200])
