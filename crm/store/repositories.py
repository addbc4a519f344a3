"""SQLAlchemy repositories: one per aggregate, all sharing the unit of work's session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, func, or_, select, union
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crm.access.evidence import IdentityAttempt, IdentityChallenge, Outcome
from crm.access.model import AccessLogEntry, ServingAttestation
from crm.agents.model import Agent
from crm.cases.complaint_records import OPEN_STATUSES, ComplaintEvent, InboxQuery
from crm.cases.model import Callback, CallbackStatus, Case, CaseEvent, Complaint, Handoff, Interaction
from crm.cases.status import CaseStatus
from crm.cases.tool_uses import ToolUse
from crm.cases.transcription import JobState, TranscriptionJob
from crm.citizens.model import Citizen, CitizenPhone, SystemVerification
from crm.citizens.pin import CitizenPin
from crm.store import tables
from kernel.centers import Center


class _Repo:
    def __init__(self, session: Session) -> None:
        self.session = session


class SqlCenterRepository(_Repo):
    def get(self, code: str) -> Center | None:
        return self.session.get(Center, code)

    def list(self, active_only: bool = False) -> Sequence[Center]:
        query = select(Center).order_by(tables.centers.c.code)
        if active_only:
            query = query.where(tables.centers.c.active.is_(True))
        return self.session.scalars(query).all()

    def add(self, center: Center) -> None:
        self.session.add(center)


class SqlAgentRepository(_Repo):
    def get(self, agent_id: int) -> Agent | None:
        return self.session.get(Agent, agent_id)

    def by_login(self, login: str) -> Agent | None:
        return self.session.scalars(select(Agent).where(tables.agents.c.login == login)).first()

    def list(self, center_code: str | None = None) -> Sequence[Agent]:
        query = select(Agent).order_by(tables.agents.c.id)
        if center_code is not None:
            query = query.where(tables.agents.c.center_code == center_code)
        return self.session.scalars(query).all()

    def add(self, agent: Agent) -> None:
        self.session.add(agent)


class SqlCitizenRepository(_Repo):
    def get(self, citizen_id: int) -> Citizen | None:
        return self.session.get(Citizen, citizen_id)

    def by_phone(self, digits: str) -> Sequence[Citizen]:
        phones = tables.citizen_phones
        query = (
            select(Citizen)
            .join(phones, phones.c.citizen_id == tables.citizens.c.id)
            .where(phones.c.digits == digits)
            .order_by(tables.citizens.c.id)
        )
        return self.session.scalars(query).all()

    def by_rrn_hash(self, rrn_hash: str) -> Citizen | None:
        return self.session.scalars(select(Citizen).where(tables.citizens.c.rrn_hash == rrn_hash)).first()

    def phones(self, citizen_id: int) -> Sequence[CitizenPhone]:
        query = select(CitizenPhone).where(tables.citizen_phones.c.citizen_id == citizen_id)
        return self.session.scalars(query.order_by(tables.citizen_phones.c.id)).all()

    def add(self, citizen: Citizen) -> None:
        self.session.add(citizen)

    def add_phone(self, phone: CitizenPhone) -> None:
        self.session.add(phone)


class SqlCaseRepository(_Repo):
    def get(self, number: str) -> Case | None:
        return self.session.scalars(select(Case).where(tables.cases.c.number == number)).first()

    def get_by_id(self, case_id: int) -> Case | None:
        return self.session.get(Case, case_id)

    def for_citizen(self, citizen_id: int) -> Sequence[Case]:
        query = select(Case).where(tables.cases.c.citizen_id == citizen_id).order_by(tables.cases.c.id.desc())
        return self.session.scalars(query).all()

    def list(
        self,
        *,
        center_code: str | None,
        status: CaseStatus | None,
        citizen_id: int | None,
        after_id: int | None,
        limit: int,
    ) -> Sequence[Case]:
        c = tables.cases.c
        query = select(Case).order_by(c.id.desc()).limit(limit)
        if center_code is not None:
            query = query.where(c.owner_center == center_code)
        if status is not None:
            query = query.where(c.status == status)
        if citizen_id is not None:
            query = query.where(c.citizen_id == citizen_id)
        if after_id is not None:
            query = query.where(c.id < after_id)
        return self.session.scalars(query).all()

    def add(self, case: Case) -> None:
        self.session.add(case)

    def next_sequence(self, center_code: str, year: int) -> int:
        """Atomically take the next number of (center, year): an upsert that returns the new value."""
        seq = tables.case_sequences
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(seq)
            .values(center_code=center_code, year=year, last_value=1)
            .on_conflict_do_update(
                index_elements=[seq.c.center_code, seq.c.year], set_={"last_value": seq.c.last_value + 1}
            )
            .returning(seq.c.last_value)
        )
        return int(self.session.execute(statement).scalar_one())

    def centers_involved(self, case_id: int) -> set[str]:
        """The owning center plus every center that handled a contact or a hand-off of the case."""
        return self.centers_involved_many([case_id]).get(case_id, set())

    def centers_involved_many(self, case_ids: Sequence[int]) -> dict[int, set[str]]:
        """``centers_involved`` for many cases in one query (the screen-pop shows all of a citizen's cases)."""
        if not case_ids:
            return {}
        c, i, h = tables.cases.c, tables.interactions.c, tables.handoffs.c
        owner = select(c.id.label("case_id"), c.owner_center.label("center")).where(c.id.in_(case_ids))
        contacts = select(i.case_id, i.center_code.label("center")).where(i.case_id.in_(case_ids))
        sent = select(h.case_id, h.from_center.label("center")).where(h.case_id.in_(case_ids))
        found: dict[int, set[str]] = {case_id: set() for case_id in case_ids}
        for case_id, center in self.session.execute(union(owner, contacts, sent)):
            found[case_id].add(center)
        return found


class SqlInteractionRepository(_Repo):
    def get(self, interaction_id: int) -> Interaction | None:
        return self.session.get(Interaction, interaction_id)

    def for_case(self, case_id: int) -> Sequence[Interaction]:
        query = select(Interaction).where(tables.interactions.c.case_id == case_id)
        return self.session.scalars(query.order_by(tables.interactions.c.started_at, tables.interactions.c.id)).all()

    def recent_for_citizen(self, citizen_id: int, limit: int) -> Sequence[Interaction]:
        c = tables.interactions.c
        query = select(Interaction).where(c.citizen_id == citizen_id).order_by(c.started_at.desc(), c.id.desc())
        return self.session.scalars(query.limit(limit)).all()

    def open_for_agent_and_citizen(self, agent_id: int, citizen_id: int) -> Interaction | None:
        c = tables.interactions.c
        query = (
            select(Interaction)
            .where(and_(c.agent_id == agent_id, c.citizen_id == citizen_id, c.completed_at.is_(None)))
            .order_by(c.id.desc())
        )
        return self.session.scalars(query).first()

    def with_recording(self, recording_ref: str) -> Sequence[Interaction]:
        c = tables.interactions.c
        query = select(Interaction).where(c.recording_ref == recording_ref).order_by(c.started_at, c.id)
        return self.session.scalars(query).all()

    def recorded_without_job(self, ended_since: dt.datetime) -> Sequence[str]:
        """Recordings of agent contacts ended since then, untranscribed, that no transcription job names."""
        c, j = tables.interactions.c, tables.transcription_jobs.c
        query = (
            select(c.recording_ref)
            .where(c.recording_ref.is_not(None), c.agent_id.is_not(None), c.ended_at >= ended_since)
            .where(c.transcript.is_(None), ~select(j.id).where(j.recording_ref == c.recording_ref).exists())
            .distinct()
        )
        return [str(ref) for ref in self.session.scalars(query).all()]

    def add(self, interaction: Interaction) -> None:
        self.session.add(interaction)


class SqlTranscriptionJobRepository(_Repo):
    def get(self, job_id: int) -> TranscriptionJob | None:
        return self.session.get(TranscriptionJob, job_id)

    def by_ref(self, recording_ref: str) -> TranscriptionJob | None:
        c = tables.transcription_jobs.c
        return self.session.scalars(select(TranscriptionJob).where(c.recording_ref == recording_ref)).first()

    def next_pending(self, now: dt.datetime) -> TranscriptionJob | None:
        """The oldest job due now, locked for this transaction (skipped by other transcribers on PostgreSQL)."""
        c = tables.transcription_jobs.c
        query = (
            select(TranscriptionJob)
            .where(and_(c.state == JobState.PENDING, or_(c.available_at.is_(None), c.available_at <= now)))
            .order_by(c.enqueued_at, c.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        return self.session.scalars(query).first()

    def running(self) -> Sequence[TranscriptionJob]:
        c = tables.transcription_jobs.c
        return self.session.scalars(select(TranscriptionJob).where(c.state == JobState.RUNNING)).all()

    def counts(self) -> dict[JobState, int]:
        c = tables.transcription_jobs.c
        rows = self.session.execute(select(c.state, func.count()).group_by(c.state)).all()
        found = {JobState(state): int(n) for state, n in rows}
        return {state: found.get(state, 0) for state in JobState}

    def oldest_pending(self) -> dt.datetime | None:
        c = tables.transcription_jobs.c
        oldest: dt.datetime | None = self.session.scalar(
            select(func.min(c.enqueued_at)).where(c.state == JobState.PENDING)
        )
        return oldest

    def add(self, job: TranscriptionJob) -> None:
        self.session.add(job)


class SqlHandoffRepository(_Repo):
    def get(self, handoff_id: int) -> Handoff | None:
        return self.session.get(Handoff, handoff_id)

    def for_case(self, case_id: int) -> Sequence[Handoff]:
        query = select(Handoff).where(tables.handoffs.c.case_id == case_id).order_by(tables.handoffs.c.id)
        return self.session.scalars(query).all()

    def add(self, handoff: Handoff) -> None:
        self.session.add(handoff)


class SqlCaseEventRepository(_Repo):
    def append(self, event: CaseEvent) -> None:
        self.session.add(event)

    def for_case(self, case_id: int) -> Sequence[CaseEvent]:
        query = select(CaseEvent).where(tables.case_events.c.case_id == case_id).order_by(tables.case_events.c.id)
        return self.session.scalars(query).all()


class SqlCallbackRepository(_Repo):
    def get(self, callback_id: int) -> Callback | None:
        return self.session.get(Callback, callback_id)

    def pending(self, center_code: str | None, due_before: dt.datetime | None) -> Sequence[Callback]:
        c = tables.callbacks.c
        query = select(Callback).where(c.status == CallbackStatus.PENDING).order_by(c.due_at, c.id)
        if center_code is not None:
            query = query.where(c.center_code == center_code)
        if due_before is not None:
            query = query.where(c.due_at <= due_before)
        return self.session.scalars(query.limit(500)).all()

    def for_case(self, case_id: int) -> Sequence[Callback]:
        query = select(Callback).where(tables.callbacks.c.case_id == case_id).order_by(tables.callbacks.c.id)
        return self.session.scalars(query).all()

    def add(self, callback: Callback) -> None:
        self.session.add(callback)


class SqlComplaintRepository(_Repo):
    def by_sinmungo_id(self, sinmungo_id: str) -> Complaint | None:
        query = select(Complaint).where(tables.complaints.c.sinmungo_id == sinmungo_id)
        return self.session.scalars(query).first()

    def for_case(self, case_id: int) -> Sequence[Complaint]:
        query = select(Complaint).where(tables.complaints.c.case_id == case_id).order_by(tables.complaints.c.id)
        return self.session.scalars(query).all()

    def add(self, complaint: Complaint) -> None:
        self.session.add(complaint)

    def get(self, complaint_id: int) -> Complaint | None:
        return self.session.get(Complaint, complaint_id)

    def inbox(self, query: InboxQuery) -> Sequence[Complaint]:
        """A center's complaints, earliest 처리기한 first (ties by id), after the keyset ``query.after``."""
        c = tables.complaints.c
        statement = select(Complaint).where(c.assigned_center == query.center)
        if query.statuses:
            statement = statement.where(c.status.in_([status.value for status in query.statuses]))
        if query.overdue is not None:
            late = and_(c.status.in_([s.value for s in OPEN_STATUSES]), c.due_at < query.now)
            statement = statement.where(late if query.overdue else ~late)
        if query.after is not None:
            due, last_id = query.after
            if due is None:  # the undated complaints come last, by id
                statement = statement.where(c.due_at.is_(None), c.id > last_id)
            else:
                later = or_(c.due_at > due, and_(c.due_at == due, c.id > last_id), c.due_at.is_(None))
                statement = statement.where(later)
        ordered = statement.order_by(c.due_at.is_(None), c.due_at, c.id)
        return self.session.scalars(ordered.limit(query.limit)).all()

    def add_event(self, event: ComplaintEvent) -> None:
        self.session.add(event)

    def events(self, complaint_id: int) -> Sequence[ComplaintEvent]:
        c = tables.complaint_events.c
        query = select(ComplaintEvent).where(c.complaint_id == complaint_id).order_by(c.id)
        return self.session.scalars(query).all()


class SqlAccessLogRepository(_Repo):
    def append(self, entry: AccessLogEntry) -> None:
        self.session.add(entry)

    def for_citizen(self, citizen_id: int, limit: int) -> Sequence[AccessLogEntry]:
        c = tables.access_log.c
        query = select(AccessLogEntry).where(c.citizen_id == citizen_id).order_by(c.id.desc()).limit(limit)
        return self.session.scalars(query).all()

    def query(
        self, *, citizen_id: int | None, agent_login: str | None, center: str | None, after_id: int | None, limit: int
    ) -> Sequence[AccessLogEntry]:
        c = tables.access_log.c
        query = select(AccessLogEntry).order_by(c.id.desc()).limit(limit)
        if citizen_id is not None:
            query = query.where(c.citizen_id == citizen_id)
        if agent_login is not None:
            query = query.where(c.agent_login == agent_login)
        if center is not None:
            query = query.where(or_(c.agent_center == center))
        if after_id is not None:
            query = query.where(c.id < after_id)
        return self.session.scalars(query).all()

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(tables.access_log)) or 0)


class SqlAttestationRepository(_Repo):
    def get(self, attestation_id: int) -> ServingAttestation | None:
        return self.session.get(ServingAttestation, attestation_id)

    def add(self, attestation: ServingAttestation) -> None:
        self.session.add(attestation)


class SqlIdentityRepository(_Repo):
    """Identity-check audit rows (append-only) and one-time codes."""

    def add_attempt(self, attempt: IdentityAttempt) -> None:
        self.session.add(attempt)

    def _count(self, outcomes: tuple[Outcome, ...], since: dt.datetime, **by: int | None) -> int:
        t = tables.identity_attempts.c
        where = [t.at >= since, t.outcome.in_([o.value for o in outcomes])]
        for column, value in by.items():
            where.append(t[column] == value)
        return int(self.session.execute(select(func.count()).where(*where)).scalar_one())

    def failures(self, *, since: dt.datetime, agent_id: int | None = None, citizen_id: int | None = None) -> int:
        """Failed checks by agents; wrong IVR PINs count on the PIN's own lock (a caller guessing a PIN must
        not lock the agents' checks of that citizen)."""
        by = {"agent_id": agent_id} if citizen_id is None else {"citizen_id": citizen_id}
        t = tables.identity_attempts.c
        where = [t.at >= since, t.outcome == Outcome.FAILED.value, t.method != SystemVerification.IVR_PIN.value]
        where += [t[column] == value for column, value in by.items()]
        return int(self.session.execute(select(func.count()).where(*where)).scalar_one())

    def registrations(self, *, agent_id: int | None, since: dt.datetime) -> int:
        return self._count((Outcome.REGISTERED, Outcome.VERIFIED), since, agent_id=agent_id)

    def codes_sent(self, interaction_id: int) -> int:
        t = tables.identity_challenges.c
        query = select(func.count()).where(t.interaction_id == interaction_id)
        return int(self.session.execute(query).scalar_one())

    def add_challenge(self, challenge: IdentityChallenge) -> None:
        self.session.add(challenge)

    def latest_challenge(self, interaction_id: int) -> IdentityChallenge | None:
        query = (
            select(IdentityChallenge)
            .where(tables.identity_challenges.c.interaction_id == interaction_id)
            .order_by(tables.identity_challenges.c.id.desc())
            .limit(1)
        )
        return self.session.execute(query).scalars().first()


class SqlPinRepository(_Repo):
    """Citizens' IVR PINs; the version column makes two calls guessing at once conflict, not both count once."""

    def get(self, citizen_id: int) -> CitizenPin | None:
        return self.session.get(CitizenPin, citizen_id)

    def add(self, pin: CitizenPin) -> None:
        self.session.add(pin)


class SqlToolUseRepository(_Repo):
    """Agents' tool uses: a case's are those recorded on it and those of its contacts (a contact's earlier uses,
    before it joined the case, and the uses of contacts a merge moved in)."""

    def add(self, use: ToolUse) -> None:
        self.session.add(use)

    def for_interaction(self, interaction_id: int) -> Sequence[ToolUse]:
        c = tables.tool_uses.c
        return self.session.scalars(select(ToolUse).where(c.interaction_id == interaction_id).order_by(c.id)).all()

    def for_case(self, case_id: int) -> Sequence[ToolUse]:
        c, i = tables.tool_uses.c, tables.interactions.c
        contacts = select(i.id).where(i.case_id == case_id)
        query = select(ToolUse).where(or_(c.case_id == case_id, c.interaction_id.in_(contacts))).order_by(c.id)
        return self.session.scalars(query).all()
