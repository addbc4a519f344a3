"""pjsua2 subclasses of one media worker: the account that takes INVITEs, call legs and prompt players.

They hold no logic of their own: every callback is handed to the ``LegOwner`` (the engine). Callbacks
that pjsua2 may run on its media clock thread (DTMF, end of file) hop to the reactor thread with
``callFromThread``; call-state callbacks already arrive on the reactor thread (``mainThreadOnly``)
and are handled synchronously, because a ``Call`` must be dropped inside ``onCallState(DISCONNECTED)``.
"""

from __future__ import annotations

import re
import wave
from pathlib import Path
from typing import Any, Protocol

import pjsua2 as pj


class LegOwner(Protocol):
    def incoming(self, account: WorkerAccount, prm: Any) -> None: ...

    def leg_state(self, leg: Leg) -> None: ...

    def leg_media(self, leg: Leg) -> None: ...

    def leg_dtmf(self, leg: Leg, digit: str) -> None: ...

    def leg_transfer_status(self, leg: Leg, code: int, reason: str, final: bool) -> None: ...

    def prompt_eof(self, playback_id: str) -> None: ...


class WorkerAccount(pj.Account):  # type: ignore[misc]
    def __init__(self, owner: LegOwner) -> None:
        pj.Account.__init__(self)
        self.owner = owner

    def onIncomingCall(self, prm: Any) -> None:
        self.owner.incoming(self, prm)


class Leg(pj.Call):  # type: ignore[misc]
    """One SIP dialog handled by the worker; ``call_ref`` is the control process's name for it."""

    def __init__(self, owner: LegOwner, account: WorkerAccount, call_ref: str, call_id: int | None = None) -> None:
        if call_id is None:
            pj.Call.__init__(self, account)
        else:
            pj.Call.__init__(self, account, call_id)
        self.owner = owner
        self.call_ref = call_ref
        self.cause: int | None = None  # Q.850 cause of the request that ended the call (Reason header), if any

    def onCallState(self, prm: Any) -> None:
        cause = q850_cause(_received_message(prm))
        if cause is not None:
            self.cause = cause
        self.owner.leg_state(self)

    def onCallMediaState(self, prm: Any) -> None:
        self.owner.leg_media(self)

    def onDtmfDigit(self, prm: Any) -> None:
        self.owner.leg_dtmf(self, str(prm.digit))

    def onCallTransferStatus(self, prm: Any) -> None:
        self.owner.leg_transfer_status(self, int(prm.statusCode), str(prm.reason), bool(prm.finalNotify))

    def audio(self) -> Any | None:
        """The leg's audio port on the conference bridge, or None while it has no active audio."""
        return active_audio(self)


class Prompt(pj.AudioMediaPlayer):  # type: ignore[misc]
    """A WAV file (or a list of them) being played into one call."""

    def __init__(self, owner: LegOwner, call_ref: str, playback_id: str, loop: bool) -> None:
        pj.AudioMediaPlayer.__init__(self)
        self.owner = owner
        self.call_ref = call_ref
        self.playback_id = playback_id
        self.loop = loop

    def onEof2(self) -> None:
        if not self.loop:
            self.owner.prompt_eof(self.playback_id)


def active_audio(call: Any) -> Any | None:
    """A pjsua2 call's audio port on the conference bridge, or None while it has no active audio."""
    try:
        info = call.getInfo()
        for index, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                return call.getAudioMedia(index)
    except pj.Error:
        return None
    return None


def wav_seconds(path: Path) -> float:
    """The length of a WAV file in seconds; 0 while its header is not written yet (or it is no WAV)."""
    try:
        with wave.open(str(path)) as wav:
            return float(wav.getnframes()) / float(wav.getframerate())
    except (OSError, wave.Error, EOFError):
        return 0.0


def tx_option(headers: dict[str, str]) -> Any:
    """A CallOpParam carrying extra SIP headers (User-to-User, X-Sori-*)."""
    prm = pj.CallOpParam(True)
    for name, value in headers.items():
        header = pj.SipHeader()
        header.hName = name
        header.hValue = value
        prm.txOption.headers.append(header)
    return prm


_REASON = re.compile(r"^Reason\s*:\s*Q\.850\s*;(?:[^\r\n]*?;)?\s*cause\s*=\s*(\d{1,3})", re.I | re.M)


def q850_cause(whole_msg: str) -> int | None:
    """The Q.850 cause of a ``Reason`` header (RFC 3326) in a SIP message, e.g. 16 normal clearing."""
    match = _REASON.search(whole_msg.split("\r\n\r\n", 1)[0])
    return int(match.group(1)) if match else None


def _received_message(prm: Any) -> str:
    """The SIP message that changed the call's state, when it was one received (a BYE, CANCEL or reply)."""
    try:
        event = prm.e
        if event.type != pj.PJSIP_EVENT_TSX_STATE:
            return ""
        tsx = event.body.tsxState
        if tsx.type != pj.PJSIP_EVENT_RX_MSG:
            return ""
        return str(tsx.src.rdata.wholeMsg)
    except (AttributeError, pj.Error):
        return ""


def interesting_headers(whole_msg: str) -> dict[str, str]:
    """The headers of an INVITE that the control process cares about: X-* and User-to-User."""
    head = whole_msg.split("\r\n\r\n", 1)[0]
    found: dict[str, str] = {}
    for line in head.split("\r\n")[1:]:
        name, sep, value = line.partition(":")
        name = name.strip()
        if sep and (name.lower().startswith("x-") or name.lower() == "user-to-user"):
            found[name] = value.strip()
    return found
