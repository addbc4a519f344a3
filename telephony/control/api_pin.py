"""``POST /api/v1/interactions/{id}/pin-enrolment``: the agent asks the caller to key a first IVR PIN.

Only on the agent's own open contact, with the caller verified by evidence the agent could not supply (the
주민등록번호 stated or the SMS code read back; ``crm.citizens.pin_services.enrolment_citizen``), and only while
that contact's call is connected to the agent. The caller hears the prompts and keys the PIN twice on their
own leg (``telephony.control.pin_enrolment``); the answer says how it ended, never which digits.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from twisted.internet import defer
from twisted.python.failure import Failure

from crm.door.calls import enrolment_citizen
from kernel.http.errors import ApiError
from kernel.http.kit import ApiRequest, Later, Reply, Router
from telephony.control.api import TAKES_CALLS, DeskRef
from telephony.control.desk import Desk
from telephony.control.pin_enrolment import EnrolmentInProgress, PinEnrolments

#: Two entries of up to six keys, their prompts and the store's answer: far more than a caller needs.
ENROLMENT_TIMEOUT_S = 120.0


class PinEnrolmentOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Literal["enrolled", "cancelled", "trivial", "mismatch", "format", "error", "hung-up"]


def register(router: Router, ref: DeskRef) -> None:
    def enrol(req: ApiRequest[Any], uow: Any) -> Later:
        actor, iid = req.require_actor(), req.param_int("interaction_id")
        enrolment_citizen(uow, actor, iid)  # 404, 403 or 409 before the caller hears anything
        if ref.desk is None or ref.enrolments is None:
            raise ApiError("telephony-unavailable", "telephony is not running on this server")
        desk, enrolments, login = ref.desk, ref.enrolments, actor.login

        def run() -> defer.Deferred[Reply]:
            d = defer.maybeDeferred(_start, desk, enrolments, login, iid)
            d.addTimeout(ENROLMENT_TIMEOUT_S, ref.reactor, onTimeoutCancel=_timed_out)
            return d.addCallback(lambda outcome: Reply(200, PinEnrolmentOut(outcome=outcome)))

        return Later(run)

    router.route("POST", "/api/v1/interactions/{interaction_id}/pin-enrolment",
                 summary="Ask the caller to key a first IVR PIN twice on their keypad (the agent never hears it); "
                 "needs the caller verified with the 주민등록번호 or an SMS code on this contact",
                 tag="interactions", roles=TAKES_CALLS, idempotent_post=False, writes=False,
                 responses={200: PinEnrolmentOut}, errors=(401, 403, 404, 409, 503))(enrol)  # fmt: skip


def _timed_out(result: object, timeout: float) -> object:
    if isinstance(result, Failure) and result.check(defer.CancelledError):
        raise ApiError("telephony-timeout", f"the caller keyed no PIN within {timeout:g} s")
    return result


def _start(desk: Desk, enrolments: PinEnrolments, login: str, interaction_id: int) -> defer.Deferred[str]:
    """On the reactor: the caller's leg of the agent's connected call on that contact, then the enrolment."""
    conv = next(
        (c for c in desk.by_acd.values()
         if c.interaction_id == interaction_id and c.agent is not None and c.agent.login == login
         and c.agent.answered and not c.ended),
        None,
    )  # fmt: skip
    agent = desk.agents.get(login)
    if conv is None or agent is None:
        raise ApiError("not-on-call", "이 상담의 통화가 연결되어 있지 않습니다 (the contact's call is not connected)")
    now = desk.clock()

    def store(pin: str, repeated: str) -> defer.Deferred[str]:
        result: defer.Deferred[str] = desk.db(desk.store.enrol_pin, agent, now, interaction_id, pin, repeated)
        return result

    try:
        return enrolments.start(conv.caller.worker_id, conv.caller.call_ref, store)
    except EnrolmentInProgress as error:
        raise ApiError("pin-enrolment-in-progress", str(error)) from None
