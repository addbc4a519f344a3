"""PIN enrolment on a caller's leg while they talk to an agent: the prompts go to the caller, their keys come back.

``PinEnrolments.start`` runs an ``EnrolmentSession`` (``telephony.ivr.enrolment``) through an ``IvrCall`` on the
caller's media leg; the switchboard hands it the caller's DTMF and playback events while one runs. The
digits go straight from the caller's keypad to the case store (``enrol``, on a database thread): the agent
neither hears nor sees them. The Deferred ``start`` returns fires with the outcome (``enrolled``,
``cancelled``, ``trivial``, ``mismatch``, ``format``, ``error``, or ``hung-up``).
"""

from __future__ import annotations

from collections.abc import Callable

from twisted.internet import defer

from telephony.control.ivr_call import IvrCall, PromptFiles, Scheduler
from telephony.control.switchboard_model import Commands, WorkerLeg
from telephony.ivr.actions import PinRequest, SelfService
from telephony.ivr.enrolment import EnrolmentSession
from telephony.ivr.events import PinAnswer, PortResult

Enrol = Callable[[str, str], defer.Deferred[str]]  # (new PIN, repeated) → the store's answer


class EnrolmentInProgress(Exception):
    """The caller is already keying a PIN."""


class PinEnrolments:
    def __init__(
        self, pool: Callable[[], Commands], prompts: PromptFiles, scheduler: Scheduler, timeout_s: float = 8.0
    ) -> None:
        self.pool = pool  # the switchboard's, once the telephony service gave it one
        self.prompts = prompts
        self.scheduler = scheduler
        self.timeout_s = timeout_s
        self._running: dict[str, tuple[IvrCall, EnrolmentSession, defer.Deferred[str]]] = {}

    def start(self, worker_id: str, call_ref: str, enrol: Enrol) -> defer.Deferred[str]:
        running = self._running.get(call_ref)
        if running is not None and not running[1].done:
            raise EnrolmentInProgress("the caller is already keying a PIN")
        result: defer.Deferred[str] = defer.Deferred()

        def done(outcome: str) -> None:
            if not result.called:
                result.callback(outcome)

        def port(request: PinRequest) -> defer.Deferred[PinAnswer]:
            return enrol(request.new or "", request.repeated or "").addCallback(PinAnswer)

        session = EnrolmentSession(done, self.timeout_s)
        leg = WorkerLeg(self.pool(), worker_id, call_ref)
        call = IvrCall(session, leg, self.prompts, _no_self_service, self.scheduler, pin=port)
        self._running[call_ref] = (call, session, result)
        call.start()
        return result

    def active(self, call_ref: str) -> bool:
        running = self._running.get(call_ref)
        return running is not None and not running[1].done

    def digit(self, call_ref: str, key: str) -> bool:
        """A key of the caller's: True when an enrolment took it (nothing else may see it)."""
        if not self.active(call_ref):
            return False
        self._running[call_ref][0].digit(key)
        return True

    def playback_done(self, call_ref: str, playback_id: str) -> None:
        running = self._running.get(call_ref)
        if running is not None:
            running[0].playback_done(playback_id)

    def ended(self, call_ref: str) -> None:
        """The caller's call ended: an enrolment still running answers ``hung-up``."""
        running = self._running.pop(call_ref, None)
        if running is None:
            return
        call, _, result = running
        call.hung_up()
        if not result.called:
            result.callback("hung-up")


def _no_self_service(action: SelfService) -> defer.Deferred[PortResult]:
    return defer.succeed(PortResult(error="no self-service during an enrolment"))


__all__ = ["EnrolmentInProgress", "PinEnrolments"]
