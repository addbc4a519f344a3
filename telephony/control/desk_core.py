"""The desk's common ground: the conversations it keeps, its dependencies, and the helpers every room uses (the
view of a call, who is talking, CTI publishing, failure logging).

:class:`telephony.control.desk.Desk` stands on this core with one room per concern: calls offered and answered
(:mod:`.desk_calls`), the ACD's clock and decisions (:mod:`.desk_decisions`), hold and recording
(:mod:`.desk_media`), transfers (:mod:`.desk_transfers`), callbacks (:mod:`.desk_callbacks`), agents' states and
the supervisors' views (:mod:`.desk_agents`) and the record of every call and state change (:mod:`.desk_journal`).
The methods at the end belong to other rooms; they are declared here so that each room type-checks on its own.
Everything runs on the reactor thread.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twisted.internet import defer
from twisted.python.failure import Failure

from crm.door.calls import AgentDesk, AgentRecord, CallbackTask, Disposition
from telephony.acd import Acd, Event
from telephony.control.desk_model import (
    AgentLeg,
    Caller,
    Conversation,
    DbRunner,
    DeskSettings,
    MediaControl,
    NotOnCall,
    PromptFiles,
    Scheduler,
    Stats,
    uui,
)
from telephony.control.recordings import relative_ref
from telephony.cti.bus import CtiBus, CtiKind

if TYPE_CHECKING:
    from telephony.control.desk_journal import CallFacts, CallRecords

log = logging.getLogger("sori.desk")


class DeskCore:
    """State and shared helpers; see the module's docstring."""

    def __init__(
        self,
        acd: Acd,
        store: AgentDesk,
        db: DbRunner,
        clock: Callable[[], dt.datetime],
        scheduler: Scheduler,
        settings: DeskSettings,
        prompts: PromptFiles,
        hold_music: Callable[[], defer.Deferred[Path]] | None,
        events: CtiBus | None = None,
        on_gone: Callable[[str], None] | None = None,
        records: CallRecords | None = None,
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
        self.records = records  # where finished calls and agents' state changes are kept (None: nowhere)
        self.media: MediaControl | None = None
        self.agents: dict[str, AgentRecord] = {}
        self.by_acd: dict[str, Conversation] = {}  # ACD call id → conversation (also consult ids)
        self.by_leg: dict[str, Conversation] = {}  # caller or agent leg call_ref → conversation
        self.callbacks: dict[str, CallbackTask] = {}
        self.stats = Stats()
        self.facts: dict[str, CallFacts] = {}  # ACD call id → what the journal learnt of it so far
        self.writes: dict[str, defer.Deferred[Any]] = {}  # ACD call id → its record's last write in flight
        self._ids = itertools.count(1)
        self._tick: Any = None
        self._resume: Callable[[Caller, str, str | None], None] | None = None

    def _handle(self, events: list[Event]) -> None:
        for event in events:
            try:
                self._decide(event)
            except Exception:
                log.exception("desk failed on %s", type(event).__name__)

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

    def _agent_headers(self, conv: Conversation) -> dict[str, str]:
        """An agent leg's INVITE headers: the case's, and the request to answer by itself when configured
        (never on a citizen's leg)."""
        headers = self._case_headers(conv)
        if self.settings.auto_answer:
            headers["Answer-Mode"] = "Auto"
            headers["Call-Info"] = f"<sip:{self._edge()}>;answer-after=0"
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
            "caller": conv.caller.phone_masked,
            "waited_s": int(((conv.answered_at or self.clock()) - conv.queued_at).total_seconds()),
        }

    def _recording_ref(self, conv: Conversation) -> str | None:
        return relative_ref(conv.recording, self.settings.recordings_dir)

    def _agent_id(self, login: str) -> int | None:
        agent = self.agents.get(login)
        return agent.agent_id if agent else None

    def _publish(self, kind: CtiKind, conv: Conversation, **data: Any) -> None:
        if self.events is not None:
            agent = self.agents.get(conv.agent.login) if conv.agent else None
            self.events.publish(kind, conv.queue.center, conv.caller.sip_call_id or None,
                                agent.agent_id if agent else None, **data)  # fmt: skip

    # -- defined by the other rooms -------------------------------------------------------------------
    def _decide(self, event: Event) -> None:
        raise NotImplementedError

    def enqueue(self, caller: Caller, skill: str, priority: int = 0, for_agent: str | None = None) -> None:
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

    def _schedule_callback(self, task: CallbackTask, now: dt.datetime) -> None:
        raise NotImplementedError

    def _schedule_tick(self) -> None:
        raise NotImplementedError

    def _citizen_leg(self, conv: Conversation, state: str, code: int, cause: int | None) -> None:
        raise NotImplementedError

    def _dial_citizen(self, conv: Conversation) -> None:
        raise NotImplementedError

    def _consult_answered(self, conv: Conversation, leg: AgentLeg) -> None:
        raise NotImplementedError

    def _drop_consult(self, conv: Conversation) -> None:
        raise NotImplementedError

