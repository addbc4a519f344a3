"""HTTP routes of the desk: an agent's state (ready, not ready, logged out) and their current call (hold,
hang up, blind and warm transfer), and the supervisors' view of agents and queues.

Handlers run on the database thread pool only for the short unit of work that checks the token; the desk
lives on the reactor thread, so each handler answers ``Later``: the desk's part runs on the reactor once the
database thread is free, and a desk operation that waits (a transfer's hand-off, written by a short unit of
work of its own) holds no database thread meanwhile. However many agents press hold or transfer at once,
the pool stays free for the work itself, the health check and the screen-pop. A desk operation that has not
answered within ``DeskRef.timeout_s`` is answered 503 (``telephony-timeout``). The routes hold no write
transaction of their own (``writes=False``). Without telephony (``sori up --no-telephony``) they answer 503.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from twisted.internet import defer
from twisted.python.failure import Failure

from kernel.actor import Role
from kernel.http.errors import ApiError
from kernel.http.kit import ApiRequest, Later, Reply, Router
from kernel.http.models import In
from telephony.board import Board
from telephony.control.desk import Desk

if TYPE_CHECKING:
    from telephony.control.pin_enrolment import PinEnrolments

V1 = "/api/v1/telephony"
TAKES_CALLS = frozenset({Role.AGENT, Role.SUPERVISOR})
WATCHES = frozenset({Role.SUPERVISOR, Role.ADMIN})


@dataclass
class DeskRef:
    """The desk once telephony has started (None before, or when telephony is off), its PIN enrolments, and the
    board the supervisors' wallboard and the console read."""

    reactor: Any
    desk: Desk | None = None
    timeout_s: float = 30.0
    enrolments: PinEnrolments | None = None
    board: Board | None = None  # every center's queues and agents (read from any thread, without the desk)

    def later(self, function: Callable[[Desk], Any], reply: Callable[[Any], Reply]) -> Later:
        """``function`` run on the reactor with the desk (its result may be a Deferred), then ``reply`` of it."""
        if self.desk is None:
            raise ApiError("telephony-unavailable", "telephony is not running on this server")
        desk, timeout = self.desk, self.timeout_s

        def run() -> defer.Deferred[Reply]:
            d: defer.Deferred[Any] = defer.maybeDeferred(function, desk)
            d.addTimeout(timeout, self.reactor, onTimeoutCancel=_timed_out)
            d.addCallback(reply)
            return d

        return Later(run)


def _timed_out(result: Any, timeout: float) -> Any:
    if isinstance(result, Failure) and result.check(defer.CancelledError):
        raise ApiError("telephony-timeout", f"the telephony desk did not answer within {timeout:g} s; retry")
    return result


class AgentStateIn(In):
    state: Literal["ready", "not-ready", "logged-out"]
    reason: str | None = Field(None, min_length=1, max_length=40)


class HoldIn(In):
    on: bool


class TransferIn(In):
    mode: Literal["blind", "warm"]
    summary: str = Field(min_length=1, max_length=2000)
    to_center: str | None = Field(None, min_length=2, max_length=16)
    to_queue: str | None = Field(None, min_length=1, max_length=40)
    to_external: str | None = Field(
        None,
        min_length=1,
        max_length=40,
        pattern=r"^[a-z][a-z0-9-]{0,39}$",
        description="a configured outside destination's name (telephony.external_destinations); never an address",
    )
    to_agent: str | None = Field(
        None,
        min_length=1,
        max_length=40,
        description="a named agent's login: warm consults them, blind offers the caller to them only; they must be "
        "ready (409 agent-not-available otherwise, the caller stays with you)",
    )


class CallOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    call_id: str
    center: str
    queue: str
    channel: str
    agent: str | None
    answered: bool
    held: bool
    case_number: str | None
    interaction_id: int | None
    consulting: str | None
    consult_answered: bool
    handoff_summary: str | None
    recording: str | None
    caller: str | None = Field(None, description="the calling number, masked")
    waited_s: int | None = Field(None, description="seconds from queueing to the answer (or now, while ringing)")


class AgentStateOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: str
    center: str | None = None
    state: str
    reason: str | None
    wrapup_until: str | None = None
    after_call_mode: Literal["timed", "agent-ended", "none"] | None = None  # the center's 후처리 mode
    call: CallOut | None


class AgentsOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agents: list[AgentStateOut]


class QueuePositionOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    call_id: str | None
    position: int
    ewt_s: int | None


class QueueOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    center: str
    skill: str
    waiting: int
    expected_wait_s: int | None
    abandoned: int
    positions: list[QueuePositionOut]


class QueuesOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    queues: list[QueueOut]


class TransferOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: str
    case_number: str | None
    handoff_id: int | None = None
    call: CallOut | None = None


