"""Turning domain records and read views into response models (the only place that knows both)."""

from __future__ import annotations

from crm.access.model import AccessLogEntry
from crm.access.policy import AccessDecision
from crm.access.views import CaseView, CitizenView, ContactView, ToolUseView
from crm.agents.model import Agent
from crm.api import schemas as s
from crm.cases.model import Callback, Case, CaseEvent, Complaint, Handoff, Interaction
from crm.cases.wrap_up_codes import WrapUpCodeBook
from kernel.centers import Center


def agent(a: Agent) -> s.AgentOut:
    assert a.id is not None
    return s.AgentOut(
        id=a.id,
        login=a.login,
        display_name=a.display_name,
        center_code=a.center_code,
        role=a.role,
        skills=dict(a.skills),
        active=a.active,
    )


def center(c: Center, open_now: bool) -> s.CenterOut:
    return s.CenterOut(
        code=c.code, name=c.name, institution=c.institution, public_number=c.public_number, hours=c.hours,
        service_level=c.service_level, region=c.region, area_codes=list(c.area_codes),
        overflow_partners=list(c.overflow_partners), active=c.active, demo=c.demo, open_now=open_now,
    )  # fmt: skip


def access(d: AccessDecision) -> s.AccessOut:
    return s.AccessOut(purpose=d.purpose, scope=d.scope, interaction_id=d.interaction_id)


def _wrap_up_label(i: Interaction, book: WrapUpCodeBook | None) -> str | None:
    if i.wrap_up_code is None:
        return None
    return (book or WrapUpCodeBook()).label(i.center_code, i.wrap_up_code)


def contact(view: ContactView, codes: WrapUpCodeBook | None = None) -> s.ContactOut:
    i = view.interaction
    assert i.id is not None
    out = s.ContactOut(
        id=i.id,
        case_number=view.case_number,
        channel=i.channel,
        center_code=i.center_code,
        detail="full" if view.detail == "full" else "summary",
        started_at=i.started_at,
        ended_at=i.ended_at,
        disposition=i.disposition,
        wrap_up_code=i.wrap_up_code,
        wrap_up_label=_wrap_up_label(i, codes),
    )
    if view.detail == "full":
        out = out.model_copy(
            update=dict(
                agent_id=i.agent_id,
                queued_at=i.queued_at,
                answered_at=i.answered_at,
                completed_at=i.completed_at,
                wait_seconds=i.wait_seconds,
                talk_seconds=i.talk_seconds,
                wrapup_seconds=i.wrapup_seconds,
                notes=i.notes,
                transcript=i.transcript,
                recording_ref=i.recording_ref,
                sip_call_id=i.sip_call_id,
                caller_masked=i.caller_masked,
                verified_method=i.verified_method,
                verified_at=i.verified_at,
            )
        )
    return out


def case_summary(view: CaseView) -> s.CaseSummaryOut:
    c = view.case
    assert c.created_at is not None and c.updated_at is not None
    out = s.CaseSummaryOut(
        number=c.number,
        status=c.status,
        owner_center=c.owner_center,
        origin_channel=c.origin_channel,
        category=c.category,
        created_at=c.created_at,
        updated_at=c.updated_at,
        detail="full" if view.detail == "full" else "summary",
    )
    if view.detail == "full":
        out = out.model_copy(
            update=dict(
                summary=c.summary,
                owner_agent_id=c.owner_agent_id,
                due_at=c.due_at,
                merged_into=c.merged_into,
                version=c.version,
            )
        )
    return out


def citizen(view: CitizenView, identity_verified: bool) -> s.CitizenOut:
    c = view.citizen
    assert c.id is not None
    return s.CitizenOut(
        id=c.id,
        name=c.name,
        resident_number_masked=c.rrn_masked,
        birth_year=c.birth_year,
        sex=c.sex,
        region_sido=c.region_sido,
        region_sigungu=c.region_sigungu,
        phones=view.phones_masked,
        consent_recording_at=c.consent_recording_at,
        consent_eligibility_at=c.consent_eligibility_at,
        identity_verified=identity_verified,
        access=access(view.decision),
        cases=[case_summary(cv) for cv in view.cases],
        contacts=[contact(cv) for cv in view.contacts],
        hidden_contacts=view.hidden_contacts,
    )


