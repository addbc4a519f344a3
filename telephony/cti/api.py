"""``GET /api/v1/cti/events``: poll the CTI event log with ``after=<seq>`` (agents and supervisors: their
center's events; admins: every center)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from kernel.actor import Role
from kernel.http.kit import ApiRequest, QueryParam, Reply, Router
from kernel.http.params import ID_MAX
from telephony.cti.bus import CtiBus, CtiKind


class CtiEventOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seq: int
    at: dt.datetime
    kind: CtiKind
    center: str | None
    call_id: str | None
    agent_id: int | None
    data: dict[str, Any]


class CtiEventsOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[CtiEventOut]
    last_seq: int


def register(router: Router, bus: CtiBus) -> None:
    def events(req: ApiRequest[Any], uow: object) -> Reply:
        actor = req.require_actor()
        after = req.q_int("after", 0, 0, 10**18) or 0
        limit = req.q_int("limit", 500, 1, 5000) or 500
        centers = None if actor.role is Role.ADMIN or actor.center_code is None else {actor.center_code}
        found, last = bus.since(after, centers, limit)
        out = [CtiEventOut(seq=e.seq, at=e.at, kind=e.kind, center=e.center, call_id=e.call_id, agent_id=e.agent_id,
                           data=e.data) for e in found]  # fmt: skip
        return Reply(200, CtiEventsOut(events=out, last_seq=last))

    router.route(
        "GET", "/api/v1/cti/events",
        summary="CTI events (calls offered, answered, queued, transferred, ended; agent and queue changes) after a "
        "sequence number", tag="cti", writes=False, responses={200: CtiEventsOut}, errors=(401, 403, 422),
        roles=frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN}),
        query=(QueryParam.integer("after", "return events numbered above this", 0, ID_MAX, default=0),
               QueryParam.integer("limit", "at most this many", 1, 5000, default=500)),
    )(events)  # fmt: skip
