"""Route guards: who may see a route's answer, checked afresh on every request and on every replay.

A stored ``Idempotency-Key`` answer is replayed only to the same agent, and only after the route's
guard passes again: a contact wrapped up since, or a citizen no longer served, gets the refusal.
"""

from __future__ import annotations

from typing import Any

from crm.cases.services import own_interaction, own_open_interaction
from crm.errors import Forbidden, NotServing
from crm.ports import UnitOfWork
from kernel.actor import Role
from kernel.http.kit import ApiRequest


def own_contact(req: ApiRequest[Any], uow: UnitOfWork) -> None:
    """The path's contact is the actor's (or the actor is an admin)."""
    own_interaction(uow, req.require_actor(), req.param_int("interaction_id"))


def own_open_contact(req: ApiRequest[Any], uow: UnitOfWork) -> None:
    """The path's contact is the actor's and not yet wrapped up."""
    own_open_interaction(uow, req.require_actor(), req.param_int("interaction_id"))


def registering(req: ApiRequest[Any], uow: UnitOfWork) -> None:
    """A citizen is registered on the actor's open contact; only admins register without one."""
    actor = req.require_actor()
    interaction_id = getattr(req.body, "interaction_id", None)
    if interaction_id is None:
        if actor.role is not Role.ADMIN:
            raise Forbidden("register the caller of a contact you serve: give interaction_id")
        return
    own_open_interaction(uow, actor, interaction_id)


def serving_citizen(req: ApiRequest[Any], uow: UnitOfWork) -> None:
    """The actor serves the path's citizen now (admins always pass)."""
    actor = req.require_actor()
    if actor.role is Role.ADMIN:
        return
    citizen_id = req.param_int("citizen_id")
    if actor.agent_id is None or uow.interactions.open_for_agent_and_citizen(actor.agent_id, citizen_id) is None:
        raise NotServing("consents are recorded while serving the citizen")
