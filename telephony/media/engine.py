"""The media engine of one worker: a pjsua2 endpoint driven by the Twisted reactor.

Limits measured for pjsua2-python 2.15.1: 4 calls per process, so the engine refuses a call
beyond ``capacity`` with 486 (and every new call with 503 once drained). Media flows through
the endpoint's conference bridge: prompts and the other leg of a bridge transmit into a call's
port, and a recorder receives every leg of a recorded conversation, which the bridge mixes.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any, Protocol

import pjsua2 as pj
from twisted.internet import defer, task
from twisted.protocols import amp

from telephony.media import protocol as p
from telephony.media.legs import Leg, Prompt, WorkerAccount, interesting_headers, tx_option, wav_seconds

log = logging.getLogger("sori.media.engine")

_STATES = {
    pj.PJSIP_INV_STATE_CALLING: "calling",
    pj.PJSIP_INV_STATE_INCOMING: "incoming",
    pj.PJSIP_INV_STATE_EARLY: "early",
    pj.PJSIP_INV_STATE_CONNECTING: "connecting",
    pj.PJSIP_INV_STATE_CONFIRMED: "confirmed",
    pj.PJSIP_INV_STATE_DISCONNECTED: "disconnected",
}


class EventSink(Protocol):
    """Where the engine reports what happened (the AMP connection to the control process)."""

    def emit(self, command: type[amp.Command], **arguments: Any) -> None: ...


@dataclass
class Recording:
    path: Path
    recorder: Any
    sources: set[str] = field(default_factory=set)


class MediaEngine:
    def __init__(
        self, worker_id: str, host: str, sip_port: int, capacity: int, sink: EventSink, reactor: Any, rtp_port: int = 0
    ) -> None:
        self.worker_id = worker_id
        self.rtp_port = rtp_port  # first RTP port of this worker's own range (0: pjsua2's default, 4000 up)
        self.host = host
        self.sip_port = sip_port
        self.capacity = capacity
        self.sink = sink
        self.reactor = reactor
        self.draining = False
        self.legs: dict[str, Leg] = {}
        self.refused: dict[int, Leg] = {}  # kept alive until their DISCONNECTED, like every Call
        self.prompts: dict[str, Prompt] = {}
        self.recordings: dict[str, Recording] = {}
        self.bridges: dict[str, set[str]] = {}
        self._numbers = count(1)
        self._ep: Any = None
        self._account: WorkerAccount | None = None
        self._poll: task.LoopingCall | None = None
        self._main = threading.get_ident()

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> str:
        ep = pj.Endpoint()
        ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = self.capacity
        cfg.uaConfig.userAgent = f"sori-media/{self.worker_id}"
        cfg.logConfig.level = 1
        cfg.logConfig.consoleLevel = 1
        cfg.medConfig.sndAutoCloseTime = -1  # with the null device, otherwise each finished call leaks a port
        cfg.medConfig.clockRate = 8000
        cfg.medConfig.sndClockRate = 8000
        cfg.medConfig.ecTailLen = 0  # an echo canceller would eat one side of a bridged recording
        cfg.medConfig.noVad = True
        ep.libInit(cfg)
        transport = pj.TransportConfig()
        transport.port = self.sip_port
        transport.boundAddress = self.host
        transport_id = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        ep.libStart()
        ep.audDevManager().setNullDev()
        self.sip_port = int(ep.transportGetInfo(transport_id).localName.rsplit(":", 1)[1])
        self._ep = ep
        account_cfg = pj.AccountConfig()
        account_cfg.idUri = self.sip_uri
        account_cfg.mediaConfig.transportConfig.boundAddress = self.host
        if self.rtp_port:
            account_cfg.mediaConfig.transportConfig.port = self.rtp_port
            account_cfg.mediaConfig.transportConfig.portRange = 4 * self.capacity
        self._account = WorkerAccount(self)
        self._account.create(account_cfg, True)
        self._poll = task.LoopingCall(self._handle_events)
        self._poll.clock = self.reactor
        self._poll.start(0.01, now=True)
        return self.sip_uri

    @property
    def sip_uri(self) -> str:
        return f"sip:media@{self.host}:{self.sip_port}"

    def _handle_events(self) -> None:
        while self._ep.libHandleEvents(0) > 0:
            pass

    def hangup_all(self) -> None:
        for leg in list(self.legs.values()):
            try:
                leg.hangup(pj.CallOpParam(True))
            except pj.Error:
                log.exception("hangup at shutdown failed")

    def destroy(self) -> None:
        """Release every pjsua2 object, then the library; the reactor has stopped by now."""
        if self._poll is not None and self._poll.running:
            self._poll.stop()
        if self._ep is None:
            return
        self.hangup_all()
        for _ in range(50):
            if not self._ep.libHandleEvents(10) and not self.legs:
                break
        self.prompts.clear()
        self.recordings.clear()
        self.legs.clear()
        self.refused.clear()
        self._account = None
        # Port removals are queued to the bridge's clock thread; let them run before the bridge goes.
        deadline = time.monotonic() + 0.3
        while time.monotonic() < deadline:
            self._ep.libHandleEvents(20)
        self._ep.libDestroy()
        self._ep = None

    def load(self) -> dict[str, Any]:
        return {
            "calls": len(self.legs),
            "capacity": self.capacity,
            "players": len(self.prompts),
            "recorders": len(self.recordings),
            "draining": self.draining,
        }

    # -- pjsua2 callbacks (LegOwner) --------------------------------------------------------

    def incoming(self, account: WorkerAccount, prm: Any) -> None:
        call_ref = f"{self.worker_id}.{next(self._numbers)}"
        leg = Leg(self, account, call_ref, prm.callId)
        refuse = 503 if self.draining else 486 if len(self.legs) >= self.capacity else 0
        if refuse:
            # Ending the call inside onIncomingCall makes pjsua2 2.15 free the cloned INVITE twice (an
            # assertion aborts the process): refuse it on the next turn of the reactor, keeping the reference.
            self.refused[leg.getId()] = leg
            self.reactor.callLater(0, self._refuse, leg, refuse)
            return
        self.legs[call_ref] = leg
        info = leg.getInfo()
        ringing = pj.CallOpParam(True)
        ringing.statusCode = 180
        leg.answer(ringing)
        self.sink.emit(
            p.IncomingCall,
            call_ref=call_ref,
            call_id=info.callIdString,
            from_uri=info.remoteUri,
            to_uri=info.localUri,
            headers=p.header_list(interesting_headers(prm.rdata.wholeMsg)),
        )

    def _refuse(self, leg: Leg, code: int) -> None:
        answer = pj.CallOpParam(True)
        answer.statusCode = code
        try:
            leg.hangup(answer)
        except pj.Error:
            self.refused.pop(leg.getId(), None)

    def leg_state(self, leg: Leg) -> None:
        info = leg.getInfo()
        if info.state != pj.PJSIP_INV_STATE_DISCONNECTED:
            if self.legs.get(leg.call_ref) is leg:
                self.sink.emit(
                    p.CallState, call_ref=leg.call_ref, state=_STATES.get(info.state, "unknown"), code=0, reason=""
                )
            return
        # Drop every reference now: a Call destroyed later would hang up whichever call reuses its id.
        self.refused.pop(leg.getId(), None)
        if self.legs.get(leg.call_ref) is not leg:
            return
        self._release(leg.call_ref)
        del self.legs[leg.call_ref]
        self.sink.emit(
            p.CallState,
            call_ref=leg.call_ref,
            state="disconnected",
            code=int(info.lastStatusCode),
            reason=str(info.lastReason),
            cause=leg.cause if leg.cause is not None else 0,
        )

    def leg_media(self, leg: Leg) -> None:
        # A re-INVITE rebuilds the call's port: reconnect its bridge partners and recorder.
        audio = leg.audio()
        if audio is None:
            return
        for peer_ref in self.bridges.get(leg.call_ref, set()):
            peer = self.legs.get(peer_ref)
            peer_audio = peer.audio() if peer else None
            if peer_audio is not None:
                audio.startTransmit(peer_audio)
                peer_audio.startTransmit(audio)
        for recording in self.recordings.values():
            if leg.call_ref in recording.sources:
                audio.startTransmit(recording.recorder)

    def leg_dtmf(self, leg: Leg, digit: str) -> None:
        self._on_reactor(self.sink.emit, p.DtmfReceived, call_ref=leg.call_ref, digit=digit)

    def leg_transfer_status(self, leg: Leg, code: int, reason: str, final: bool) -> None:
        self.sink.emit(p.CallState, call_ref=leg.call_ref, state="transfer", code=code, reason=reason)
        if final and 200 <= code < 300:
            self.reactor.callLater(0, self._hangup_quietly, leg.call_ref)

    def prompt_eof(self, playback_id: str) -> None:
        self._on_reactor(self._prompt_finished, playback_id)

    def _on_reactor(self, function: Any, *args: Any, **kwargs: Any) -> None:
        if threading.get_ident() == self._main:
            function(*args, **kwargs)
        else:
            self.reactor.callFromThread(function, *args, **kwargs)

    def _prompt_finished(self, playback_id: str) -> None:
        # Destroying a player inside its own onEof2 is not allowed; here we are past it.
        prompt = self.prompts.pop(playback_id, None)
        if prompt is not None:
            self.sink.emit(p.PlaybackDone, call_ref=prompt.call_ref, playback_id=playback_id)

    # -- commands from the control process --------------------------------------------------

    def leg(self, call_ref: str) -> Leg:
        leg = self.legs.get(call_ref)
        if leg is None:
            raise p.CallNotFound(call_ref)
        return leg

    def audio(self, call_ref: str) -> Any:
        audio = self.leg(call_ref).audio()
        if audio is None:
            raise p.NoMedia(call_ref)
        return audio

    def answer(self, call_ref: str, code: int | None) -> None:
        prm = pj.CallOpParam(True)
        prm.statusCode = code or 200
        self._sip(self.leg(call_ref).answer, prm)

    def play(self, call_ref: str, wav_paths: list[str], loop: bool, playback_id: str) -> None:
        if not wav_paths:
            raise p.BadRequest("no files to play")
        if playback_id in self.prompts:
            raise p.BadRequest(f"playback {playback_id} already running")
        for path in wav_paths:
            if not Path(path).is_file():
                raise p.BadRequest(f"no such file: {path}")
        audio = self.audio(call_ref)
        prompt = Prompt(self, call_ref, playback_id, loop)
        options = 0 if loop else pj.PJMEDIA_FILE_NO_LOOP
        if len(wav_paths) == 1:
            self._sip(prompt.createPlayer, wav_paths[0], options)
        else:
            files = pj.StringVector()
            for path in wav_paths:
                files.append(path)
            self._sip(prompt.createPlaylist, files, playback_id, options)
        self.prompts[playback_id] = prompt
        prompt.startTransmit(audio)
        recording = self.recordings.get(call_ref)
        if recording is not None:  # what the caller hears (prompts, music) is part of the call's recording
            prompt.startTransmit(recording.recorder)

    def stop_play(self, call_ref: str, playback_id: str | None) -> int:
        self.leg(call_ref)
        doomed = [
            pid for pid, prompt in self.prompts.items() if prompt.call_ref == call_ref and playback_id in (None, pid)
        ]
        if playback_id is not None and not doomed:
            raise p.PlaybackNotFound(playback_id)
        for pid in doomed:
            del self.prompts[pid]
        return len(doomed)

    def start_recording(self, call_ref: str, path: str) -> None:
        audio = self.audio(call_ref)
        if call_ref in self.recordings:
            raise p.BadRequest(f"{call_ref} is already recorded")
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        recorder = pj.AudioMediaRecorder()
        self._sip(recorder.createRecorder, str(target))
        recording = Recording(target, recorder, {call_ref})
        audio.startTransmit(recorder)
        for prompt in self.prompts.values():
            if prompt.call_ref == call_ref:
                prompt.startTransmit(recorder)
        for peer_ref in self.bridges.get(call_ref, set()):
            peer_audio = self.legs[peer_ref].audio()
            if peer_audio is not None:
                peer_audio.startTransmit(recorder)
                recording.sources.add(peer_ref)
        self.recordings[call_ref] = recording

    def stop_recording(self, call_ref: str) -> defer.Deferred[tuple[str, float]]:
        if call_ref not in self.recordings:
            raise p.RecordingNotFound(call_ref)
        return self._finish_recording(call_ref, emit=False)

    def dial(self, call_ref: str, target_uri: str, headers: dict[str, str]) -> str:
        if self.draining:
            raise p.Draining(self.worker_id)
        if call_ref in self.legs:
            raise p.CallExists(call_ref)
        if len(self.legs) >= self.capacity:
            raise p.CapacityExceeded(f"{len(self.legs)} of {self.capacity} calls in use")
        assert self._account is not None
        leg = Leg(self, self._account, call_ref)
        self._sip(leg.makeCall, target_uri, tx_option(headers))
        self.legs[call_ref] = leg
        return str(leg.getInfo().callIdString)

    def bridge(self, ref_a: str, ref_b: str) -> None:
        if ref_a == ref_b:
            raise p.BadRequest("a call cannot be bridged to itself")
        audio_a, audio_b = self.audio(ref_a), self.audio(ref_b)
        audio_a.startTransmit(audio_b)
        audio_b.startTransmit(audio_a)
        self.bridges.setdefault(ref_a, set()).add(ref_b)
        self.bridges.setdefault(ref_b, set()).add(ref_a)
        # A recording of either leg now hears the other one too.
        for ref, other_audio, other_ref in ((ref_a, audio_b, ref_b), (ref_b, audio_a, ref_a)):
            recording = self.recordings.get(ref)
            if recording is not None and other_ref not in recording.sources:
                other_audio.startTransmit(recording.recorder)
                recording.sources.add(other_ref)

    def unbridge(self, ref_a: str, ref_b: str) -> None:
        if ref_b not in self.bridges.get(ref_a, set()):
            raise p.BadRequest(f"{ref_a} and {ref_b} are not bridged")
        self._disconnect(ref_a, ref_b)

    def hangup(self, call_ref: str, code: int | None) -> None:
        prm = pj.CallOpParam(True)
        if code:
            prm.statusCode = code
        self._sip(self.leg(call_ref).hangup, prm)

    def transfer(self, call_ref: str, target_uri: str, headers: dict[str, str]) -> None:
        self._sip(self.leg(call_ref).xfer, target_uri, tx_option(headers))

    # -- helpers ----------------------------------------------------------------------------

    def _sip(self, function: Any, *args: Any) -> Any:
        try:
            return function(*args)
        except pj.Error as error:
            raise p.SipError(f"{error.title}: {error.reason}") from None

    def _hangup_quietly(self, call_ref: str) -> None:
        leg = self.legs.get(call_ref)
        if leg is not None:
            try:
                leg.hangup(pj.CallOpParam(True))
            except pj.Error:
                log.info("leg %s already gone", call_ref)

    def _disconnect(self, ref_a: str, ref_b: str) -> None:
        self.bridges.get(ref_a, set()).discard(ref_b)
        self.bridges.get(ref_b, set()).discard(ref_a)
        leg_a, leg_b = self.legs.get(ref_a), self.legs.get(ref_b)
        audio_a = leg_a.audio() if leg_a else None
        audio_b = leg_b.audio() if leg_b else None
        if audio_a is not None and audio_b is not None:
            audio_a.stopTransmit(audio_b)
            audio_b.stopTransmit(audio_a)

    def _release(self, call_ref: str) -> None:
        """Everything that hangs on a leg that is going away: prompts, bridges, its recording."""
        for pid in [pid for pid, prompt in self.prompts.items() if prompt.call_ref == call_ref]:
            del self.prompts[pid]
        for peer in list(self.bridges.get(call_ref, set())):
            self._disconnect(call_ref, peer)
        self.bridges.pop(call_ref, None)
        for ref, recording in list(self.recordings.items()):
            recording.sources.discard(call_ref)
            if ref == call_ref:
                self._finish_recording(ref, emit=True)

    def _finish_recording(self, call_ref: str, emit: bool) -> defer.Deferred[tuple[str, float]]:
        recording = self.recordings.pop(call_ref)
        # Dropping the recorder only queues its removal from the conference bridge (asynchronous since
        # pjmedia 2.14): the WAV header is written a clock tick later, on the media thread.
        recording.recorder = None
        done: defer.Deferred[tuple[str, float]] = defer.Deferred()
        deadline = self.reactor.seconds() + 2.0

        def check() -> None:
            seconds = wav_seconds(recording.path)
            if seconds <= 0 and self.reactor.seconds() < deadline:
                self.reactor.callLater(0.02, check)
                return
            if emit:
                self.sink.emit(p.RecordingDone, call_ref=call_ref, path=str(recording.path), seconds=seconds)
            done.callback((str(recording.path), seconds))

        self.reactor.callLater(0.02, check)
        return done
