"""Who may hear a contact's recording, and where its file is: the same rules as reading the contact itself.

The reader's own center's contact (or an admin): worklist access. Another center's contact: only while
serving its citizen with the caller's identity checked (all-centers scope); otherwise the answer is the same
as for a contact that does not exist. Every allowed access is access-logged before a byte is sent. The file is
resolved under the recordings root, and a reference that leads outside it (``../``, an absolute path, a
symbolic link out) is treated as missing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from crm.access.model import Purpose
from crm.access.policy import decide_citizen_access, visible_detail
from crm.access.views import log_access
from crm.cases.model import Interaction
from crm.errors import IdentityNotVerified, InteractionNotFound
from crm.ports import UnitOfWork
from kernel.actor import Actor, Role
from kernel.errors import NotFound


class RecordingNotFound(NotFound):
    code = "recording-not-found"


@dataclass(frozen=True)
class Recording:
    interaction: Interaction
    path: Path
    size: int


def recording_file(root: Path | None, ref: str | None) -> Path | None:
    """The recording's file under ``root``, or None when there is none or the reference leaves the root."""
    if root is None or not ref:
        return None
    base = root.resolve()
    path = (base / ref).resolve()
    if not path.is_relative_to(base) or path == base:
        return None
    return path


def open_recording(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    root: Path | None,
    *,
    interaction_id: int,
    requested: Purpose | None,
    reason: str | None,
    via: str,
) -> Recording:
    """The contact's recording if ``actor`` may hear it (access-logged); ``RecordingNotFound`` otherwise."""
    missing = InteractionNotFound(f"no interaction {interaction_id}", interaction_id=interaction_id)
    interaction = uow.interactions.get(interaction_id)
    if interaction is None:
        raise missing
    own = actor.role is Role.ADMIN or actor.center_code == interaction.center_code
    citizen_id = interaction.citizen_id
    serving = None
    if citizen_id is not None and actor.agent_id is not None:
        serving = uow.interactions.open_for_agent_and_citizen(actor.agent_id, citizen_id)
    if not own and serving is None:
        raise missing  # another center's contact of a citizen not being served: as if it did not exist
    if citizen_id is not None:
        decision = decide_citizen_access(actor, serving, requested, reason, own_center_record=own)
        if not own and visible_detail(decision.scope, actor.center_code, {interaction.center_code}) != "full":
            raise IdentityNotVerified("another center's recording needs the caller's identity checked first")
        log_access(uow, actor, now, citizen_id, decision, via, case_id=interaction.case_id)
    path = recording_file(root, interaction.recording_ref)
    if path is None or not path.is_file():
        raise RecordingNotFound("this contact has no recording", interaction_id=interaction_id)
    return Recording(interaction, path, path.stat().st_size)
