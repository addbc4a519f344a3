"""Where "serving" comes from when it is not a call the telephony layer connected.

A client never declares whom it serves. Besides calls (started by the desk with the caller's number
from the SIP signalling) and callbacks the system places, an agent serves a citizen only through:

- a supervisor's ``ServingAttestation`` for a walk-in or an outbound duty: recorded with the reason,
  the supervisor and an expiry, for one named agent and citizen, used once;
- a 신문고 complaint assigned to the agent's center, worked as a text contact.
"""

from __future__ import annotations

import datetime as dt

from crm.access.model import AttestationKind, ServingAttestation
from crm.cases.model import Channel, Interaction
from crm.errors import Forbidden
from crm.ports import UnitOfWork
from kernel.actor import Actor, Role
from kernel.errors import NotFound, ValidationFailed

MAX_ATTESTATION = dt.timedelta(hours=4)
MIN_REASON = 4


class AttestationUnusable(NotFound):
    """Missing, another agent's, expired or used: one answer for all, so ids cannot be probed."""

    code = "attestation-unusable"


def attest(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    *,
    agent_id: int,
    citizen_id: int,
    kind: AttestationKind,
    reason: str,
    valid_for: dt.timedelta,
) -> ServingAttestation:
    """A supervisor (of the agent's center) or an admin records that ``agent_id`` may serve ``citizen_id``."""
    if actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden("only a supervisor or an admin can attest a walk-in or an outbound duty")
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise ValidationFailed("state the reason (at least 4 characters)", min_length=MIN_REASON)
    if not dt.timedelta(minutes=1) <= valid_for <= MAX_ATTESTATION:
        raise ValidationFailed("an attestation is valid for 1 to 240 minutes")
    agent = uow.agents.get(agent_id)
    if agent is None or not agent.active or (actor.role is Role.SUPERVISOR and agent.center_code != actor.center_code):
        raise NotFound("no such agent in your center", agent_id=agent_id)
    if uow.citizens.get(citizen_id) is None:
        raise NotFound("no such citizen", citizen_id=citizen_id)
    attestation = ServingAttestation(
        citizen_id=citizen_id,
        agent_id=agent_id,
        center_code=agent.center_code,
        supervisor_id=actor.agent_id,
        kind=kind,
        reason=reason[:500],
        created_at=now,
        expires_at=now + valid_for,
    )
    uow.attestations.add(attestation)
    uow.flush()
    return attestation


def start_attested(uow: UnitOfWork, actor: Actor, now: dt.datetime, *, attestation_id: int) -> Interaction:
    """The agent starts the attested contact: serving that citizen until wrap-up."""
    attestation = uow.attestations.get(attestation_id)
    if (
        attestation is None
        or actor.agent_id is None
        or attestation.agent_id != actor.agent_id
        or attestation.interaction_id is not None
        or now >= attestation.expires_at
    ):
        raise AttestationUnusable("no usable attestation with this id for you (missing, expired or used)")
    interaction = Interaction(
        channel=attestation.kind.channel,
        center_code=attestation.center_code,
        started_at=now,
        citizen_id=attestation.citizen_id,
        agent_id=actor.agent_id,
        answered_at=now,
        origin=f"attestation:{attestation.id}",
    )
    uow.interactions.add(interaction)
    uow.flush()
    attestation.interaction_id = interaction.id
    return interaction


def start_complaint_contact(uow: UnitOfWork, actor: Actor, now: dt.datetime, *, sinmungo_id: str) -> Interaction:
    """Work a 신문고 complaint assigned to the agent's center (a text contact with its citizen)."""
    complaint = uow.complaints.by_sinmungo_id(sinmungo_id)
    if (
        complaint is None
        or complaint.citizen_id is None
        or actor.agent_id is None
        or (complaint.assigned_center != actor.center_code and actor.role is not Role.ADMIN)
    ):
        raise NotFound("no 신문고 complaint with this id assigned to your center", sinmungo_id=sinmungo_id[:64])
    interaction = Interaction(
        channel=Channel.SINMUNGO_TEXT,
        center_code=complaint.assigned_center or actor.center_code or "",
        started_at=now,
        citizen_id=complaint.citizen_id,
        case_id=complaint.case_id,
        agent_id=actor.agent_id,
        answered_at=now,
        origin=f"complaint:{complaint.id}",
    )
    uow.interactions.add(interaction)
    uow.flush()
    return interaction
