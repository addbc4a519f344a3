"""The desk's hold and recording room, and the media commands every other room sends through it: dial a leg,
hold music on and off, announcements, bridge, record, hang up.

Hold is timed here (``Conversation.held_since`` and ``hold_seconds``): the ACD's record of the call and the desk's
journal take the time the caller spent on hold with their agent.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from twisted.internet import defer

from telephony.control.desk_journal import JournalRoom
from telephony.control.desk_model import (
    AgentLeg,
    Conversation,
    NoMediaCapacity,
    TransferInProgress,
    cancel_timer,
    held_for,
)
from telephony.control.recordings import recording_path
from telephony.cti.bus import CtiKind
from telephony.media import protocol as media

log = logging.getLogger("sori.desk")


class MediaRoom(JournalRoom):
    # -- the agent's hold button (HTTP API) ------------------------------------------------------------
    def hold(self, login: str, on: bool) -> dict[str, Any]:
        conv = self._talking(login)
        if conv.consult is not None or conv.transferring:
            raise TransferInProgress("this call is being transferred: complete or cancel the transfer first")
        assert conv.agent is not None
        if on and not conv.held:
            self._set_held(conv, True)
            self._command(conv, media.Unbridge, call_ref_a=conv.caller.call_ref, call_ref_b=conv.agent.call_ref)
            self._hold(conv)
            self._publish(CtiKind.CALL_HELD, conv, held=True)
        elif not on and conv.held:
            self._set_held(conv, False)
            self._unhold(conv)
            self._command(conv, media.Bridge, call_ref_a=conv.caller.call_ref, call_ref_b=conv.agent.call_ref)
            self._publish(CtiKind.CALL_HELD, conv, held=False)
        return self._call_view(conv)

    def _set_held(self, conv: Conversation, held: bool) -> None:
        """The caller waits apart from their agent (hold, or a consultation) or is back; the hold is timed."""
        now = self.clock()
        if held and conv.held_since is None:
            conv.held_since = now
        elif not held and conv.held_since is not None:
            conv.hold_seconds = held_for(conv, now)
            conv.held_since = None
        conv.held = held

    def _hold_total(self, conv: Conversation) -> float:
        return held_for(conv, self.clock())

    # -- media commands -------------------------------------------------------------------------------
    def _dial(self, conv: Conversation, ref: str, uri: str, headers: dict[str, str]) -> defer.Deferred[Any]:
        if self.media is None:
            return defer.fail(NoMediaCapacity("no media pool"))
        return self.media.command(conv.caller.worker_id, media.Dial, call_ref=ref, target_uri=uri, headers=headers)

    def _hold(self, conv: Conversation) -> None:
        if self.hold_music is not None:
            self._play_music(conv.caller.worker_id, conv.caller.call_ref, f"hold-{conv.caller.call_ref}")

    def _unhold(self, conv: Conversation) -> None:
        self._stop_music(conv.caller.worker_id, conv.caller.call_ref, f"hold-{conv.caller.call_ref}")

    def _play_music(self, worker_id: str, call_ref: str, playback_id: str) -> None:
        assert self.hold_music is not None
        music = self.hold_music()

        def play(path: Path) -> defer.Deferred[Any] | None:
            if self.media is None:
                return None
            return self.media.command(worker_id, media.Play, call_ref=call_ref, wav_paths=[str(path)], loop=True,
                                      playback_id=playback_id)  # fmt: skip

        music.addCallback(play)
        music.addErrback(lambda f: log.info("music on %s: %s", call_ref, f.getErrorMessage()))

    def _stop_music(self, worker_id: str, call_ref: str, playback_id: str) -> None:
        if self.media is not None:
            d = self.media.command(worker_id, media.StopPlay, call_ref=call_ref, playback_id=playback_id)
            d.addErrback(lambda f: None)

    def _play(self, conv: Conversation, parts: list[Any], playback_id: str) -> None:
        files = defer.gatherResults([self.prompts(p) for p in parts], consumeErrors=True)

        def play(paths: list[Path]) -> defer.Deferred[Any] | None:
            if self.media is None:
                return None
            return self.media.command(conv.caller.worker_id, media.Play, call_ref=conv.caller.call_ref,
                                      wav_paths=[str(p) for p in paths], loop=False,
                                      playback_id=playback_id)  # fmt: skip

        files.addCallback(play)
        files.addErrback(self._failed, conv, "announcement")

    def _start_recording(self, conv: Conversation) -> None:
        """The conversation's recording: the call's own (from the notice on), else one started now."""
        if conv.caller.recording is not None:
            conv.recording = conv.caller.recording
            return
        if not conv.caller.notice_heard:
            return
        path = recording_path(self.settings.recordings_dir, self.clock(), conv.acd_id)
        conv.recording = conv.caller.recording = path
        self._command(conv, media.StartRecording, call_ref=conv.caller.call_ref, path=str(conv.recording))

    def _release_leg(self, conv: Conversation, leg: AgentLeg) -> None:
        leg.released = True
        cancel_timer(leg.timer)
        self.by_leg.pop(leg.call_ref, None)
        self._hangup(conv.caller.worker_id, leg.call_ref)

    def _hangup(self, worker_id: str, call_ref: str) -> None:
        if self.media is not None:
            d = self.media.command(worker_id, media.Hangup, call_ref=call_ref)
            d.addErrback(lambda f: None)  # already gone

    def _command(self, conv: Conversation, command: type[Any], **arguments: Any) -> None:
        if self.media is None:
            return
        d = self.media.command(conv.caller.worker_id, command, **arguments)
        d.addErrback(self._failed, conv, command.__name__)
