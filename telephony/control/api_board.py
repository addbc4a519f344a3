"""``GET /api/v1/telephony/board``: the board (:mod:`telephony.board`) for the supervisors' wallboard: a center's
queues (waiting, longest wait, today's counters) and agents (state, reason code, time in state, calls handled).

Supervisors read their own center (another is refused, 403); admins any center, or every center without
``center``. The board lives in memory and guards itself: the handler answers from the database thread that
checked the token, without the reactor. Without telephony it answers 503.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from crm.door.calls import OtherCenter
from kernel.actor import Role
from kernel.http.errors import ApiError
from kernel.http.kit import ApiRequest, Reply, Router
from kernel.http.params import QueryParam
from telephony.board import CenterState

if TYPE_CHECKING:
    from telephony.control.api import DeskRef

WATCHES = frozenset({Role.SUPERVISOR, Role.ADMIN})
CENTER = QueryParam.text("center", "center code (admins only for other centers)", 20)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FiguresOut(_Out):
    offered: int
    answered: int
    abandoned: int
    abandoned_wait_s: float
    transferred: int
    callbacks: int
    overflow_in: int
    overflow_out: int
    talk_s: float
    hold_s: float


class BoardQueueOut(_Out):
    skill: str
    waiting: int
    longest_wait_s: float
    today: FiguresOut


class BoardAgentOut(_Out):
    agent_id: int
    state: str
    reason: str | None
    since: dt.datetime
    in_state_s: float
    handled: int
    talk_s: float
    hold_s: float


class BoardCenterOut(_Out):
    center: str
    at: dt.datetime
    day: dt.date
    waiting: int
    longest_wait_s: float
    today: FiguresOut
    queues: list[BoardQueueOut]
    agents: list[BoardAgentOut]


class BoardOut(_Out):
    centers: list[BoardCenterOut]


def center_out(state: CenterState) -> BoardCenterOut:
    return BoardCenterOut(
        center=state.center, at=state.at, day=state.day, waiting=state.waiting, longest_wait_s=state.longest_wait_s,
        today=FiguresOut(**vars(state.today)),
        queues=[BoardQueueOut(skill=q.skill, waiting=q.waiting, longest_wait_s=q.longest_wait_s,
                              today=FiguresOut(**vars(q.today))) for q in state.queues],
        agents=[BoardAgentOut(agent_id=a.agent_id, state=a.state, reason=a.reason, since=a.since,
                              in_state_s=a.in_state_s, handled=a.handled, talk_s=a.talk_s, hold_s=a.hold_s)
                for a in state.agents],
    )  # fmt: skip


def register(router: Router, ref: DeskRef) -> None:
    def board(req: ApiRequest[Any], uow: object) -> Reply:
        actor = req.require_actor()
        if ref.board is None:
            raise ApiError("telephony-unavailable", "telephony is not running on this server")
        center = req.q("center")
        if actor.role is not Role.ADMIN:
            if center is not None and center != actor.center_code:
                raise OtherCenter("you can read your own center's board only")
            center = actor.center_code
        states = [ref.board.center(center)] if center is not None else ref.board.centers()
        return Reply(200, BoardOut(centers=[center_out(s) for s in states]))

    router.route("GET", "/api/v1/telephony/board",
                 summary="The board: a center's queues and agents now and today (supervisors: their center; admins: "
                 "any, or all without center)", tag="telephony", roles=WATCHES, writes=False,
                 responses={200: BoardOut}, errors=(401, 403, 503), query=(CENTER,))(board)  # fmt: skip
