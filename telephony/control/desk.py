"""The desk: where queued callers meet agents.

It joins the pure ACD (:mod:`telephony.acd`) to the media workers, the agents' phones and the case
store, on the reactor thread:

* a caller the IVR puts in a queue waits on hold music while the ACD looks for an agent;
* an offer rings the agent's phone (``sip:<login>@<edge>``, a second leg dialled from the caller's own
  worker, since pjsua2 bridges only legs of one process), with the case in ``X-Sori-Case`` and in a
  ``User-to-User`` header (RFC 7433); no answer within the ring timeout gives the call back to the queue;
* on answer the two legs are bridged, the recording starts if the caller heard the recording notice,
  and the agent's contact starts in the case store, continuing the caller's case when there is one;
* transfers: blind (to another center's queue or menu, or outside the platform by REFER with the case
  in ``User-to-User``) and warm (the caller waits on hold while the agent consults the receiving agent,
  a third leg in the same worker); the case and the sender's summary go with the caller (a hand-off);
* a call that ends with a drop (the worker died, or the network's ``Reason: Q.850`` cause says the line
  failed) ends the contact as dropped: the continuity rules schedule a callback, which the ACD places
  as an outbound call when an agent is free (the agent's phone first, then the citizen's, through the
  edge's PSTN gateway).

Slot budget per worker (pjsua2 allows 4 calls): the edge admits 2 callers per worker, each may add an
agent leg; a warm transfer's consult leg needs a free slot and is refused (clear error) without one.
"""

from __future__ import annotations

import binascii
import contextlib
import datetime as dt
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from twisted.internet import defer
from twisted.python.failure import Failure

from crm.cases.model import CallbackStatus, Channel, Disposition
from crm.errors import Conflict, DomainError, ValidationFailed
from telephony.acd import (
    Acd,
    AgentState,
    AgentStateChanged,
    CallbackFailed,
    CallbackRescheduled,
    CallFinished,
    CallOffered,
    CallOverflowed,
    CallQueued,
    Closed,
    Event,
    OfferCancelled,
    PlaceCallback,
    QueueChanged,
    QueueKey,
)
from telephony.acd.records import CallRecord
from telephony.control.agent_store import (
    AgentContacts,
    AgentRecord,
    Answered,
    AnsweredCall,
    CallbackTask,
    Ended,
    HandedOff,
)
from telephony.control.recordings import recording_path, relative_ref
from telephony.cti.bus import CtiBus, CtiKind
from telephony.ivr import phrases
from telephony.ivr.actions import Phrase
from telephony.ivr.phrases import QueueWait
from telephony.media import protocol as media

log = logging.getLogger("sori.desk")

DbRunner = Callable[..., defer.Deferred[Any]]
PromptFiles = Callable[[Any], defer.Deferred[Path]]

#: Q.850 causes of a call the caller (or agent) ended on purpose; any other cause is a drop.
NORMAL_CAUSES = frozenset({16, 17, 18, 19, 21, 31})


class MediaControl(Protocol):
    """What the desk needs of the media pool."""

    def command(self, worker_id: str, command: type[Any], **arguments: Any) -> defer.Deferred[dict[str, Any]]: ...

    def worker_free_slots(self, worker_id: str) -> int: ...

    def worker_with_slots(self, slots: int) -> str | None: ...


class Scheduler(Protocol):
    def callLater(self, delay: float, f: Callable[..., Any], *args: Any, **kw: Any) -> Any: ...


class NotOnCall(Conflict):
    code = "not-on-call"


class NoMediaCapacity(DomainError):
    code = "no-media-capacity"


@dataclass
class Caller:
    """The caller side of a conversation, as the switchboard hands it over."""

    worker_id: str
    call_ref: str
    sip_call_id: str
    center: str
    phone: str | None  # national digits, for the contact record
    citizen_id: int | None
    notice_heard: bool
    case_number: str | None = None
    handoff_id: int | None = None
    recording: Path | None = None  # the call's recording, when the switchboard already records it


@dataclass
class AgentLeg:
    call_ref: str
    login: str
    kind: str  # "talk" | "consult" | "callback-agent"
    answered: bool = False
    timer: Any = None
    released: bool = False  # hung up by the desk on purpose (transfer, cancel): its end ends nothing else


@dataclass
class Conversation:
    caller: Caller
    acd_id: str
    queue: QueueKey
    queued_at: dt.datetime
    channel: Channel = Channel.INBOUND_CALL
    agent: AgentLeg | None = None
    answered_at: dt.datetime | None = None
    interaction_id: int | None = None
    recording: Path | None = None
    held: bool = False
    consult: AgentLeg | None = None
    consult_acd_id: str | None = None
    consult_queue: QueueKey | None = None
    caller_answered: bool = True  # False for a callback until the citizen picks up
    callback_id: str | None = None
    ended: bool = False
    summary: str | None = None  # the hand-off summary the answering agent gets
    caller_timer: Any = None  # a callback's ring timeout for the citizen's phone
    announced_at: dt.datetime | None = None  # the last position announcement (or the queueing)


