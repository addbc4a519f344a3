"""Supervisors' actions from the wallboard, as JSON API routes, each audited in ``supervisor_actions``:

* ``PUT …/supervisor/agents/{login}/state``: an agent's state (ready, not ready, logged out) with a reason;
* ``PUT …/supervisor/agents/{login}/skills``: move an agent between queues (their skills and levels, live);
* ``POST …/supervisor/agents/{login}/messages``: a short message to the agent's console (a CTI event to that
  agent carries no text: the console fetches it with ``GET …/agents/me/messages``, which checks it is theirs);
* ``POST …/supervisor/callbacks``: call back an abandoned caller from today's list (the history store's number).

Scope is checked on the server for each: a supervisor acts on their own center's agents and calls only, an admin
on any; every refusal says why. The audit row commits in the request's unit of work, before the desk acts on
the reactor (``Later``): what a supervisor asked for is kept even when the desk then refuses it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from crm.door.calls import OtherCenter, reason_code
from crm.door.supervisor import (
    SupervisorAction,
    abandoned_caller,
    mark_callback_requested,
    messages_to,
    record_supervisor_action,
    save_agent_skills,
)
from kernel.actor import Actor, Role
from kernel.calendar import SEOUL
from kernel.errors import Conflict, DomainError
from kernel.http.errors import ApiError
from kernel.http.kit import ApiRequest, Later, Reply, Router
from kernel.http.models import Id, In, integral
from telephony.acd.errors import UnknownAgent, UnknownQueue
from telephony.control.api import TAKES_CALLS, WATCHES, AgentStateOut
from telephony.cti.bus import CtiKind

if TYPE_CHECKING:
    from crm.door.calls import AgentRecord
    from telephony.control.api import DeskRef

V1 = "/api/v1/telephony"


class UnknownCallRecord(DomainError):
    code = "unknown-call-record"


class CallbackAlreadyRequested(Conflict):
    code = "callback-already-requested"


class CallerNumberGone(Conflict):
    code = "caller-number-unavailable"


class SupervisorStateIn(In):
    state: Literal["ready", "not-ready", "logged-out"]
    reason: str = Field(min_length=1, max_length=200, description="why (kept in the audit; the agent's not-ready "
                        "reason code is taken from it: a known code, else 'supervisor')")  # fmt: skip


Skill = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,39}$")]
Level = Annotated[int, Field(ge=1, le=9), BeforeValidator(integral)]


class SkillsIn(In):
    skills: dict[Skill, Level] = Field(
        min_length=1, max_length=20, description="skill → level (1 = lowest): queues of the agent's center",
        json_schema_extra={"additionalProperties": False},
    )
    reason: str | None = Field(None, min_length=1, max_length=200)


class MessageIn(In):
    text: str = Field(min_length=1, max_length=300)


class CallbackIn(In):
    call_record_id: Id


class SkillsOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    login: str
    center: str
    skills: dict[str, int]


class ActionOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action_id: int
    status: Literal["sent", "started"]


class MessageOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message_id: int
    at: dt.datetime
    from_login: str
    text: str


class MessagesOut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    messages: list[MessageOut]


def _target(ref: DeskRef, actor: Actor, login: str) -> AgentRecord:
    """The agent ``login`` if the actor may act on them (same center, or an admin)."""
    if ref.desk is None:
        raise ApiError("telephony-unavailable", "telephony is not running on this server")
    agent = ref.desk.agents.get(login)
    if agent is None:
        raise UnknownAgent(f"no active agent '{login}' known to telephony", agent_id=login)
    _same_center(actor, agent.center, f"agent {login}")
    return agent


def _center_queues(ref: DeskRef, center: str, skills: dict[str, int]) -> None:
    """Every skill names a queue of ``center`` (the ACD's queue configuration, fixed while it runs)."""
    known = {q.key.skill for q in ref.desk.acd.queues() if q.key.center == center} if ref.desk else set()
    unknown = sorted(set(skills) - known)
    if unknown:
        raise UnknownQueue(f"{center}에 없는 큐입니다: {', '.join(unknown)} (있는 큐: {', '.join(sorted(known))})")


def _same_center(actor: Actor, center: str, what: str) -> None:
    if actor.role is not Role.ADMIN and center != actor.center_code:
        raise OtherCenter(f"{what} belongs to center {center}; a supervisor acts on their own center "
                          f"({actor.center_code}) only", center=center)  # fmt: skip


def _audit(uow: Any, actor: Actor, now: dt.datetime, center: str, action: str, **kw: Any) -> int:
    return record_supervisor_action(uow, SupervisorAction(
        now, actor.agent_id or 0, actor.login or "", str(actor.role), center, action, **kw))  # fmt: skip


def register(router: Router, ref: DeskRef) -> None:
    def clock() -> dt.datetime:
        return ref.desk.clock() if ref.desk is not None else dt.datetime.now(dt.UTC)

    def set_state(req: ApiRequest[SupervisorStateIn], uow: Any) -> Later:
        actor, login, body = req.require_actor(), req.params["login"], req.body
        agent = _target(ref, actor, login)
        code = reason_code(body.reason)
        desk_reason = code if code not in (None, "other") else "supervisor"
        _audit(uow, actor, clock(), agent.center, "agent-state", target_login=login,
               detail={"state": body.state, "reason": body.reason})  # fmt: skip
        return ref.later(lambda d: d.agent_state(login, body.state, desk_reason),
                         lambda view: Reply(200, AgentStateOut(**view)))  # fmt: skip

    router.route("PUT", f"{V1}/supervisor/agents/{{login}}/state",
                 summary="Supervisor: change an agent's state with a reason (audited; own center unless admin)",
                 tag="telephony", roles=WATCHES, body=SupervisorStateIn, responses={200: AgentStateOut},
                 errors=(401, 403, 404, 409, 422, 503))(set_state)  # fmt: skip

    def set_skills(req: ApiRequest[SkillsIn], uow: Any) -> Later:
        actor, login, body = req.require_actor(), req.params["login"], req.body
        agent = _target(ref, actor, login)
        skills = dict(body.skills)
        _center_queues(ref, agent.center, skills)  # checked before anything is saved
        save_agent_skills(uow, login, skills)  # commits with the audit row, before the desk moves them live
        _audit(uow, actor, clock(), agent.center, "agent-skills", target_login=login,
               detail={"before": agent.skills, "after": skills, "reason": body.reason})  # fmt: skip

        def move(desk: Any) -> dict[str, Any]:
            desk.set_agent_skills(login, skills)
            return {"login": login, "center": agent.center, "skills": skills}

        return ref.later(move, lambda out: Reply(200, SkillsOut(**out)))

    router.route("PUT", f"{V1}/supervisor/agents/{{login}}/skills",
                 summary="Supervisor: move an agent between queues (their skills and levels; audited)",
                 tag="telephony", roles=WATCHES, body=SkillsIn, responses={200: SkillsOut},
                 errors=(401, 403, 404, 409, 422, 503))(set_skills)  # fmt: skip

    def message(req: ApiRequest[MessageIn], uow: Any) -> Later:
        actor, login, body = req.require_actor(), req.params["login"], req.body
        agent = _target(ref, actor, login)
        action_id = _audit(uow, actor, clock(), agent.center, "message", target_login=login,
                           detail={"text": body.text})  # fmt: skip

        def send(desk: Any) -> int:
            desk.events.publish(CtiKind.SUPERVISOR_MESSAGE, agent.center, None, agent.agent_id)
            return action_id

        return ref.later(send, lambda i: Reply(202, ActionOut(action_id=i, status="sent")))

    router.route("POST", f"{V1}/supervisor/agents/{{login}}/messages",
                 summary="Supervisor: send a short message to an agent's console (audited)", tag="telephony",
                 roles=WATCHES, body=MessageIn, idempotent_post=False, responses={202: ActionOut},
                 errors=(401, 403, 404, 422, 503))(message)  # fmt: skip

    def callback(req: ApiRequest[CallbackIn], uow: Any) -> Later:
        actor, record_id = req.require_actor(), req.body.call_record_id
        if ref.desk is None:
            raise ApiError("telephony-unavailable", "telephony is not running on this server")
        found = abandoned_caller(uow, record_id)
        if found is None:
            raise UnknownCallRecord(f"no abandoned call {record_id} with a caller kept")
        center, skill, digits, already = found
        _same_center(actor, center, f"abandoned call {record_id}")
        if already:
            raise CallbackAlreadyRequested(f"a callback was already started for abandoned call {record_id}")
        if digits is None:
            raise CallerNumberGone(f"the caller's number of call {record_id} is no longer kept (withheld or purged)")
        now = clock()
        mark_callback_requested(uow, record_id, actor.login or "", now)
        action_id = _audit(uow, actor, now, center, "callback", call_record_id=record_id, detail={"skill": skill})

        def start(desk: Any) -> int:
            desk.ivr_callback(center, skill, digits, None)
            return action_id

        return ref.later(start, lambda i: Reply(202, ActionOut(action_id=i, status="started")))

    router.route("POST", f"{V1}/supervisor/callbacks",
                 summary="Supervisor: call back an abandoned caller from today's list (audited; the number never "
                 "leaves the server)", tag="telephony", roles=WATCHES, body=CallbackIn, idempotent_post=False,
                 responses={202: ActionOut}, errors=(401, 403, 404, 409, 422, 503))(callback)  # fmt: skip

    def my_messages(req: ApiRequest[Any], uow: Any) -> Reply:
        actor = req.require_actor()
        midnight = dt.datetime.combine(clock().astimezone(SEOUL).date(), dt.time(), SEOUL)
        found = messages_to(uow, actor.login or "", midnight)
        return Reply(200, MessagesOut(messages=[MessageOut(message_id=m.message_id, at=m.at, from_login=m.from_login,
                                                           text=m.text) for m in found]))  # fmt: skip

    router.route("GET", f"{V1}/agents/me/messages", summary="The messages supervisors sent the agent today",
                 tag="telephony", roles=TAKES_CALLS, writes=False, responses={200: MessagesOut},
                 errors=(401, 403))(my_messages)  # fmt: skip
