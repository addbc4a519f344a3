"""Access rules for citizen data, decided from server-side facts only.

"Serving" is never a claim from the client: it is an open interaction assigned
to the reader for this citizen, found in the store. Without it the reader sees
their own center's data only, and must state a reason. Cross-center detail
needs an identity check recorded on the serving interaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from crm.access.model import Purpose, Scope
from crm.cases.model import Interaction
from crm.errors import Forbidden, NotServing, ReasonRequired
from kernel.actor import Actor, Role

MIN_REASON = 4


@dataclass(frozen=True)
class AccessDecision:
    purpose: Purpose
    scope: Scope
    reason: str | None
    interaction_id: int | None


def decide_citizen_access(
    actor: Actor,
    serving: Interaction | None,
    requested: Purpose | None,
    reason: str | None,
    own_center_record: bool = False,
) -> AccessDecision:
    """Decide purpose and scope of one read of one citizen's data.

    ``serving`` is the open interaction of ``actor`` for this citizen as found by the
    server (or None). ``requested`` is what the client asked for.
    ``own_center_record`` is true when the read is of a case or list owned by (or
    involving) the reader's center: no reason is needed for that work.
    """
    if actor.role is Role.ANALYST:
        raise Forbidden("analysts see masked analytics, not citizen records")
    reason = (reason or "").strip() or None
    if requested is Purpose.SERVING and serving is None:
        raise NotServing("you have no open interaction with this citizen")
    if serving is not None and requested in (None, Purpose.SERVING):
        scope = Scope.ALL_CENTERS if serving.identity_verified else Scope.ALL_CENTERS_SUMMARY
        return AccessDecision(Purpose.SERVING, scope, reason, serving.id)
    if requested in (None, Purpose.WORKLIST) and own_center_record:
        return AccessDecision(Purpose.WORKLIST, Scope.OWN_CENTER, reason, None)
    if requested is Purpose.WORKLIST:
        raise Forbidden("this record does not belong to your center")
    if reason is None or len(reason) < MIN_REASON:
        raise ReasonRequired(
            "state a reason (at least 4 characters) to look up a citizen you are not serving",
            min_length=MIN_REASON,
        )
    if requested is Purpose.REVIEW:
        if actor.role not in (Role.SUPERVISOR, Role.ADMIN):
            raise Forbidden("only supervisors and admins can review")
        scope = Scope.ALL_CENTERS if actor.role is Role.ADMIN else Scope.OWN_CENTER
        return AccessDecision(Purpose.REVIEW, scope, reason, None)
    return AccessDecision(Purpose.SEARCH, Scope.OWN_CENTER, reason, None)


def visible_detail(scope: Scope, own_center: str | None, item_centers: set[str]) -> str:
    """How a record touching ``item_centers`` is shown under ``scope``: 'full', 'summary' or 'hidden'."""
    if scope is Scope.ALL_CENTERS or (own_center is not None and own_center in item_centers):
        return "full"
    if scope is Scope.ALL_CENTERS_SUMMARY:
        return "summary"
    return "hidden"
