"""A citizen's phone for end-to-end tests: a pjsua2 user agent that dials a center through the SIP edge,
presses the menu keys, then plays a WAV into the call (once) and hangs up.

    python caller_ua.py --edge 127.0.0.1:5060 --to 110 --caller 01050000001 --port P \
        --keys 0 --keys-at 9 --play clip.wav --play-at 13

Times are seconds after the call is answered. Prints one JSON object per event (confirmed, keys, playing,
hangup, disconnected) and exits 0 once the call has ended after playing, 1 otherwise. It stays within
pjsua2-python's limits (one account, one call) and calls libDestroy before exit.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import wave
from typing import Any

import pjsua2 as pj


def say(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, "t": round(time.monotonic(), 3), **fields}), flush=True)


class CitizenCall(pj.Call):  # type: ignore[misc]
    def __init__(self, account: Any) -> None:
        pj.Call.__init__(self, account)
        self.confirmed_at: float | None = None
        self.disconnected = False
        self.audio: Any = None
        self.player: Any = None

    def onCallState(self, prm: Any) -> None:
        info = self.getInfo()
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED and self.confirmed_at is None:
            self.confirmed_at = time.monotonic()
            say("confirmed", call_id=info.callIdString)
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.disconnected = True
            say("disconnected", code=info.lastStatusCode, reason=info.lastReason)

    def onCallMediaState(self, prm: Any) -> None:
        info = self.getInfo()
        for index, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self.audio = self.getAudioMedia(index)
                if self.player is not None:
                    self.player.startTransmit(self.audio)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edge", required=True)
    parser.add_argument("--to", required=True)
    parser.add_argument("--caller", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--keys", default="")
    parser.add_argument("--keys-at", type=float, default=9.0)
    parser.add_argument("--play", required=True)
    parser.add_argument("--play-at", type=float, default=13.0)
    parser.add_argument("--after-play", type=float, default=1.5)
    args = parser.parse_args()
    with wave.open(args.play) as clip:
        play_seconds = clip.getnframes() / clip.getframerate()
    ep = pj.Endpoint()
    ep.libCreate()
    cfg = pj.EpConfig()
    cfg.uaConfig.threadCnt = 0
    cfg.uaConfig.mainThreadOnly = True
    cfg.logConfig.level = 1
    cfg.logConfig.consoleLevel = 1
    cfg.medConfig.sndAutoCloseTime = -1
    cfg.medConfig.ecTailLen = 0
    ep.libInit(cfg)
    transport = pj.TransportConfig()
    transport.port = args.port
    transport.boundAddress = "127.0.0.1"
    ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
    ep.libStart()
    ep.audDevManager().setNullDev()
    account = pj.Account()
    account_cfg = pj.AccountConfig()
    account_cfg.idUri = f"sip:{args.caller}@127.0.0.1:{args.port}"
    account_cfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
    account.create(account_cfg, True)
    call = CitizenCall(account)
    call.makeCall(f"sip:{args.to}@{args.edge}", pj.CallOpParam(True))
    keys_sent = played = hung_up = False
    ok = False
    deadline = time.monotonic() + args.play_at + play_seconds + 90
    while time.monotonic() < deadline and not call.disconnected:
        ep.libHandleEvents(10)
        if call.confirmed_at is None:
            continue
        elapsed = time.monotonic() - call.confirmed_at
        if args.keys and not keys_sent and elapsed >= args.keys_at:
            call.dialDtmf(args.keys)
            keys_sent = True
            say("keys", digits=args.keys)
        if not played and elapsed >= args.play_at and call.audio is not None:
            call.player = pj.AudioMediaPlayer()
            call.player.createPlayer(args.play, pj.PJMEDIA_FILE_NO_LOOP)
            call.player.startTransmit(call.audio)
            played = True
            say("playing", seconds=round(play_seconds, 2))
        if played and not hung_up and elapsed >= args.play_at + play_seconds + args.after_play:
            call.hangup(pj.CallOpParam(True))
            hung_up = ok = True
            say("hangup")
    for _ in range(50):
        ep.libHandleEvents(10)
    call.player = None
    call = None  # type: ignore[assignment]
    account = None
    ep.libDestroy()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