@dataclass
class DeskSettings:
    edge_host: str
    edge_port: int
    recordings_dir: Path
    ring_timeout_s: float = 20.0
    callback_ring_timeout_s: float = 30.0
    tick_s: float = 1.0
    announce_every_s: float = 45.0  # waiting callers hear their position and expected wait this often
    callback_delay_s: float = 60.0
    default_skill: str = "general"


@dataclass
class Stats:
    """What happened on the desk since start: for the dashboards until the KPI store lands."""

    records: list[CallRecord] = field(default_factory=list)

    def add(self, record: CallRecord) -> None:
        self.records.append(record)
        del self.records[:-5000]


class Desk:
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

    # -- set-up -------------------------------------------------------------------------------------
    def start(self, agents: list[AgentRecord], pending: list[CallbackTask]) -> None:
        self.agents = {a.login: a for a in agents}
        now = self.clock()
        for task in pending:
            self._schedule_callback(task, now)
        self._schedule_tick()

    def set_agents(self, agents: list[AgentRecord]) -> None:
        """Agents added, changed or deactivated since start (an agent on a call keeps their record until then)."""
        fresh = {a.login: a for a in agents}
        busy = {c.agent.login for c in self.by_acd.values() if c.agent is not None}
        self.agents = {**{k: v for k, v in self.agents.items() if k in busy}, **fresh}

    def stop(self) -> None:
        if self._tick is not None and self._tick.active():
            self._tick.cancel()
        self._tick = None

    def on_transfer_to_menu(self, resume: Callable[[Caller, str, str | None], None]) -> None:
        """How a blind transfer to another center's menu hands the caller back to the switchboard."""
        self._resume = resume

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

    def ivr_callback(self, center: str, skill: str, phone: str, case_number: str | None) -> None:
        """The caller accepted the IVR's callback offer (long wait, or closed): the ACD calls them back.

        Such a callback lives in the ACD only (no case, so no callback row): a restart forgets it.
        """
        key = f"ivr-{next(self._ids)}"
        now = self.clock()
        task = CallbackTask(0, center, now, case_number, phone)
        try:
            events = self.acd.schedule_callback(key, QueueKey(center, skill), now, now, case_number=case_number)
        except DomainError as error:
            log.warning("IVR callback not scheduled: %s", error)
            return
        self.callbacks[key] = task
        self._handle(events)

    # -- callers from the switchboard -----------------------------------------------------------------
    def enqueue(self, caller: Caller, skill: str, priority: int = 0) -> None:
        queue = QueueKey(caller.center, skill)
        acd_id = self._new_acd_id(caller.call_ref)
        conv = Conversation(caller, acd_id, queue, self.clock())
        self.by_acd[acd_id] = conv
        self.by_leg[caller.call_ref] = conv
        self._hold(conv)
        try:
            events = self.acd.call_arrived(acd_id, queue, conv.queued_at, priority=priority,
                                           case_number=caller.case_number)  # fmt: skip
        except DomainError as error:
            log.error("queue %s refused the call: %s", queue, error, extra={"sip_call_id": caller.sip_call_id})
            self._hangup(caller.worker_id, caller.call_ref)
            return
        self._publish(CtiKind.CALL_QUEUED, conv, skill=skill, priority=priority)
        self._handle(events)

    def caller_gone(self, call_ref: str, cause: int | None, worker_lost: bool = False) -> bool:
        """The caller's leg ended; True when the desk owned the call (the switchboard records nothing)."""
        conv = self.by_leg.get(call_ref)
        if conv is None or conv.caller.call_ref != call_ref:
            return False
        dropped = worker_lost or (cause is not None and cause not in NORMAL_CAUSES)
        self._finish(conv, dropped=dropped, worker_lost=worker_lost)
        return conv.answered_at is not None

    def leg_state(self, call_ref: str, state: str, code: int, cause: int | None) -> bool:
        """A leg the desk dialled changed state; False if it is not one of ours."""
        conv = self.by_leg.get(call_ref)
        if conv is None:
            return False
        if conv.caller.call_ref == call_ref:  # a callback's citizen leg
            self._citizen_leg(conv, state, code, cause)
            return True
        leg = conv.agent if conv.agent is not None and conv.agent.call_ref == call_ref else conv.consult
        if leg is None or leg.call_ref != call_ref:
            return True
        if state == "confirmed" and not leg.answered:
            leg.answered = True
            _cancel(leg.timer)
            if leg.kind == "consult":
                self._consult_answered(conv, leg)
            elif leg.kind == "callback-agent":
                self._dial_citizen(conv)
            else:
                self._agent_answered(conv, leg)
        elif state == "disconnected":
            self.by_leg.pop(call_ref, None)
            _cancel(leg.timer)
            self._agent_leg_ended(conv, leg, code, cause)
        return True

    def playback_done(self, call_ref: str, playback_id: str) -> bool:
        conv = self.by_leg.get(call_ref)
        if conv is None:
            return False
        if playback_id == f"notice-{conv.caller.call_ref}" and conv.agent is not None and conv.agent.answered:
            self._connect(conv)
        elif playback_id == f"position-{conv.caller.call_ref}" and conv.answered_at is None and not conv.ended:
            self._hold(conv)  # back to the music until an agent answers
        return True

    def worker_lost(self, call_refs: tuple[str, ...]) -> None:
        for ref in call_refs:
            conv = self.by_leg.get(ref)
            if conv is not None and not conv.ended:
                self._finish(conv, dropped=True, worker_lost=True)

    # -- agent actions on their call (HTTP API) ---------------------------------------------------
    def hangup(self, login: str) -> None:
        conv = self._talking(login)
        self._hangup(conv.caller.worker_id, conv.caller.call_ref)

    def hold(self, login: str, on: bool) -> dict[str, Any]:
        conv = self._talking(login)
        if conv.consult is not None:
            raise Conflict("a consultation is in progress: complete or cancel the transfer first")
        assert conv.agent is not None
        if on and not conv.held:
            conv.held = True
            self._command(conv, media.Unbridge, call_ref_a=conv.caller.call_ref, call_ref_b=conv.agent.call_ref)
            self._hold(conv)
            self._publish(CtiKind.CALL_HELD, conv, held=True)
        elif not on and conv.held:
            conv.held = False
            self._unhold(conv)
            self._command(conv, media.Bridge, call_ref_a=conv.caller.call_ref, call_ref_b=conv.agent.call_ref)
            self._publish(CtiKind.CALL_HELD, conv, held=False)
        return self._call_view(conv)

    def transfer(
        self,
        login: str,
        *,
        mode: str,
        summary: str,
        to_center: str | None = None,
        to_queue: str | None = None,
        to_uri: str | None = None,
    ) -> defer.Deferred[dict[str, Any]]:
        """Blind or warm transfer of the agent's caller; the Deferred fires once the case is handed off."""
        conv = self._talking(login)
        if conv.consult is not None:
            raise Conflict("a transfer is already in progress")
        if not summary.strip():
            raise ValidationFailed("a transfer needs a summary for the receiving agent")
        if to_uri is not None:
            if mode != "blind" or to_center is not None:
                raise ValidationFailed("a transfer outside the platform is blind and names only to_uri")
            return self._external(conv, to_uri, summary)
        if to_center is None:
            raise ValidationFailed("name the receiving center (to_center) or an outside address (to_uri)")
        if mode == "warm":
            if to_queue is None:
                raise ValidationFailed("a warm transfer goes to a queue (to_queue) of the receiving center")
            if self.media is None or self.media.worker_free_slots(conv.caller.worker_id) < 1:
                raise NoMediaCapacity("no call slot left in this caller's media worker for a consultation")
            self.acd.queue_exists(QueueKey(to_center, to_queue))
        elif mode != "blind":
            raise ValidationFailed(f"mode '{mode}': use blind or warm")
        assert conv.agent is not None and conv.interaction_id is not None
        agent = self.agents[login]
        d = self.db(
            self.store.hand_off, agent, self.clock(), interaction_id=conv.interaction_id, to_center=to_center,
            to_queue=to_queue, summary=summary, reason=f"{mode}-transfer",
        )  # fmt: skip
        d.addCallback(self._handed_off, conv, mode, to_center, to_queue, summary)
        return d

    def complete_transfer(self, login: str) -> dict[str, Any]:
        conv = self._talking(login)
        consult = conv.consult
        if consult is None or not consult.answered or conv.consult_acd_id is None or conv.consult_queue is None:
            raise Conflict("no answered consultation to complete")
        assert conv.agent is not None
        old = conv.agent
        self._command(conv, media.Unbridge, call_ref_a=old.call_ref, call_ref_b=consult.call_ref)
        self._leave_agent(conv, Disposition.TRANSFERRED)
        self._unhold(conv)
        conv.held = False
        conv.acd_id, conv.queue = conv.consult_acd_id, conv.consult_queue
        conv.consult = conv.consult_acd_id = conv.consult_queue = None
        consult.kind = "talk"
        conv.agent = consult
        conv.answered_at = self.clock()
        conv.interaction_id = None
        self._command(conv, media.Bridge, call_ref_a=conv.caller.call_ref, call_ref_b=consult.call_ref)
        self._start_recording(conv)
        self._start_contact(conv, consult.login)
        self._publish(CtiKind.CALL_TRANSFERRED, conv, mode="warm", to_agent=consult.login, completed=True)
        return self._call_view(conv)

    def cancel_transfer(self, login: str) -> dict[str, Any]:
        conv = self._talking(login)
        consult = conv.consult
        if consult is None:
            raise Conflict("no transfer in progress")
        self._drop_consult(conv)
        if conv.held:
            conv.held = False
            self._unhold(conv)
            assert conv.agent is not None
            self._command(conv, media.Bridge, call_ref_a=conv.caller.call_ref, call_ref_b=conv.agent.call_ref)
        self._publish(CtiKind.CALL_TRANSFERRED, conv, mode="warm", cancelled=True)
        return self._call_view(conv)

    # -- the ACD's decisions ------------------------------------------------------------------------
    def tick(self) -> None:
        now = self.clock()
        self._handle(self.acd.tick(now))
        self._announce_positions(now)
        self._schedule_tick()

    def _announce_positions(self, now: dt.datetime) -> None:
        """Every ``announce_every_s``, a waiting caller hears how many are ahead and the expected wait."""
        every = dt.timedelta(seconds=self.settings.announce_every_s)
        for conv in list(self.by_acd.values()):
            waiting = conv.agent is None and conv.answered_at is None and conv.caller_answered and not conv.ended
            if not waiting or now - (conv.announced_at or conv.queued_at) < every:
                continue
            conv.announced_at = now
            try:
                positions = {p.call_id: p for p in self.acd.positions(conv.queue)}
            except DomainError:
                continue
            mine = positions.get(conv.acd_id)
            if mine is None or mine.ewt_seconds is None:
                continue
            text = phrases.queue_wait(QueueWait(mine.position - 1, mine.ewt_seconds))
            self._unhold(conv)
            self._play(conv, [Phrase(text)], f"position-{conv.caller.call_ref}")

    def _schedule_tick(self) -> None:
        if self._tick is not None and self._tick.active():
            self._tick.cancel()
        self._tick = self.scheduler.callLater(self.settings.tick_s, self.tick)

    def _handle(self, events: list[Event]) -> None:
        for event in events:
            try:
                self._decide(event)
            except Exception:
                log.exception("desk failed on %s", type(event).__name__)

    def _decide(self, event: Event) -> None:
        if isinstance(event, CallOffered):
            self._offer(event)
        elif isinstance(event, OfferCancelled):
            conv = self.by_acd.get(event.call_id)
            leg = conv.agent if conv else None
            if conv is not None and leg is not None and leg.login == event.agent_id:
                self._release_leg(conv, leg)
        elif isinstance(event, CallQueued):
            self._announce(event)
        elif isinstance(event, Closed):
            self._closed(event)
        elif isinstance(event, CallOverflowed):
            conv = self.by_acd.get(event.call_id)
            if conv is not None:
                self._publish(CtiKind.CALL_TRANSFERRED, conv, overflow=True, to_center=event.to_queue.center,
                              to_queue=event.to_queue.skill, waited_s=round(event.waited_seconds))  # fmt: skip
        elif isinstance(event, PlaceCallback):
            self._place_callback(event)
        elif isinstance(event, CallbackRescheduled):
            self._callback_db(event.callback_id, CallbackStatus.PENDING, event.attempts)
        elif isinstance(event, CallbackFailed):
            self.callbacks.pop(event.callback_id, None)
            self._callback_db(event.callback_id, CallbackStatus.FAILED, event.attempts)
        elif isinstance(event, AgentStateChanged):
            if self.events is not None:
                agent = self.agents.get(event.agent_id)
                self.events.publish(
                    CtiKind.AGENT_STATE_CHANGED, agent.center if agent else None, None,
                    agent.agent_id if agent else None, login=event.agent_id, previous=event.previous.value,
                    state=event.state.value, reason=event.reason,
                )  # fmt: skip
        elif isinstance(event, QueueChanged):
            if self.events is not None:
                self.events.publish(
                    CtiKind.QUEUE_CHANGED, event.queue.center, None, None, skill=event.queue.skill,
                    waiting=len(event.positions),
                )  # fmt: skip
        elif isinstance(event, CallFinished):
            self.stats.add(event.record)

    def _offer(self, event: CallOffered) -> None:
        conv = self.by_acd.get(event.call_id)
        if conv is None:
            return
        consult = event.call_id == conv.consult_acd_id
        kind = "consult" if consult else "talk"
        ref = f"{conv.caller.call_ref}.{kind}{next(self._ids)}"
        leg = AgentLeg(ref, event.agent_id, kind)
        if consult:
            conv.consult = leg
        else:
            conv.agent = leg
        self.by_leg[ref] = conv
        headers = self._case_headers(conv)
        leg.timer = self.scheduler.callLater(self.settings.ring_timeout_s, self._ring_timeout, conv, leg)
        d = self._dial(conv, ref, f"sip:{event.agent_id}@{self._edge()}", headers)
        d.addErrback(self._dial_failed, conv, leg)
        self._publish(CtiKind.CALL_OFFERED, conv, to_agent=event.agent_id, consult=consult)

    def _ring_timeout(self, conv: Conversation, leg: AgentLeg) -> None:
        if leg.answered or conv.ended:
            return
        log.info("agent %s did not answer", leg.login, extra={"sip_call_id": conv.caller.sip_call_id})
        self._release_leg(conv, leg)
        self._declined(conv, leg, "no-answer")

    def _dial_failed(self, failure: Failure, conv: Conversation, leg: AgentLeg) -> None:
        log.warning("dialling %s failed: %s", leg.login, failure.getErrorMessage())
        self.by_leg.pop(leg.call_ref, None)
        _cancel(leg.timer)
        if not leg.released:
            leg.released = True
            self._declined(conv, leg, "dial-failed")

    def _declined(self, conv: Conversation, leg: AgentLeg, reason: str) -> None:
        acd_id = conv.consult_acd_id if leg.kind == "consult" else conv.acd_id
        if leg is conv.agent:
            conv.agent = None
        if leg is conv.consult:
            conv.consult = None
        if acd_id is None:
            return
        try:
            self._handle(self.acd.call_declined(acd_id, leg.login, self.clock(), reason))
        except DomainError as error:
            log.info("decline of %s ignored: %s", acd_id, error)

    def _agent_answered(self, conv: Conversation, leg: AgentLeg) -> None:
        if conv.ended:
            self._release_leg(conv, leg)
            return
        now = self.clock()
        try:
            self._handle(self.acd.call_answered(conv.acd_id, leg.login, now))
        except DomainError as error:
            log.warning("answer of %s refused: %s", conv.acd_id, error)
            self._release_leg(conv, leg)
            return
        conv.answered_at = now
        if conv.caller_answered:
            self._connect(conv)
        self._start_contact(conv, leg.login)

    def _connect(self, conv: Conversation) -> None:
        """Caller and agent talk: hold music off, legs bridged, recording on (after the notice)."""
        assert conv.agent is not None
        self._unhold(conv)
        self._stop_music(conv.caller.worker_id, conv.caller.call_ref, f"position-{conv.caller.call_ref}")
        self._command(conv, media.Bridge, call_ref_a=conv.caller.call_ref, call_ref_b=conv.agent.call_ref)
        self._start_recording(conv)
        self._publish(CtiKind.CALL_ANSWERED, conv, by="agent", agent=conv.agent.login)

    def _start_contact(self, conv: Conversation, login: str) -> None:
        agent = self.agents.get(login)
        if agent is None:
            return
        caller = conv.caller
        d = self.db(
            self.store.answered, agent, self.clock(),
            AnsweredCall(conv.channel, agent.center, caller.phone, caller.citizen_id, caller.sip_call_id,
                         conv.queued_at, caller.case_number, caller.handoff_id),
        )  # fmt: skip
        d.addCallback(self._contact_started, conv, login)
        d.addErrback(self._failed, conv, "agent contact start")

    def _contact_started(self, answered: Answered, conv: Conversation, login: str) -> None:
        conv.interaction_id = answered.interaction_id
        conv.caller.case_number = answered.case_number
        conv.caller.handoff_id = None
        if answered.citizen_id is not None:
            conv.caller.citizen_id = answered.citizen_id
        conv.summary = answered.handoff_summary
        agent = self.agents.get(login)
        if self.events is not None:
            self.events.publish(
                CtiKind.CALL_ANSWERED, agent.center if agent else conv.queue.center, conv.caller.sip_call_id,
                agent.agent_id if agent else None, by="agent", agent=login, interaction_id=answered.interaction_id,
                case_number=answered.case_number, citizen_id=answered.citizen_id,
                handoff_summary=answered.handoff_summary, handoff_from=answered.handoff_from, note=answered.note,
            )  # fmt: skip
        if conv.ended:  # the caller hung up while the contact was being written
            self._end_contact(conv, login, Disposition.ANSWERED, dropped=False)

    # -- the end of a conversation --------------------------------------------------------------------
    def _finish(self, conv: Conversation, *, dropped: bool, worker_lost: bool) -> None:
        if conv.ended:
            return
        conv.ended = True
        now = self.clock()
        self.by_leg.pop(conv.caller.call_ref, None)
        if conv.consult is not None:
            self._drop_consult(conv)
        leg = conv.agent
        if conv.answered_at is None:  # still waiting or ringing: an abandon (or an unanswered callback)
            if leg is not None:
                self._release_leg(conv, leg)
            self.by_acd.pop(conv.acd_id, None)
            try:
                if conv.callback_id is not None:
                    self._handle(self.acd.callback_unanswered(conv.callback_id, now))
                else:
                    self._handle(self.acd.call_abandoned(conv.acd_id, now))
            except DomainError as error:
                log.info("abandon of %s ignored: %s", conv.acd_id, error)
            return
        assert leg is not None
        self._release_leg(conv, leg)
        self.by_acd.pop(conv.acd_id, None)
        try:
            self._handle(self.acd.call_ended(conv.acd_id, now))
        except DomainError as error:
            log.info("end of %s ignored: %s", conv.acd_id, error)
        disposition = (
            Disposition.WORKER_LOST if worker_lost else Disposition.DROPPED if dropped else Disposition.ANSWERED
        )
        self._publish(CtiKind.CALL_ENDED, conv, disposition=str(disposition), agent=leg.login)
        if conv.interaction_id is not None:
            self._end_contact(conv, leg.login, disposition, dropped=dropped)

    def _end_contact(self, conv: Conversation, login: str, disposition: Disposition, dropped: bool) -> None:
        agent = self.agents.get(login)
        if agent is None or conv.interaction_id is None:
            return
        d = self.db(
            self.store.ended, agent, self.clock(), interaction_id=conv.interaction_id, disposition=disposition,
            dropped=dropped, recording_ref=self._recording_ref(conv),
        )  # fmt: skip
        conv.interaction_id = None
        d.addCallback(self._contact_ended)
        d.addErrback(self._failed, conv, "agent contact end")

    def _contact_ended(self, ended: Ended) -> None:
        if ended.callback is not None:
            self._schedule_callback(ended.callback, self.clock())

    def _agent_leg_ended(self, conv: Conversation, leg: AgentLeg, code: int, cause: int | None) -> None:
        if leg.released or conv.ended:
            return
        if not leg.answered:  # busy, not registered, rejected: back to the queue
            self._declined(conv, leg, f"sip-{code}")
            return
        if leg.kind == "consult":  # the consulted agent hung up: back to the caller
            conv.consult = None
            with contextlib.suppress(DomainError):
                self._handle(self.acd.call_ended(conv.consult_acd_id or "", self.clock()))
            self.by_acd.pop(conv.consult_acd_id or "", None)
            conv.consult_acd_id = conv.consult_queue = None
            return
        # The agent hung up: the conversation is over for the caller too.
        dropped = cause is not None and cause not in NORMAL_CAUSES
        self._hangup(conv.caller.worker_id, conv.caller.call_ref)
        self._finish(conv, dropped=dropped, worker_lost=False)

    # -- transfers ----------------------------------------------------------------------------------
    def _handed_off(
        self, handed: HandedOff, conv: Conversation, mode: str, to_center: str, to_queue: str | None, summary: str
    ) -> dict[str, Any]:
        conv.caller.case_number = handed.case_number
        conv.caller.handoff_id = handed.handoff_id
        if mode == "warm":
            assert to_queue is not None
            self._consult(conv, QueueKey(to_center, to_queue))
            return self._call_view(conv)
        # blind: the agent leaves, the caller waits for the receiving center
        self._leave_agent(conv, Disposition.TRANSFERRED)
        conv.held = False
        self._publish(CtiKind.CALL_TRANSFERRED, conv, mode="blind", to_center=to_center, to_queue=to_queue,
                      case_number=handed.case_number)  # fmt: skip
        caller = conv.caller
        caller.center = to_center
        self.by_leg.pop(caller.call_ref, None)
        self.by_acd.pop(conv.acd_id, None)
        conv.ended = True  # this conversation is over; the caller starts a new one
        if to_queue is not None:
            self.enqueue(caller, to_queue, priority=5)
        elif self._resume is not None:
            self._unhold(conv)
            self._resume(caller, to_center, handed.case_number)
        return {"case_number": handed.case_number, "handoff_id": handed.handoff_id, "mode": mode}

    def _consult(self, conv: Conversation, queue: QueueKey) -> None:
        assert conv.agent is not None
        conv.held = True
        self._command(conv, media.Unbridge, call_ref_a=conv.caller.call_ref, call_ref_b=conv.agent.call_ref)
        self._hold(conv)
        self._publish(CtiKind.CALL_HELD, conv, held=True, consult=True)
        consult_id = self._new_acd_id(conv.caller.call_ref)
        conv.consult_acd_id, conv.consult_queue = consult_id, queue
        self.by_acd[consult_id] = conv
        self._handle(self.acd.call_arrived(consult_id, queue, self.clock(), priority=10,
                                           case_number=conv.caller.case_number))  # fmt: skip

    def _consult_answered(self, conv: Conversation, leg: AgentLeg) -> None:
        assert conv.consult_acd_id is not None and conv.agent is not None
        try:
            self._handle(self.acd.call_answered(conv.consult_acd_id, leg.login, self.clock()))
        except DomainError as error:
            log.warning("consultation answer refused: %s", error)
            self._release_leg(conv, leg)
            return
        self._command(conv, media.Bridge, call_ref_a=conv.agent.call_ref, call_ref_b=leg.call_ref)
        self._publish(CtiKind.CALL_TRANSFERRED, conv, mode="warm", consulting=leg.login)

    def _drop_consult(self, conv: Conversation) -> None:
        consult, acd_id = conv.consult, conv.consult_acd_id
        conv.consult = None
        conv.consult_acd_id = conv.consult_queue = None
        if acd_id is not None:
            self.by_acd.pop(acd_id, None)
        now = self.clock()
        if consult is not None:
            self._release_leg(conv, consult)
        if acd_id is None:
            return
        try:
            if consult is not None and consult.answered:
                self._handle(self.acd.call_ended(acd_id, now))
            else:
                self._handle(self.acd.call_abandoned(acd_id, now))
        except DomainError as error:
            log.info("consultation %s: %s", acd_id, error)

    def _leave_agent(self, conv: Conversation, disposition: Disposition) -> None:
        """The current agent leaves the call (transfer): their leg hangs up, their contact ends, wrap-up."""
        leg = conv.agent
        assert leg is not None
        login = leg.login
        self._release_leg(conv, leg)
        try:
            self._handle(self.acd.call_ended(conv.acd_id, self.clock()))
        except DomainError as error:
            log.info("end of %s ignored: %s", conv.acd_id, error)
        self._end_contact(conv, login, disposition, dropped=False)
        conv.agent = None

    def _external(self, conv: Conversation, to_uri: str, summary: str) -> defer.Deferred[dict[str, Any]]:
        if not to_uri.startswith(("sip:", "sips:", "tel:")):
            raise ValidationFailed("to_uri must be a sip:, sips: or tel: address")
        number = conv.caller.case_number
        headers = {"User-to-User": uui(number or "")}
        assert conv.agent is not None
        self._command(conv, media.Unbridge, call_ref_a=conv.caller.call_ref, call_ref_b=conv.agent.call_ref)
        self._leave_agent(conv, Disposition.TRANSFERRED)
        conv.ended = True
        self.by_leg.pop(conv.caller.call_ref, None)
        self.by_acd.pop(conv.acd_id, None)
        self._command(conv, media.Transfer, call_ref=conv.caller.call_ref, target_uri=to_uri, headers=headers)
        self._publish(CtiKind.CALL_TRANSFERRED, conv, mode="blind", to_uri=to_uri, case_number=number)
        return defer.succeed({"case_number": number, "handoff_id": None, "mode": "blind"})

    # -- callbacks ---------------------------------------------------------------------------------------
    def _schedule_callback(self, task: CallbackTask, now: dt.datetime) -> None:
        key = str(task.callback_id)
        if key in self.callbacks or task.phone is None:
            return
        queue = QueueKey(task.center, self.settings.default_skill)
        # The case's due time is a deadline ("within 30 minutes"): the call goes out once the grace delay
        # is over (the citizen often rings back at once) and an agent is free, never later than needed.
        start = min(task.due_at, now + dt.timedelta(seconds=self.settings.callback_delay_s))
        try:
            events = self.acd.schedule_callback(key, queue, start, now, case_number=task.case_number)
        except DomainError as error:
            log.warning("callback %s not scheduled: %s", key, error)
            return
        self.callbacks[key] = task
        self._handle(events)

    def _place_callback(self, event: PlaceCallback) -> None:
        task = self.callbacks.get(event.callback_id)
        worker = self.media.worker_with_slots(2) if self.media is not None else None
        if task is None or task.phone is None or worker is None:
            log.warning("callback %s cannot be placed now (no number or no media slots)", event.callback_id)
            self.scheduler.callLater(0, self._callback_unanswered, event.callback_id)
            return
        ref = f"cb{next(self._ids)}"
        caller = Caller(worker, ref, "", task.center, task.phone, None, notice_heard=False,
                        case_number=task.case_number)  # fmt: skip
        conv = Conversation(caller, event.call_id, event.queue, self.clock(), channel=Channel.CALLBACK,
                            caller_answered=False, callback_id=event.callback_id)  # fmt: skip
        self.by_acd[event.call_id] = conv
        leg = AgentLeg(f"{ref}.agent", event.agent_id, "callback-agent")
        conv.agent = leg
        self.by_leg[leg.call_ref] = conv
        leg.timer = self.scheduler.callLater(self.settings.ring_timeout_s, self._ring_timeout, conv, leg)
        d = self._dial(conv, leg.call_ref, f"sip:{event.agent_id}@{self._edge()}", self._case_headers(conv))
        d.addErrback(self._dial_failed, conv, leg)
        self._callback_db(event.callback_id, CallbackStatus.DIALING, event.attempt)

    def _dial_citizen(self, conv: Conversation) -> None:
        task = self.callbacks.get(conv.callback_id or "")
        assert task is not None and task.phone is not None
        self.by_leg[conv.caller.call_ref] = conv
        if self.hold_music is not None and conv.agent is not None:
            self._play_music(conv.caller.worker_id, conv.agent.call_ref, f"ring-{conv.agent.call_ref}")
        timer = self.scheduler.callLater(self.settings.callback_ring_timeout_s, self._citizen_timeout, conv)
        conv.caller.handoff_id = None
        d = self._dial(conv, conv.caller.call_ref, f"sip:{task.phone}@{self._edge()}", self._case_headers(conv))
        d.addCallback(self._citizen_dialled, conv, timer)
        d.addErrback(self._citizen_dial_failed, conv)

    def _citizen_dial_failed(self, failure: Failure, conv: Conversation) -> None:
        log.warning("callback dial failed: %s", failure.getErrorMessage())
        self._citizen_leg(conv, "disconnected", 503, None)

    def _citizen_dialled(self, result: dict[str, Any], conv: Conversation, timer: Any) -> None:
        conv.caller.sip_call_id = str(result.get("call_id", ""))
        conv.caller_timer = timer

    def _citizen_timeout(self, conv: Conversation) -> None:
        if not conv.caller_answered and not conv.ended:
            self._hangup(conv.caller.worker_id, conv.caller.call_ref)

    def _citizen_leg(self, conv: Conversation, state: str, code: int, cause: int | None) -> None:
        if state == "confirmed" and not conv.caller_answered:
            conv.caller_answered = True
            _cancel(conv.caller_timer)
            assert conv.agent is not None
            self._stop_music(conv.caller.worker_id, conv.agent.call_ref, f"ring-{conv.agent.call_ref}")
            self.callbacks.pop(conv.callback_id or "", None)
            self._callback_db(conv.callback_id or "", CallbackStatus.DONE, 0)
            self._agent_answered(conv, conv.agent)  # ACD: callback completed; contact on the case
            # the citizen hears the recording notice before the agent is connected
            notice = Phrase("상담 내용은 서비스 품질 향상을 위해 녹음됩니다. 상담원을 연결해 드리겠습니다.")
            conv.caller.notice_heard = True
            self._play(conv, [notice], f"notice-{conv.caller.call_ref}")
        elif state == "disconnected":
            _cancel(conv.caller_timer)
            if not conv.caller_answered:
                self._callback_unanswered_conv(conv)
            else:
                self._finish(conv, dropped=cause is not None and cause not in NORMAL_CAUSES, worker_lost=False)

    def _callback_unanswered_conv(self, conv: Conversation) -> None:
        if conv.ended:
            return
        conv.ended = True
        self.by_leg.pop(conv.caller.call_ref, None)
        self.by_acd.pop(conv.acd_id, None)
        if conv.agent is not None:
            self._release_leg(conv, conv.agent)
        self._callback_unanswered(conv.callback_id or "")

    def _callback_unanswered(self, callback_id: str) -> None:
        try:
            self._handle(self.acd.callback_unanswered(callback_id, self.clock()))
        except DomainError as error:
            log.info("callback %s: %s", callback_id, error)

    def _callback_db(self, callback_id: str, status: CallbackStatus, attempts: int) -> None:
        if not callback_id.isdigit():
            return
        d = self.db(self.store.callback_finished, int(callback_id), status, attempts)
        d.addErrback(lambda f: log.error("callback %s update failed: %s", callback_id, f.getErrorMessage()))

    # -- announcements -------------------------------------------------------------------------------
    def _announce(self, event: CallQueued) -> None:
        conv = self.by_acd.get(event.call_id)
        if conv is None or event.call_id == conv.consult_acd_id:
            return
        self._publish(CtiKind.QUEUE_CHANGED, conv, position=event.position, ewt_s=event.ewt_seconds)

    def _closed(self, event: Closed) -> None:
        conv = self.by_acd.pop(event.call_id, None)
        if conv is None:
            return
        if event.call_id == conv.consult_acd_id:
            conv.consult_acd_id = conv.consult_queue = None
            self._publish(CtiKind.CALL_TRANSFERRED, conv, mode="warm", cancelled=True, reason="closed")
            return
        conv.ended = True
        self.by_leg.pop(conv.caller.call_ref, None)
        text = "지금은 상담 시간이 아닙니다. 상담 시간에 다시 전화해 주십시오."
        self._play(conv, [Phrase(text)], f"closed-{conv.caller.call_ref}")
        self.scheduler.callLater(8.0, self._hangup, conv.caller.worker_id, conv.caller.call_ref)

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
        _cancel(leg.timer)
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

    def _publish(self, kind: CtiKind, conv: Conversation, **data: Any) -> None:
        if self.events is not None:
            agent = self.agents.get(conv.agent.login) if conv.agent else None
            self.events.publish(kind, conv.queue.center, conv.caller.sip_call_id or None,
                                agent.agent_id if agent else None, **data)  # fmt: skip


def uui(case_number: str) -> str:
    """A ``User-to-User`` header value (RFC 7433): the case id, hex-encoded, for systems outside Sori.

    Only the case number leaves the platform: the summary may hold personal data and stays in the case.
    """
    payload = f"sori-case={case_number}"
    data = binascii.hexlify(payload.encode("utf-8")).decode("ascii")
    return f"{data};encoding=hex;purpose=call-transfer;content=sori-case"


def _cancel(timer: Any) -> None:
    if timer is not None and timer.active():
        timer.cancel()


__all__ = ["Caller", "Conversation", "Desk", "DeskSettings", "NoMediaCapacity", "NotOnCall", "uui"]