def register(router: Router, ref: DeskRef) -> None:
    def me(req: ApiRequest[Any], uow: object) -> Later:
        login = req.require_actor().login
        return ref.later(lambda d: d.agent_view(login), lambda view: Reply(200, AgentStateOut(**view)))

    router.route("GET", f"{V1}/agents/me", summary="The agent's telephony state and current call",
                 tag="telephony", roles=TAKES_CALLS, writes=False, responses={200: AgentStateOut},
                 errors=(401, 403, 503))(me)  # fmt: skip

    def set_state(req: ApiRequest[AgentStateIn], uow: object) -> Later:
        login = req.require_actor().login
        body = req.body
        return ref.later(lambda d: d.agent_state(login, body.state, body.reason),
                         lambda view: Reply(200, AgentStateOut(**view)))  # fmt: skip

    router.route("PUT", f"{V1}/agents/me/state",
                 summary="Log in to the ACD and become ready, take a break (not-ready with a reason), end wrap-up "
                 "(ready), or log out", tag="telephony", roles=TAKES_CALLS, body=AgentStateIn, writes=False,
                 responses={200: AgentStateOut}, errors=(401, 403, 409, 422, 503))(set_state)  # fmt: skip

    def agents(req: ApiRequest[Any], uow: object) -> Later:
        actor = req.require_actor()
        centers = None if actor.role is Role.ADMIN or actor.center_code is None else {actor.center_code}
        return ref.later(lambda d: d.agents_view(centers),
                         lambda views: Reply(200, AgentsOut(agents=[AgentStateOut(**v) for v in views])))  # fmt: skip

    router.route("GET", f"{V1}/agents", summary="Agents' states (supervisors: their center; admins: all)",
                 tag="telephony", roles=WATCHES, writes=False, responses={200: AgentsOut},
                 errors=(401, 403, 503))(agents)  # fmt: skip

    def queues(req: ApiRequest[Any], uow: object) -> Later:
        actor = req.require_actor()
        centers = None if actor.role is Role.ADMIN or actor.center_code is None else {actor.center_code}
        return ref.later(lambda d: d.queues_view(centers),
                         lambda views: Reply(200, QueuesOut(queues=[QueueOut(**v) for v in views])))  # fmt: skip

    router.route("GET", f"{V1}/queues", summary="Queues: callers waiting, expected wait, abandons",
                 tag="telephony", roles=frozenset({Role.AGENT, *WATCHES}), writes=False,
                 responses={200: QueuesOut}, errors=(401, 403, 503))(queues)  # fmt: skip

    def hold(req: ApiRequest[HoldIn], uow: object) -> Later:
        login = req.require_actor().login
        on = req.body.on
        return ref.later(lambda d: d.hold(login, on), lambda view: Reply(200, CallOut(**view)))

    router.route("POST", f"{V1}/calls/current/hold", summary="Put the caller on hold (music) or take them back",
                 tag="telephony", roles=TAKES_CALLS, body=HoldIn, idempotent_post=False, writes=False,
                 responses={200: CallOut}, errors=(401, 403, 409, 422, 503))(hold)  # fmt: skip

    def hangup(req: ApiRequest[Any], uow: object) -> Later:
        login = req.require_actor().login
        return ref.later(lambda d: d.hangup(login), lambda _: Reply(204, None))

    router.route("POST", f"{V1}/calls/current/hangup", summary="End the current call", tag="telephony",
                 roles=TAKES_CALLS, idempotent_post=False, writes=False, responses={204: None},
                 errors=(401, 403, 409, 503))(hangup)  # fmt: skip

    def transfer(req: ApiRequest[TransferIn], uow: object) -> Later:
        login = req.require_actor().login
        b = req.body

        def transferred(result: dict[str, Any]) -> Reply:
            if "call_id" in result:  # warm: the consultation is ringing; the call is still the agent's
                return Reply(202, TransferOut(mode="warm", case_number=result["case_number"], call=CallOut(**result)))
            return Reply(200, TransferOut(**result))

        return ref.later(lambda d: d.transfer(login, mode=b.mode, summary=b.summary, to_center=b.to_center,
                                              to_queue=b.to_queue, to_external=b.to_external, to_agent=b.to_agent),
                         transferred)  # fmt: skip

    router.route("POST", f"{V1}/calls/current/transfer",
                 summary="Transfer the caller with their case and a summary: blind (to a center's queue or menu, a "
                 "named agent, or outside by REFER with the case in User-to-User) or warm (consult the receiving "
                 "agent first: a queue's or a named one)",
                 tag="telephony", roles=TAKES_CALLS, body=TransferIn, idempotent_post=False, writes=False,
                 responses={200: TransferOut, 202: TransferOut},
                 errors=(401, 403, 404, 409, 422, 503))(transfer)  # fmt: skip

    def complete(req: ApiRequest[Any], uow: object) -> Later:
        login = req.require_actor().login
        return ref.later(lambda d: d.complete_transfer(login), lambda view: Reply(200, CallOut(**view)))

    router.route("POST", f"{V1}/calls/current/transfer/complete",
                 summary="Warm transfer: hand the caller to the consulted agent and leave", tag="telephony",
                 roles=TAKES_CALLS, idempotent_post=False, writes=False, responses={200: CallOut},
                 errors=(401, 403, 409, 503))(complete)  # fmt: skip

    def cancel(req: ApiRequest[Any], uow: object) -> Later:
        login = req.require_actor().login
        return ref.later(lambda d: d.cancel_transfer(login), lambda view: Reply(200, CallOut(**view)))

    router.route("POST", f"{V1}/calls/current/transfer/cancel",
                 summary="Warm transfer: drop the consultation and take the caller back", tag="telephony",
                 roles=TAKES_CALLS, idempotent_post=False, writes=False, responses={200: CallOut},
                 errors=(401, 403, 409, 503))(cancel)  # fmt: skip

    from telephony.control import api_board, api_pin, api_supervisor  # their modules import this one

    api_pin.register(router, ref)
    api_board.register(router, ref)
    api_supervisor.register(router, ref)
