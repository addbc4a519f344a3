"""The desk's state and the helpers every part of it uses: the conversations it keeps, the media commands it
sends (dial, music, bridge, record, hang up), the views it answers with and the CTI events it publishes.

:class:`telephony.control.desk.Desk` is this core with its transfers (:mod:`telephony.control.desk_transfers`)
and callbacks (:mod:`telephony.control.desk_callbacks`); everything runs on the reactor thread.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from twisted.internet import defer
from twisted.python.failure import Failure

from crm.cases.model import Disposition
from kernel.errors import DomainError, ValidationFailed
from telephony.acd import Acd, AgentState, Event, QueueKey
from telephony.control.agent_store import AgentContacts, AgentRecord, CallbackTask
from telephony.control.desk_model import (
    AgentLeg,
    Caller,
    Conversation,
    DbRunner,
    DeskSettings,
    MediaControl,
    NoMediaCapacity,
    NotOnCall,
    PromptFiles,
    Scheduler,
    Stats,
    cancel_timer,
    uui,
)
from telephony.control.recordings import recording_path, relative_ref
from telephony.cti.bus import CtiBus, CtiKind
from telephony.ivr.phrases import QueueWait
from telephony.media import protocol as media

log = logging.getLogger("sori.desk")


class DeskCore:
    """State, views, media commands and events; the methods at the end are the desk's, declared here so that
    transfers and callbacks, which call back into the desk, type-check on their own."""

    def __init__(
        self,
        acd: Acd,
        store: AgentContacts,
        db: DbRunner,
        clock: Callable[[], dt.datetime],
        scheduler: Scheduler,
        settings: DeskSettings,
        prompts: PromptFiles,
        hold_music: Callable[[], defer.Deferred[Path]] | None,
        events: CtiBus | None = None,
        on_gone: Callable[[str], None] | None = None,
    ) -> None:
        self.acd = acd
        self.store = store
        self.db = db
        self.clock = clock
        self.scheduler = scheduler
        self.settings = settings
        self.prompts = prompts
        self.hold_music = hold_music
        self.events = events
        self.on_gone = on_gone  # the switchboard forgets a caller the desk handed back or ended
        self.media: MediaControl | None = None
        self.agents: dict[str, AgentRecord] = {}
        self.by_acd: dict[str, Conversation] = {}  # ACD call id → conversation (also consult ids)
        self.by_leg: dict[str, Conversation] = {}  # caller or agent leg call_ref → conversation
        self.callbacks: dict[str, CallbackTask] = {}
        self.stats = Stats()
        self._ids = itertools.count(1)
        self._tick: Any = None
        self._resume: Callable[[Caller, str, str | None], None] | None = None

    # -- agents (called from the HTTP API through the reactor) -------------------------------------
    def agent_state(self, login: str, state: str, reason: str | None = None) -> dict[str, Any]:
        """Log in, ready, not ready (with a reason), wrap-up done or log out; returns the agent's state."""
        agent = self.agents.get(login)
        if agent is None:
            raise ValidationFailed(f"{login} takes no calls (not an active agent known to telephony)")
        now = self.clock()
        try:
            current = self.acd.agent(login).state
        except DomainError:
            current = AgentState.LOGGED_OUT
        if state == "logged-out":
            events = self.acd.agent_logout(login, now)
        else:
            events = []
            if current is AgentState.LOGGED_OUT:
                skills = agent.skills or {self.settings.default_skill: 1}
                events += self.acd.agent_login(login, agent.center, skills, now)
            if state == "ready":
                events += self.acd.agent_ready(login, now)
            elif state == "not-ready":
                events += self.acd.agent_not_ready(login, reason or "break", now)
            else:
                raise ValidationFailed(f"state '{state}': use ready, not-ready or logged-out")
        self._handle(events)
        return self.agent_view(login)

    def agent_view(self, login: str) -> dict[str, Any]:
        try:
            agent = self.acd.agent(login)
        except DomainError:
            return {"login": login, "state": AgentState.LOGGED_OUT.value, "reason": None, "call": None}
        conv = self._conversation_of(login)
        return {
            "login": login,
            "center": agent.center,
            "state": agent.state.value,
            "reason": agent.reason,
            "wrapup_until": agent.wrapup_until.isoformat() if agent.wrapup_until else None,
            "call": self._call_view(conv) if conv is not None else None,
        }

    def agents_view(self, centers: set[str] | None) -> list[dict[str, Any]]:
        return [self.agent_view(a.agent_id) for a in self.acd.agents() if centers is None or a.center in centers]

    def queues_view(self, centers: set[str] | None) -> list[dict[str, Any]]:
        out = []
        for config in self.acd.queues():
            key = config.key
            if centers is not None and key.center not in centers:
                continue
            positions = self.acd.positions(key)
            _, ewt = self.acd.forecast(key)
            abandons = self.acd.abandons(key)
            out.append(
                {
                    "center": key.center,
                    "skill": key.skill,
                    "waiting": len(positions),
                    "expected_wait_s": ewt,
                    "abandoned": abandons.short + abandons.long,
                    "positions": [
                        {"call_id": self._sip_id(p.call_id), "position": p.position, "ewt_s": p.ewt_seconds}
                        for p in positions
                    ],
                }
            )
        return out

    def forecast(self, center: str, skill: str) -> tuple[int, int | None] | None:
        try:
            return self.acd.forecast(QueueKey(center, skill))
        except DomainError:
            return None

    def waits(self, center: str) -> dict[str, QueueWait]:
        """Per skill of ``center``: callers ahead and expected wait, for the IVR's announcement and callback offer.

        A queue nobody staffs gets a wait of an hour, so the IVR offers a callback instead of silence.
        """
        out: dict[str, QueueWait] = {}
        for config in self.acd.queues():
            if config.key.center == center:
                ahead, seconds = self.acd.forecast(config.key)
                out[config.key.skill] = QueueWait(ahead, seconds if seconds is not None else 3600)
        return out

    def _handle(self, events: list[Event]) -> None:
        for event in events:
            try:
                self._decide(event)
            except Exception:
                log.exception("desk failed on %s", type(event).__name__)

    # -- media helpers --------------------------------------------------------------------------------
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

    def _recording_ref(self, conv: Conversation) -> str | None:
        return relative_ref(conv.recording, self.settings.recordings_dir)

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

    def _failed(self, failure: Failure, conv: Conversation, what: str) -> None:
        log.error("%s failed: %s", what, failure.getErrorMessage(), extra={"sip_call_id": conv.caller.sip_call_id})

    # -- small helpers --------------------------------------------------------------------------------
    def _edge(self) -> str:
        return f"{self.settings.edge_host}:{self.settings.edge_port}"

    def _case_headers(self, conv: Conversation) -> dict[str, str]:
        headers = {"X-Sori-Call": conv.caller.sip_call_id or conv.caller.call_ref, "X-Sori-Center": conv.queue.center}
        if conv.caller.case_number:
            headers["X-Sori-Case"] = conv.caller.case_number
            headers["User-to-User"] = uui(conv.caller.case_number)
        return headers

    def _new_acd_id(self, call_ref: str) -> str:
        return f"{call_ref}#{next(self._ids)}"

    def _sip_id(self, acd_id: str) -> str | None:
        conv = self.by_acd.get(acd_id)
        return conv.caller.sip_call_id if conv else None

    def _conversation_of(self, login: str) -> Conversation | None:
        for conv in self.by_acd.values():
            if conv.agent is not None and conv.agent.login == login and not conv.ended:
                return conv
        return None

    def _talking(self, login: str) -> Conversation:
        conv = self._conversation_of(login)
        if conv is None or conv.agent is None or not conv.agent.answered or conv.answered_at is None:
            raise NotOnCall(f"{login} is not talking to a caller")
        return conv

    def _call_view(self, conv: Conversation) -> dict[str, Any]:
        return {
            "call_id": conv.caller.sip_call_id,
            "center": conv.queue.center,
            "queue": conv.queue.skill,
            "channel": str(conv.channel),
            "agent": conv.agent.login if conv.agent else None,
            "answered": conv.answered_at is not None,
            "held": conv.held,
            "case_number": conv.caller.case_number,
            "interaction_id": conv.interaction_id,
            "consulting": conv.consult.login if conv.consult else None,
            "consult_answered": bool(conv.consult and conv.consult.answered),
            "handoff_summary": conv.summary,
            "recording": self._recording_ref(conv),
        }

    def _agent_id(self, login: str) -> int | None:
        agent = self.agents.get(login)
        return agent.agent_id if agent else None

    def _publish(self, kind: CtiKind, conv: Conversation, **data: Any) -> None:
        if self.events is not None:
            agent = self.agents.get(conv.agent.login) if conv.agent else None
            self.events.publish(kind, conv.queue.center, conv.caller.sip_call_id or None,
                                agent.agent_id if agent else None, **data)  # fmt: skip

    # -- defined by Desk (the ACD's decisions, answers and ends of conversations) ---------------------
    def _decide(self, event: Event) -> None:
        raise NotImplementedError

    def enqueue(self, caller: Caller, skill: str, priority: int = 0) -> None:
        raise NotImplementedError

    def _start_contact(self, conv: Conversation, login: str) -> None:
        raise NotImplementedError

    def _end_contact(self, conv: Conversation, login: str, disposition: Disposition, dropped: bool) -> None:
        raise NotImplementedError

    def _ring_timeout(self, conv: Conversation, leg: AgentLeg) -> None:
        raise NotImplementedError

    def _dial_failed(self, failure: Failure, conv: Conversation, leg: AgentLeg) -> None:
        raise NotImplementedError

    def _agent_answered(self, conv: Conversation, leg: AgentLeg) -> None:
        raise NotImplementedError

    def _finish(self, conv: Conversation, *, dropped: bool, worker_lost: bool) -> None:
        raise NotImplementedError
