"""Reading citizen data through the access rules: every read is decided, filtered and logged.

These read models are what the screen-pop, the citizen page and the case page
show. Records of other centers are shown in full, as a summary (no text), or not
at all, as the access decision says; the access-log row is added in the same
unit of work as the read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field

from crm.access.model import AccessLogEntry, Purpose, Scope
from crm.access.policy import AccessDecision, decide_citizen_access, visible_detail
from crm.cases.model import Callback, Case, CaseEvent, Complaint, Handoff, Interaction
from crm.cases.tool_uses import ToolUse
from crm.citizens.model import Citizen
from crm.citizens.phone import normalize_phone
from crm.errors import CaseNotFound, CitizenNotFound, Forbidden
from crm.ports import UnitOfWork
from kernel.actor import Actor, Role

NO_CITIZEN = "no such citizen that you may see"
NO_CASE = "no case {number} that you may see"


@dataclass
class ContactView:
    interaction: Interaction
    case_number: str | None
    detail: str  # "full" or "summary"


@dataclass
class CaseView:
    case: Case
    detail: str


@dataclass
class CitizenView:
    citizen: Citizen
    phones_masked: list[str]
    decision: AccessDecision
    contacts: list[ContactView] = field(default_factory=list)
    cases: list[CaseView] = field(default_factory=list)
    hidden_contacts: int = 0


@dataclass
class CaseDetailView:
    case: Case
    decision: AccessDecision
    contacts: list[ContactView]
    handoffs: list[Handoff]
    events: list[CaseEvent]
    callbacks: list[Callback]
    complaints: list[Complaint]
    tool_uses: list[ToolUseView]
    detail: str = "full"  # "summary": another center's case under summary scope (no words)


@dataclass
class ToolUseView:
    use: ToolUse
    detail: str  # "full" or "summary" (no words: what was asked, the outcome's detail, the external id)


def log_access(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    citizen_id: int,
    decision: AccessDecision,
    via: str,
    case_id: int | None = None,
) -> None:
    uow.access_log.append(
        AccessLogEntry(
            at=now,
            agent_id=actor.agent_id,
            agent_login=actor.login,
            agent_center=actor.center_code,
            citizen_id=citizen_id,
            purpose=decision.purpose,
            scope=decision.scope,
            via=via,
            case_id=case_id,
            interaction_id=decision.interaction_id,
            reason=mask_reason(decision.reason),
        )
    )


_RRN = re.compile(r"\d{6}\s*-?\s*[1-8]\d{6}")
_PHONE = re.compile(r"(?<!\d)0\d{1,2}[\s.-]?\d{3,4}[\s.-]?\d{4}(?!\d)")


def mask_reason(reason: str | None) -> str | None:
    """A stated reason is kept (append-only, for its legal period): numbers that identify a person are not."""
    if reason is None:
        return None
    return _PHONE.sub("0**-****-****", _RRN.sub("******-*******", reason))


def _serving(uow: UnitOfWork, actor: Actor, citizen_id: int) -> Interaction | None:
    if actor.agent_id is None:
        return None
    return uow.interactions.open_for_agent_and_citizen(actor.agent_id, citizen_id)


def read_citizen(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    *,
    citizen_id: int,
    requested: Purpose | None,
    reason: str | None,
    via: str,
    limit: int = 20,
) -> CitizenView:
    # Decided before the record is even looked at, and one answer for "no such citizen" and "none of
    # yours": the answers never tell whether an id exists.
    decision = decide_citizen_access(actor, _serving(uow, actor, citizen_id), requested, reason)
    citizen = uow.citizens.get(citizen_id)
    view = _citizen_view(uow, actor, citizen, decision, limit) if citizen is not None else None
    if view is None or not _visible(view):
        raise CitizenNotFound(NO_CITIZEN, citizen_id=citizen_id)
    log_access(uow, actor, now, citizen_id, decision, via)
    return view


def read_offered_citizen(
    uow: UnitOfWork, actor: Actor, now: dt.datetime, *, citizen_id: int, via: str, limit: int = 20
) -> CitizenView | None:
    """The citizen whose call the system is offering to ``actor`` right now (the desk rings their phone; the
    caller is theirs to serve the moment they answer): what an unverified serving agent sees — their own
    center's records in full, other centers' as summaries — access-logged as serving. The caller of this
    function vouches that the offer is a server-side fact (the desk's), never a client's claim."""
    if actor.role is Role.ANALYST:
        raise Forbidden("analysts see masked analytics, not citizen records")
    citizen = uow.citizens.get(citizen_id)
    if citizen is None:
        return None
    decision = AccessDecision(Purpose.SERVING, Scope.ALL_CENTERS_SUMMARY, None, None)
    view = _citizen_view(uow, actor, citizen, decision, limit)
    log_access(uow, actor, now, citizen_id, decision, via)
    return view


def screen_pop(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    *,
    phone: str,
    requested: Purpose | None,
    reason: str | None,
    via: str,
    limit: int = 20,
) -> list[CitizenView]:
    """Everyone on record for a calling number, each with their last contacts across centers.

    Several citizens may share a number; each is decided (and logged) on its own.
    """
    number = normalize_phone(phone)
    views = []
    for citizen in uow.citizens.by_phone(number.digits):
        assert citizen.id is not None
        decision = decide_citizen_access(actor, _serving(uow, actor, citizen.id), requested, reason)
        view = _citizen_view(uow, actor, citizen, decision, limit)
        if _visible(view):  # a citizen with nothing of the reader's center is not listed (nor logged)
            views.append(view)
            log_access(uow, actor, now, citizen.id, decision, via)
    return views


def _visible(view: CitizenView) -> bool:
    """Whether the reader may know this citizen exists: serving them, reviewing all centers, or the
    citizen has a case or contact the reader's scope shows."""
    if view.decision.purpose is Purpose.SERVING or view.decision.scope is Scope.ALL_CENTERS:
        return True
    return bool(view.cases or view.contacts)


def _citizen_view(uow: UnitOfWork, actor: Actor, citizen: Citizen, decision: AccessDecision, limit: int) -> CitizenView:
    assert citizen.id is not None
    phones = [normalize_phone(p.digits).masked for p in uow.citizens.phones(citizen.id)]
    view = CitizenView(citizen=citizen, phones_masked=phones, decision=decision)
    numbers: dict[int, str] = {}
    cases = list(uow.cases.for_citizen(citizen.id))
    involved = uow.cases.centers_involved_many([c.id for c in cases if c.id is not None])
    for case in cases:
        assert case.id is not None
        numbers[case.id] = case.number
        detail = visible_detail(decision.scope, actor.center_code, involved[case.id])
        if detail != "hidden":
            view.cases.append(CaseView(case, detail))
    for interaction in uow.interactions.recent_for_citizen(citizen.id, limit):
        detail = visible_detail(decision.scope, actor.center_code, {interaction.center_code})
        if detail == "hidden":
            view.hidden_contacts += 1
            continue
        number = numbers.get(interaction.case_id) if interaction.case_id else None
        view.contacts.append(ContactView(interaction, number, detail))
    return view


def read_case(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    *,
    number: str,
    requested: Purpose | None,
    reason: str | None,
    via: str,
) -> CaseDetailView:
    case = uow.cases.get(number)
    if case is None:
        raise CaseNotFound(NO_CASE.format(number=number), case_number=number)
    assert case.id is not None
    involved = uow.cases.centers_involved(case.id)
    own = actor.role is Role.ADMIN or actor.is_system or actor.center_code in involved
    serving = _serving(uow, actor, case.citizen_id)
    if not own and serving is None:
        # Another center's case, for a citizen the reader is not serving: the same answer as a missing one.
        raise CaseNotFound(NO_CASE.format(number=number), case_number=number)
    decision = decide_citizen_access(actor, serving, requested, reason, own_center_record=own)
    case_detail = visible_detail(decision.scope, actor.center_code, involved)
    if case_detail == "hidden" and not own:
        raise CaseNotFound(NO_CASE.format(number=number), case_number=number)
    contacts = []
    for interaction in uow.interactions.for_case(case.id):
        detail = visible_detail(decision.scope, actor.center_code, {interaction.center_code})
        if detail != "hidden":
            contacts.append(ContactView(interaction, case.number, detail))
    tool_uses = []
    for use in uow.tool_uses.for_case(case.id):
        detail = visible_detail(decision.scope, actor.center_code, {use.center_code})
        if detail == "full":
            tool_uses.append(ToolUseView(use, detail))
        elif detail == "summary":
            tool_uses.append(ToolUseView(dataclasses.replace(use, summary="", outcome_detail="", ref=None), detail))
    log_access(uow, actor, now, case.citizen_id, decision, via, case_id=case.id)
    view = CaseDetailView(
        case=case,
        decision=decision,
        contacts=contacts,
        handoffs=list(uow.handoffs.for_case(case.id)),
        events=list(uow.events.for_case(case.id)),
        callbacks=list(uow.callbacks.for_case(case.id)),
        complaints=list(uow.complaints.for_case(case.id)),
        tool_uses=tool_uses,
    )
    return _summary_only(view) if case_detail == "summary" and not own else view


def _summary_only(view: CaseDetailView) -> CaseDetailView:
    """A case shown under summary scope: when, where, channel and status, no words.

    Copies, never the loaded records: those belong to the unit of work and would be written back.
    """
    return CaseDetailView(
        case=dataclasses.replace(view.case, summary="", category=None, suggested_category=None),
        decision=view.decision,
        contacts=view.contacts,
        handoffs=[dataclasses.replace(h, summary="", reason="") for h in view.handoffs],
        events=[dataclasses.replace(e, before=None, after=None) for e in view.events],
        callbacks=view.callbacks,
        complaints=[dataclasses.replace(c, title="") for c in view.complaints],
        tool_uses=[],  # what an agent looked up for the citizen is all words
        detail="summary",
    )


def log_list_read(
    uow: UnitOfWork, actor: Actor, now: dt.datetime, cases: list[Case], decision: AccessDecision, via: str
) -> None:
    """A case list shows summaries of citizens' cases: one access-log row per case shown."""
    for case in cases:
        log_access(uow, actor, now, case.citizen_id, decision, via, case_id=case.id)
