"""A stand-in for an agent's phone: a pjsua2 user agent that answers every call and plays a WAV in a loop.

Run as ``python agent_ua.py --port PORT --wav FILE [--answer-after-ms MS]``; prints ``READY`` once it listens,
stops on SIGTERM. It answers at once, or rings (180) for ``--answer-after-ms`` first, as a person would.
It stays within pjsua2-python's limits (one account, at most 4 calls) and calls libDestroy before exit.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from typing import Any

import pjsua2 as pj

running = True


def stop(signum: int, frame: Any) -> None:
    global running
    running = False


class AgentCall(pj.Call):  # type: ignore[misc]
    def __init__(self, phone: Phone, call_id: int) -> None:
        pj.Call.__init__(self, phone.account, call_id)
        self.phone = phone
        self.player: Any = None

    def onCallState(self, prm: Any) -> None:
        if self.getInfo().state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.player = None
            self.phone.calls.pop(self.getId(), None)

    def onCallMediaState(self, prm: Any) -> None:
        info = self.getInfo()
        for index, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                if self.player is None:
                    self.player = pj.AudioMediaPlayer()
                    self.player.createPlayer(self.phone.wav, 0)
                self.player.startTransmit(self.getAudioMedia(index))


class Account(pj.Account):  # type: ignore[misc]
    def __init__(self, phone: Phone) -> None:
        pj.Account.__init__(self)
        self.phone = phone

    def onIncomingCall(self, prm: Any) -> None:
        call = AgentCall(self.phone, prm.callId)
        self.phone.calls[call.getId()] = call
        if self.phone.answer_after_s <= 0:
            answer(call, 200)
            return
        answer(call, 180)
        self.phone.ringing[call.getId()] = time.monotonic() + self.phone.answer_after_s


def answer(call: AgentCall, status: int) -> None:
    prm = pj.CallOpParam(True)
    prm.statusCode = status
    call.answer(prm)


class Phone:
    def __init__(self, wav: str, answer_after_s: float = 0.0) -> None:
        self.wav = wav
        self.answer_after_s = answer_after_s
        self.calls: dict[int, AgentCall] = {}
        self.ringing: dict[int, float] = {}  # call id -> when to answer it
        self.account = Account(self)

    def answer_due(self) -> None:
        """Answer the calls that have rung long enough (those still there: the caller may have gone)."""
        now = time.monotonic()
        for call_id, due in list(self.ringing.items()):
            if due > now:
                continue
            del self.ringing[call_id]
            call = self.calls.get(call_id)
            if call is None:
                continue
            try:
                answer(call, 200)
            except pj.Error:  # ended meanwhile (the desk's ring timeout, the caller's hang-up)
                continue


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--wav", required=True)
    parser.add_argument("--lifetime", type=float, default=120, help="seconds before the phone stops by itself")
    parser.add_argument("--answer-after-ms", type=int, default=0, help="ring this long before answering")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, stop)
    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.logConfig.level = 1
    cfg.logConfig.consoleLevel = 1
    cfg.medConfig.sndAutoCloseTime = -1
    cfg.medConfig.clockRate = 8000
    cfg.medConfig.sndClockRate = 8000
    cfg.medConfig.ecTailLen = 0
    ep.libInit(cfg)
    transport = pj.TransportConfig()
    transport.port = args.port
    transport.boundAddress = "127.0.0.1"
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
    ep.libStart()
    ep.audDevManager().setNullDev()
    phone = Phone(args.wav, args.answer_after_ms / 1000)
    account_cfg = pj.AccountConfig()
    account_cfg.idUri = f"sip:agent@127.0.0.1:{args.port}"
    account_cfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
    phone.account.create(account_cfg, True)
    print("READY", flush=True)
    deadline = time.monotonic() + args.lifetime  # never outlive a test run
    while running and time.monotonic() < deadline:
        ep.libHandleEvents(20)
        phone.answer_due()
    ep.hangupAllCalls()
    for _ in range(20):
        ep.libHandleEvents(10)
    phone.calls.clear()
    phone.account = None  # type: ignore[assignment]
    ep.libDestroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
