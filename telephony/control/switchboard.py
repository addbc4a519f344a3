"""The switchboard: every call a media worker reports is answered, taken through its center's IVR and,
when it ends, written to the case store as one contact.

It consumes the media pool's events on the reactor thread. Database work (who is calling, the contact
record) runs on the database thread pool; prompt synthesis runs on threads too. Queueing to agents
(the ACD) is the desk's (:mod:`telephony.control.desk`): a caller the IVR puts in a queue is handed to
it, and legs the desk dialled (agents' phones, callbacks) are reported to it. Without a desk a queued
caller waits on hold music and is recorded as abandoned in queue when they hang up.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from twisted.internet import defer
from twisted.python.failure import Failure

from crm.door.calls import CallerInfo, CallStore, Channel, Disposition, FinishedContact
from kernel.calendar import WorkCalendar
from kernel.centers import Center
from telephony.control.desk import Caller, Desk
from telephony.control.desk_model import DbRunner
from telephony.control.ivr_call import IvrCall, PromptFiles, Scheduler, SelfServicePort
from telephony.control.recordings import recording_path, relative_ref
from telephony.control.switchboard_model import ActiveCall, Commands, WorkerLeg
from telephony.cti.bus import CtiBus, CtiKind
from telephony.ivr.actions import Enqueue, Hangup, PinRequest, Terminal, Transfer
from telephony.ivr.events import PinAnswer
from telephony.ivr.loader import FlowSet
from telephony.ivr.session import CallContext, CenterStatus, IvrSession, center_status
from telephony.media import protocol as media
from telephony.media.pool import WorkerEvent, WorkerLost

if TYPE_CHECKING:
    from telephony.control.pin_enrolment import PinEnrolments

log = logging.getLogger("sori.calls")
T = TypeVar("T")
_SIP_USER = re.compile(r"sips?:([^@;>:]+)@")
#: Set by the edge only on calls from a configured trunk (and stripped from every other INVITE): the caller's
#: number is the network's, not whatever the caller's own equipment put in From.
TRUSTED_CALLER = "X-Sori-Trusted-Caller"


class Switchboard:
    def __init__(
        self,
        pool: Commands,
        flows: FlowSet,
        centers: Mapping[str, Center],
        calendar: WorkCalendar,
        store: CallStore,
        db: DbRunner,
        prompts: PromptFiles,
        self_service: SelfServicePort,
        scheduler: Scheduler,
        clock: Callable[[], dt.datetime],
        hold_music: Callable[[], defer.Deferred[Path]] | None = None,
        events: CtiBus | None = None,
        desk: Desk | None = None,
        recordings_dir: Path | None = None,
        transcribe: bool = False,
        enrolments: PinEnrolments | None = None,
    ) -> None:
        self.pool = pool
        self.flows = flows
        self.centers = centers
        self.calendar = calendar
        self.store = store
        self.db = db
        self.prompts = prompts
        self.self_service = self_service
        self.scheduler = scheduler
        self.clock = clock
        self.hold_music = hold_music
        self.events = events
        self.desk = desk
        self.recordings_dir = recordings_dir
        self.transcribe = transcribe  # closed recordings go to the post-call transcription queue
        self.enrolments = enrolments  # PINs keyed by a caller talking to an agent
        if desk is not None:
            desk.on_transfer_to_menu(self._transferred_to_menu)
        self.calls: dict[str, ActiveCall] = {}
        self.finished: list[ActiveCall] = []  # the most recent ended calls, for the operators and tests

    # -- pool events ------------------------------------------------------------------------------
    def on_event(self, event: WorkerEvent) -> None:
        handler = {
            "IncomingCall": self._incoming,
            "DtmfReceived": self._dtmf,
            "PlaybackDone": self._playback_done,
            "CallState": self._call_state,
            "RecordingDone": self._recording_done,
        }.get(event.name)
        if handler is not None:
            handler(event.worker_id, event.args)

    def on_lost(self, lost: WorkerLost) -> None:
        for ref in lost.call_refs:
            call = self.calls.get(ref)
            if call is not None:
                self._ended(call, worker_lost=True)
        if self.desk is not None:
            self.desk.worker_lost(lost.call_refs)

    def _recording_done(self, worker_id: str, args: dict[str, Any]) -> None:
        """A recording is closed (its WAV header written): queue it for transcription."""
        ref = relative_ref(Path(args["path"]), self.recordings_dir)
        seconds = float(args.get("seconds") or 0.0)
        if not self.transcribe or ref is None or seconds <= 0:
            return
        queued = self.db(self.store.enqueue_transcription, ref, self.clock(), seconds)
        queued.addErrback(lambda f: log.error("recording %s not queued for transcription: %s", ref, f.value))

    def _incoming(self, worker_id: str, args: dict[str, Any]) -> None:
        raw = args.get("headers") or {}
        headers = raw if isinstance(raw, dict) else media.header_dict(raw)
        candidates = tuple(c for c in headers.get("X-Sori-Center-Candidates", "").split(",") if c in self.centers)
        call = ActiveCall(
            worker_id=worker_id,
            call_ref=args["call_ref"],
            call_id=args["call_id"],
            caller=_sip_user(args["from_uri"]),
            dialled=headers.get("X-Sori-Dialled", ""),
            candidates=candidates,
            started_at=self.clock(),
            trusted=headers.get(TRUSTED_CALLER) == "1",
        )
        self.calls[call.call_ref] = call
        self._publish(CtiKind.CALL_OFFERED, call, candidates=list(candidates), dialled=call.dialled)
        if not candidates:
            # Only the edge routes calls here, with the center candidates; anything else is not ours.
            log.warning("call without center candidates refused", extra={"sip_call_id": call.call_id})
            self.calls.pop(call.call_ref, None)
            self._command(call, media.Hangup, code=404)
            return
        lookup: defer.Deferred[CallerInfo] = self.db(self.store.lookup_caller, call.caller, call.started_at)
        lookup.addCallback(self._answer, call, headers.get("X-Sori-Caller-Area"))
        lookup.addErrback(self._failed, call, "caller lookup")

    def _answer(self, info: CallerInfo, call: ActiveCall, area: str | None) -> None:
        call.info = info
        if call.ended:
            return
        self._command(call, media.Answer)
        self._publish(CtiKind.CALL_ANSWERED, call, by="ivr")  # no caller number, even masked: ids and kinds only
        shared = self.flows.for_shared_number(call.dialled) if len(call.candidates) > 1 else None
        if shared is not None:
            context = self._context(call, call.candidates[0], area)
            self._run_ivr(call, IvrSession(shared, context))
        else:
            self._start_center(call, call.candidates[0], area)

    def _start_center(self, call: ActiveCall, center: str, area: str | None, transfer: Transfer | None = None) -> None:
        call.center = center
        context = self._context(call, center, area, transfer)
        self._run_ivr(call, IvrSession(self.flows.for_center(center), context))

    def _context(
        self, call: ActiveCall, center: str, area: str | None, transfer: Transfer | None = None
    ) -> CallContext:
        info = call.info
        found = self.centers.get(center)
        status = center_status(found.weekly_hours, self.clock(), self.calendar) if found else CenterStatus.OPEN
        waits = self.desk.waits(center) if self.desk is not None else {}
        earlier = call.ivr.session if call.ivr is not None else None  # the flow before a transfer
        return CallContext(
            center=center,
            dialled=call.dialled,
            caller=_phone(info),
            caller_area_code=area or (info.area_code if info else None),
            open_case=(transfer.continuing_case if transfer else None) or (info.open_case_at(center) if info else None),
            status=status,
            waits=waits,
            notice_heard=bool(transfer and transfer.recording_notice_heard),
            entry_step=transfer.to_step if transfer else None,
            trusted_caller=call.trusted,
            pin_enrolled=bool(info and info.citizen_id is not None and info.has_pin),
            verified=call.pin_verified,
            pin_asked=bool(earlier and earlier.pin_asked),
        )

    def _run_ivr(self, call: ActiveCall, session: IvrSession) -> None:
        leg = WorkerLeg(self.pool, call.worker_id, call.call_ref)
        call.ivr = IvrCall(session, leg, self.prompts, self.self_service, self.scheduler, lambda: self._record(call),
                           pin=lambda request: self._pin(call, request))  # fmt: skip
        call.traces.append(call.ivr.trace)
        call.ivr.done.addCallback(self._ivr_done, call)
        call.ivr.start()

    def _pin(self, call: ActiveCall, request: PinRequest) -> defer.Deferred[PinAnswer]:
        """The PIN the caller keyed, checked (or changed) for the one citizen of their number, on a DB thread."""
        citizen_id = call.info.citizen_id if call.info is not None else None
        if citizen_id is None:
            return defer.succeed(PinAnswer("no-pin"))
        checked: defer.Deferred[str] = self.db(self.store.pin, citizen_id, request, self.clock())
        return checked.addCallback(PinAnswer)

    def _record(self, call: ActiveCall) -> None:
        """The caller heard the recording notice: the call is recorded (both directions) until it ends."""
        if self.recordings_dir is None or call.recording is not None or call.ended:
            return
        call.recording = recording_path(self.recordings_dir, self.clock(), call.call_ref)
        self._command(call, media.StartRecording, path=str(call.recording))

    def _ivr_done(self, outcome: Terminal | None, call: ActiveCall) -> None:
        if outcome is None or call.ended:
            return
        if isinstance(outcome, Transfer):
            self._publish(CtiKind.CALL_TRANSFERRED, call, to_center=outcome.to_center, to_queue=outcome.to_queue)
        if isinstance(outcome, Transfer) and outcome.to_queue is None:
            self._start_center(call, outcome.to_center, call.info.area_code if call.info else None, outcome)
            return
        call.outcome = outcome
        if isinstance(outcome, Hangup):
            self._command(call, media.Hangup)
        else:  # Enqueue, or a transfer straight to another center's queue
            call.queued_at = self.clock()
            if isinstance(outcome, Transfer):
                call.center = outcome.to_center
            skill = outcome.skill if isinstance(outcome, Enqueue) else outcome.to_queue
            assert skill is not None
            if self.desk is not None:
                priority = outcome.priority if isinstance(outcome, Enqueue) else 5
                self.desk.enqueue(self._caller(call, outcome), skill, priority)
                return
            self._publish(CtiKind.CALL_QUEUED, call, skill=skill)
            self._hold(call)

    def _caller(self, call: ActiveCall, outcome: Enqueue | Transfer) -> Caller:
        info = call.info
        case = outcome.continuing_case or call.case_number
        return Caller(
            worker_id=call.worker_id,
            call_ref=call.call_ref,
            sip_call_id=call.call_id,
            center=call.center or "",
            phone=info.phone_digits if info else None,
            citizen_id=info.citizen_id if info else None,
            notice_heard=any(t.notice_heard for t in call.traces),
            case_number=case,
            handoff_id=call.handoff_id if case is not None else None,
            recording=call.recording,
            pin_verified_citizen=info.citizen_id if info is not None and call.pin_verified else None,
            phone_masked=info.phone_masked if info else None,
        )

    def _transferred_to_menu(self, caller: Caller, center: str, case_number: str | None) -> None:
        """A blind transfer by an agent to another center's menu: the caller runs that center's IVR."""
        call = self.calls.get(caller.call_ref)
        if call is None or call.ended:
            return
        call.queued_at, call.outcome = None, None
        call.case_number, call.handoff_id = case_number, caller.handoff_id
        transfer = Transfer(center, continuing_case=case_number, recording_notice_heard=caller.notice_heard)
        self._start_center(call, center, call.info.area_code if call.info else None, transfer)

    def _hold(self, call: ActiveCall) -> None:
        if self.hold_music is None:
            return
        leg = WorkerLeg(self.pool, call.worker_id, call.call_ref)
        music = self.hold_music()
        music.addCallback(lambda path: None if call.ended else leg.play([path], f"hold-{call.call_ref}", loop=True))
        music.addErrback(self._failed, call, "hold music")

    def _dtmf(self, worker_id: str, args: dict[str, Any]) -> None:
        if self.enrolments is not None and self.enrolments.digit(args["call_ref"], str(args["digit"])):
            return
        call = self.calls.get(args["call_ref"])
        if call is not None and call.ivr is not None:
            call.ivr.digit(str(args["digit"]))

    def _playback_done(self, worker_id: str, args: dict[str, Any]) -> None:
        if self.enrolments is not None:
            self.enrolments.playback_done(args["call_ref"], str(args["playback_id"]))
        if self.desk is not None and self.desk.playback_done(args["call_ref"], str(args["playback_id"])):
            return
        call = self.calls.get(args["call_ref"])
        if call is not None and call.ivr is not None:
            call.ivr.playback_done(str(args["playback_id"]))

    def _call_state(self, worker_id: str, args: dict[str, Any]) -> None:
        cause = int(args.get("cause") or 0) or None
        call = self.calls.get(args["call_ref"])
        if call is None:
            if self.desk is not None:
                self.desk.leg_state(args["call_ref"], str(args["state"]), int(args.get("code") or 0), cause)
            return
        if args["state"] == "disconnected":
            self._ended(call, cause=cause)

    # -- the end of a call ------------------------------------------------------------------------
    def _ended(self, call: ActiveCall, worker_lost: bool = False, cause: int | None = None) -> None:
        if call.ended:
            return
        call.ended = True
        self.calls.pop(call.call_ref, None)
        if self.enrolments is not None:
            self.enrolments.ended(call.call_ref)
        if call.ivr is not None:
            call.ivr.hung_up()
        if self.desk is not None and self.desk.caller_gone(call.call_ref, cause, worker_lost):
            # an agent answered: the agent's contact is the record of this call (the desk writes it)
            self.finished.append(call)
            del self.finished[:-200]
            return
        contact = self._contact(call, worker_lost)
        self._publish(CtiKind.CALL_ENDED, call, disposition=str(contact.disposition))
        call.recorded = self.db(self.store.record, contact)
        call.recorded.addErrback(self._failed, call, "contact record")
        self.finished.append(call)
        del self.finished[:-200]
        if self.desk is not None and call.info is not None and call.info.phone_digits:
            for request in (c for t in call.traces for c in t.callbacks):
                self.desk.ivr_callback(request.center, request.skill, call.info.phone_digits, request.continuing_case)

    def _contact(self, call: ActiveCall, worker_lost: bool) -> FinishedContact:
        keys = [k for t in call.traces for k in t.keys]
        served = [r for t in call.traces for _, r in t.self_service]
        callbacks = [c for t in call.traces for c in t.callbacks]
        continued = next((t.continued_case for t in call.traces if t.continued_case), None)
        channel = Channel.INBOUND_CALL
        if worker_lost:
            disposition = Disposition.WORKER_LOST
        elif call.queued_at is not None:
            disposition = Disposition.ABANDONED_IN_QUEUE
        elif callbacks:
            disposition = Disposition.CALLBACK_REQUESTED
        elif served:
            disposition, channel = Disposition.SELF_SERVICE_COMPLETED, Channel.IVR_SELF_SERVICE
        elif not keys:
            disposition = Disposition.ABANDONED_BEFORE_MENU
        else:
            disposition = Disposition.ABANDONED_IN_IVR
        notes = "; ".join(_describe(r) for r in served) or None
        info = call.info
        return FinishedContact(
            channel=channel,
            center_code=call.center or (call.candidates[0] if call.candidates else ""),
            started_at=call.started_at,
            ended_at=self.clock(),
            disposition=disposition,
            citizen_id=info.citizen_id if info else None,
            case_number=continued,
            queued_at=call.queued_at,
            answered_at=call.started_at,
            notes=notes,
            sip_call_id=call.call_id,
            recording_ref=self._recording_ref(call),
            caller_masked=info.phone_masked if info else None,
            source="system:switchboard",
        )

    # -- helpers ----------------------------------------------------------------------------------
    def _recording_ref(self, call: ActiveCall) -> str | None:
        return relative_ref(call.recording, self.recordings_dir)

    def _publish(self, kind: CtiKind, call: ActiveCall, **data: Any) -> None:
        if self.events is not None:
            center = call.center or (call.candidates[0] if call.candidates else None)
            self.events.publish(kind, center, call.call_id, **data)

    def _command(self, call: ActiveCall, command: type[Any], **arguments: Any) -> None:
        d = self.pool.command(call.worker_id, command, call_ref=call.call_ref, **arguments)
        d.addErrback(self._failed, call, command.__name__)

    def _failed(self, failure: Failure, call: ActiveCall, what: str) -> None:
        log.error("%s failed: %s", what, failure.getErrorMessage(), extra={"sip_call_id": call.call_id})


def _sip_user(uri: str) -> str:
    match = _SIP_USER.search(uri)
    return match.group(1) if match else ""


def _phone(info: CallerInfo | None) -> str | None:
    return info.phone_display if info else None


def _describe(result: Any) -> str:
    value = getattr(result, "value", None)
    if value is None:
        return "조회 내역 없음" if getattr(result, "error", None) is None else "조회 실패"
    return f"{type(value).__name__}: {value}"


__all__ = ["ActiveCall", "Switchboard", "WorkerLeg"]  # the first and last from .switchboard_model
