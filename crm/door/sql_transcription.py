"""The door's transcription-queue commands on the SQLAlchemy case store: each one transaction of a unit of
work, applying the queue's rules (``crm.cases.transcription``) to the stored jobs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from crm.cases.events import record
from crm.cases.model import EventKind, Interaction
from crm.cases.transcription import JobState, TranscriptionJob, claim, fail, recover, succeed
from crm.door.ports import Backlog, ClaimedJob, NewJob, RecordedContact, StoredTranscripts
from crm.store.uow import UnitOfWorkFactory
from kernel.actor import Actor


class SqlTranscriptionQueue:
    """``TranscriptionQueue`` over the case store's units of work."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self.uow = uow

    def recover_running(self) -> int:
        with self.uow() as uow:
            jobs = list(uow.transcription_jobs.running())
            for job in jobs:
                recover(job)
            uow.commit()
        return len(jobs)

    def recordings_without_job(self, ended_since: dt.datetime) -> list[str]:
        with self.uow(readonly=True) as uow:
            return list(uow.interactions.recorded_without_job(ended_since))

    def enqueue(self, jobs: Sequence[NewJob], now: dt.datetime) -> int:
        with self.uow() as uow:
            queued = 0
            for new in jobs:
                if uow.transcription_jobs.by_ref(new.recording_ref) is not None:
                    continue
                uow.transcription_jobs.add(TranscriptionJob(
                    new.recording_ref, now, new.recording_started_at, new.audio_seconds, available_at=now,
                ))  # fmt: skip
                queued += 1
            uow.commit()
        return queued

    def claim_next(self, now: dt.datetime) -> ClaimedJob | None:
        with self.uow() as uow:
            job = uow.transcription_jobs.next_pending(now)
            if job is None:
                return None
            claim(job, now)
            uow.commit()
            assert job.id is not None
            return ClaimedJob(job.id, job.recording_ref, job.recording_started_at, job.attempts)

    def backlog(self) -> Backlog:
        with self.uow(readonly=True) as uow:
            return Backlog(dict(uow.transcription_jobs.counts()), uow.transcription_jobs.oldest_pending())

    def contacts_of(self, recording_ref: str) -> list[RecordedContact]:
        with self.uow(readonly=True) as uow:
            return [_recorded(i) for i in uow.interactions.with_recording(recording_ref) if i.id is not None]

    def store_transcripts(
        self,
        job_id: int,
        recording_ref: str,
        transcripts: Mapping[int, str],
        suggestions: Mapping[int, tuple[str | None, str | None]],
        actor: Actor,
        now: dt.datetime,
    ) -> StoredTranscripts:
        with self.uow() as uow:
            job = uow.transcription_jobs.get(job_id)
            assert job is not None
            written = 0
            for contact in uow.interactions.with_recording(recording_ref):
                text = transcripts.get(contact.id or 0)
                if contact.agent_id is not None and text:
                    contact.transcript = text
                    written += 1
            categorised = 0
            for case_id, (category, agency) in suggestions.items():
                case = uow.cases.get_by_id(case_id)
                if case is None or category is None or category == case.suggested_category:
                    continue
                before = case.suggested_category
                case.suggested_category = category
                record(uow, case, EventKind.UPDATED, actor, now, {"suggested_category": before},
                       {"suggested_category": category, "suggested_agency": agency})  # fmt: skip
                categorised += 1
            succeed(job, now)
            uow.commit()
        return StoredTranscripts(written, categorised)

    def finish(self, job_id: int, now: dt.datetime, state: JobState, code: str | None, message: str | None) -> None:
        with self.uow() as uow:
            job = uow.transcription_jobs.get(job_id)
            assert job is not None
            succeed(job, now, state)
            job.error_code, job.error = code, message
            uow.commit()

    def fail(self, job_id: int, now: dt.datetime, code: str, message: str, *, retryable: bool) -> JobState:
        with self.uow() as uow:
            job = uow.transcription_jobs.get(job_id)
            assert job is not None
            fail(job, now, code, message, retryable=retryable)
            state = job.state
            uow.commit()
        return state


def _recorded(i: Interaction) -> RecordedContact:
    assert i.id is not None
    return RecordedContact(i.id, i.agent_id, i.case_id, i.started_at, i.answered_at, i.ended_at, i.transcript, i.notes)