def case(c: Case) -> s.CaseOut:
    assert c.id is not None and c.created_at is not None and c.updated_at is not None
    return s.CaseOut(
        id=c.id,
        number=c.number,
        citizen_id=c.citizen_id,
        status=c.status,
        origin_channel=c.origin_channel,
        owner_center=c.owner_center,
        owner_agent_id=c.owner_agent_id,
        category=c.category,
        suggested_category=c.suggested_category,
        summary=c.summary,
        due_at=c.due_at,
        merged_into=c.merged_into,
        created_at=c.created_at,
        updated_at=c.updated_at,
        version=c.version,
    )


def interaction(i: Interaction, codes: WrapUpCodeBook | None = None) -> s.InteractionOut:
    assert i.id is not None
    return s.InteractionOut(
        id=i.id,
        channel=i.channel,
        center_code=i.center_code,
        citizen_id=i.citizen_id,
        case_id=i.case_id,
        agent_id=i.agent_id,
        started_at=i.started_at,
        ended_at=i.ended_at,
        completed_at=i.completed_at,
        disposition=i.disposition,
        wrap_up_code=i.wrap_up_code,
        wrap_up_label=_wrap_up_label(i, codes),
        sip_call_id=i.sip_call_id,
        identity_verified=i.identity_verified,
        verified_method=i.verified_method,
        verified_at=i.verified_at,
    )


def handoff(h: Handoff) -> s.HandoffOut:
    assert h.id is not None
    return s.HandoffOut(
        id=h.id,
        from_center=h.from_center,
        from_agent_id=h.from_agent_id,
        to_center=h.to_center,
        to_queue=h.to_queue,
        to_agent_id=h.to_agent_id,
        reason=h.reason,
        summary=h.summary,
        created_at=h.created_at,
        accepted_at=h.accepted_at,
        accepted_by=h.accepted_by,
    )


def event(e: CaseEvent) -> s.EventOut:
    assert e.id is not None
    return s.EventOut(id=e.id, at=e.at, kind=e.kind, actor=e.actor, before=e.before, after=e.after)


def callback(cb: Callback) -> s.CallbackOut:
    assert cb.id is not None
    return s.CallbackOut(
        id=cb.id,
        case_id=cb.case_id,
        center_code=cb.center_code,
        due_at=cb.due_at,
        reason=cb.reason,
        status=cb.status,
        attempts=cb.attempts,
        window_end=cb.window_end,
        number=None if cb.phone_ref is None else "calling" if cb.phone_ref.startswith("calling:") else "on-file",
    )


def complaint(c: Complaint, case_number: str | None = None) -> s.ComplaintOut:
    return s.ComplaintOut(
        sinmungo_id=c.sinmungo_id,
        received_at=c.received_at,
        title=c.title,
        citizen_id=c.citizen_id,
        case_number=case_number,
        id=c.id,
        status=c.status.value,
        due_at=c.due_at,
    )


def access_entry(e: AccessLogEntry) -> s.AccessLogOut:
    assert e.id is not None
    return s.AccessLogOut(
        id=e.id,
        at=e.at,
        agent_login=e.agent_login,
        agent_center=e.agent_center,
        citizen_id=e.citizen_id,
        case_id=e.case_id,
        interaction_id=e.interaction_id,
        purpose=e.purpose,
        scope=e.scope,
        reason=e.reason,
        via=e.via,
    )


def tool_use(view: ToolUseView) -> s.ToolUseOut:
    u = view.use
    assert u.id is not None
    return s.ToolUseOut(
        id=u.id,
        at=u.at,
        tool=u.tool,
        action=u.action,
        summary=u.summary,
        outcome=u.outcome,
        outcome_detail=u.outcome_detail,
        ref=u.ref,
        interaction_id=u.interaction_id,
        agent_id=u.agent_id,
        detail="full" if view.detail == "full" else "summary",
    )
