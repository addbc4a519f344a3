"""The door in memory: a small case store of plain records that answers the door's queries and commands the
way the SQL adapters do (one contract suite runs against both: tests/integration/door/).

It stamps contacts with a change sequence as SQLite does (transaction id 0, in the order of changes), when
stored and when a column the phone-contact query reads changes. Tests seed it with the ``add_*`` methods.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from crm.cases.model import VOICE_CHANNELS, Callback, Case, CaseEvent, EventKind, Handoff, Interaction
from crm.cases.status import CaseStatus
from crm.cases.transcription import JobState, TranscriptionJob, claim, fail, recover, succeed
from crm.citizens.model import Citizen
from crm.door.ports import (
    Backlog,
    ChangeCursor,
    ClaimedJob,
    ContinuityFacts,
    NewJob,
    PhoneContact,
    RecordedContact,
    StoredTranscripts,
    age_band,
)
from kernel.actor import Actor
from kernel.calendar import SEOUL, to_seoul

#: The contact columns the phone-contact query reads: a change to one is a change (as migration 0005).
WATCHED = ("started_at", "ended_at", "channel", "center_code", "case_id", "citizen_id", "notes", "transcript")
DONE = frozenset({CaseStatus.RESOLVED, CaseStatus.CLOSED})


class MemoryDoor:
    """``PhoneContacts``, ``ContinuitySource`` and ``TranscriptionQueue`` over records held in memory."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.citizens: dict[int, Citizen] = {}
        self.cases: dict[int, Case] = {}
        self.interactions: dict[int, Interaction] = {}
        self.handoffs: dict[int, Handoff] = {}
        self.callbacks: dict[int, Callback] = {}
        self.jobs: dict[int, TranscriptionJob] = {}
        self.events: list[CaseEvent] = []
        self._stamps: dict[int, int] = {}
        self._seq = 0
        self._ids = 0

    # -- seeding (tests) ------------------------------------------------------------------------------
    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def _stamp(self, interaction_id: int) -> None:
        self._seq += 1
        self._stamps[interaction_id] = self._seq

    def add_citizen(self, citizen: Citizen) -> int:
        with self._lock:
            citizen.id = self._next_id()
            self.citizens[citizen.id] = citizen
            return citizen.id

    def add_case(self, case: Case) -> int:
        with self._lock:
            case.id = self._next_id()
            self.cases[case.id] = case
            return case.id

    def add_interaction(self, interaction: Interaction) -> int:
        with self._lock:
            interaction.id = self._next_id()
            self.interactions[interaction.id] = interaction
            self._stamp(interaction.id)
            return interaction.id

    def update_interaction(self, interaction_id: int, **changes: Any) -> None:
        with self._lock:
            before = self.interactions[interaction_id]
            after = replace(before, **changes)
            self.interactions[interaction_id] = after
            if any(getattr(before, c) != getattr(after, c) for c in WATCHED):
                self._stamp(interaction_id)

    def add_handoff(self, handoff: Handoff) -> int:
        with self._lock:
            handoff.id = self._next_id()
            self.handoffs[handoff.id] = handoff
            return handoff.id

    def add_callback(self, callback: Callback) -> int:
        with self._lock:
            callback.id = self._next_id()
            self.callbacks[callback.id] = callback
            return callback.id

    def add_job(self, job: TranscriptionJob) -> int:
        with self._lock:
            if any(j.recording_ref == job.recording_ref for j in self.jobs.values()):
                raise ValueError(f"a job already names {job.recording_ref}")  # the unique reference
            job.id = self._next_id()
            self.jobs[job.id] = job
            return job.id

    # -- PhoneContacts ------------------------------------------------------------------------------------
    def changed_since(self, after: ChangeCursor, limit: int = 1000) -> tuple[list[PhoneContact], ChangeCursor]:
        with self._lock:
            changed = sorted(
                (ChangeCursor(0, seq), self.interactions[i])
                for i, seq in self._stamps.items()
                if ChangeCursor(0, seq) > after and _has_words(self.interactions[i])
            )[:limit]
            if not changed:
                return [], after
            return [self._contact(i) for _, i in changed], changed[-1][0]

    def _contact(self, i: Interaction) -> PhoneContact:
        assert i.id is not None
        case = self.cases.get(i.case_id) if i.case_id is not None else None
        citizen = self.citizens.get(i.citizen_id) if i.citizen_id is not None else None
        sex = citizen.sex if citizen is not None else None
        return PhoneContact(
            interaction_id=i.id,
            received_at=i.started_at,
            text="\n".join(part for part in (i.transcript, i.notes) if part),
            center=i.center_code,
            category=case.category if case is not None else None,
            region=citizen.region_sido if citizen is not None else None,
            age_band=age_band(citizen.birth_year if citizen else None, to_seoul(i.started_at).year),
            sex={"M": "male", "F": "female"}.get(str(sex)) if sex is not None else None,
        )

    # -- ContinuitySource ---------------------------------------------------------------------------------
    def continuity_facts(
        self, start: dt.date, end: dt.date, *, center: str | None = None, lookback: dt.timedelta
    ) -> ContinuityFacts:
        since = dt.datetime.combine(start, dt.time(), tzinfo=SEOUL)
        until = dt.datetime.combine(end, dt.time(), tzinfo=SEOUL)
        with self._lock:
            voice = [i for i in self.interactions.values() if i.channel in VOICE_CHANNELS]
            period = [i for i in voice if since <= i.started_at < until and (not center or i.center_code == center)]
            known = [i for i in period if i.citizen_id is not None]
            callers = {i.citizen_id for i in known}
            history = [(i.citizen_id, i.started_at) for i in voice
                       if i.citizen_id in callers and since - lookback <= i.started_at < until]  # fmt: skip
            opened = [
                (c.status in DONE, self._contacts_of_case(c.id), self._handoffs_of(c.id))
                for c in self.cases.values()
                if c.created_at is not None
                and since <= c.created_at < until
                and (not center or c.owner_center == center)
            ]
            touched = {i.case_id for i in period if i.case_id is not None}
            in_period = [h for h in self.handoffs.values() if since <= h.created_at < until
                         and (not center or center in (h.from_center, h.to_center))]  # fmt: skip
            paths = Counter((h.from_center, h.to_center) for h in in_period)
            scheduled = [b for b in self.callbacks.values() if since <= b.created_at < until]
            callbacks = Counter(str(b.status) for b in scheduled if not center or b.center_code == center)
            return ContinuityFacts(
                contacts=len(period),
                citizens=len(callers),
                known_citizen_contacts=len(known),
                history=[(int(z), t) for z, t in history if z is not None],
                opened=opened,
                handoffs_per_case=[self._handoffs_of(case_id) for case_id in touched],
                transfers=sorted(((f, t, n) for (f, t), n in paths.items()), key=lambda p: (-p[2], p[0], p[1]))[:10],
                callbacks=dict(callbacks),
            )

    def _contacts_of_case(self, case_id: int | None) -> int:
        return sum(1 for i in self.interactions.values() if i.case_id == case_id)

    def _handoffs_of(self, case_id: int | None) -> int:
        return sum(1 for h in self.handoffs.values() if h.case_id == case_id)

    # -- TranscriptionQueue -------------------------------------------------------------------------------
    def recover_running(self) -> int:
        with self._lock:
            running = [j for j in self.jobs.values() if j.state is JobState.RUNNING]
            for job in running:
                recover(job)
            return len(running)

    def recordings_without_job(self, ended_since: dt.datetime) -> list[str]:
        with self._lock:
            named = {j.recording_ref for j in self.jobs.values()}
            return sorted({
                i.recording_ref for i in self.interactions.values()
                if i.recording_ref is not None and i.agent_id is not None and i.ended_at is not None
                and i.ended_at >= ended_since and i.transcript is None and i.recording_ref not in named
            })  # fmt: skip

    def enqueue(self, jobs: Sequence[NewJob], now: dt.datetime) -> int:
        with self._lock:
            named = {j.recording_ref for j in self.jobs.values()}
            fresh = [j for j in jobs if j.recording_ref not in named]
            for new in fresh:
                self.add_job(TranscriptionJob(new.recording_ref, now, new.recording_started_at, new.audio_seconds,
                                              available_at=now))  # fmt: skip
            return len(fresh)

    def claim_next(self, now: dt.datetime) -> ClaimedJob | None:
        with self._lock:
            due = [j for j in self.jobs.values()
                   if j.state is JobState.PENDING and (j.available_at is None or j.available_at <= now)]  # fmt: skip
            if not due:
                return None
            job = min(due, key=lambda j: (j.enqueued_at, j.id or 0))
            claim(job, now)
            assert job.id is not None
            return ClaimedJob(job.id, job.recording_ref, job.recording_started_at, job.attempts)

    def backlog(self) -> Backlog:
        with self._lock:
            found = Counter(j.state for j in self.jobs.values())
            pending = [j.enqueued_at for j in self.jobs.values() if j.state is JobState.PENDING]
            return Backlog({state: found.get(state, 0) for state in JobState}, min(pending, default=None))

    def contacts_of(self, recording_ref: str) -> list[RecordedContact]:
        with self._lock:
            return [
                RecordedContact(
                    i.id, i.agent_id, i.case_id, i.started_at, i.answered_at, i.ended_at, i.transcript, i.notes
                )
                for i in sorted(self.interactions.values(), key=lambda i: (i.started_at, i.id or 0))
                if i.recording_ref == recording_ref and i.id is not None
            ]

    def store_transcripts(
        self,
        job_id: int,
        recording_ref: str,
        transcripts: Mapping[int, str],
        suggestions: Mapping[int, tuple[str | None, str | None]],
        actor: Actor,
        now: dt.datetime,
    ) -> StoredTranscripts:
        with self._lock:
            job = self.jobs[job_id]
            written = 0
            for contact in self.contacts_of(recording_ref):
                text = transcripts.get(contact.interaction_id)
                if contact.agent_id is not None and text:
                    self.update_interaction(contact.interaction_id, transcript=text)
                    written += 1
            categorised = 0
            for case_id, (category, agency) in suggestions.items():
                case = self.cases.get(case_id)
                if case is None or category is None or category == case.suggested_category:
                    continue
                self.events.append(CaseEvent(case_id, now, EventKind.UPDATED, actor.agent_id, actor.login,
                                             {"suggested_category": case.suggested_category},
                                             {"suggested_category": category, "suggested_agency": agency}))  # fmt: skip
                case.suggested_category, case.updated_at = category, now
                categorised += 1
            succeed(job, now)
            return StoredTranscripts(written, categorised)

    def finish(self, job_id: int, now: dt.datetime, state: JobState, code: str | None, message: str | None) -> None:
        with self._lock:
            job = self.jobs[job_id]
            succeed(job, now, state)
            job.error_code, job.error = code, message

    def fail(self, job_id: int, now: dt.datetime, code: str, message: str, *, retryable: bool) -> JobState:
        with self._lock:
            job = self.jobs[job_id]
            fail(job, now, code, message, retryable=retryable)
            return job.state


def _has_words(i: Interaction) -> bool:
    """A finished voice contact with a transcript or notes: what the phone-contact query reads."""
    return i.channel in VOICE_CHANNELS and i.ended_at is not None and (i.transcript is not None or i.notes is not None)
