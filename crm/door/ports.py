"""What other packages may ask of the case store, and the values it answers with (pure: no I/O).

- ``PhoneContacts``: phone contacts changed since a cursor, with the fields analytics index (never who
  the citizen is: region, age band and sex only).
- ``ContinuityFacts``: the raw counts and rows the continuity figures of a period are computed from
  (the figures themselves are analytics' rules: ``analytics.trends.continuity``).
- ``TranscriptionQueue``: the post-call transcription queue, as the transcriber drives it; each command
  is one transaction of the store.

Adapters: ``crm.door.sql_contacts``/``crm.door.sql_transcription`` (SQLAlchemy, SQLite and PostgreSQL)
and ``crm.door.memory`` (in memory, for tests).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from crm.cases.transcription import JobState, Window, window
from kernel.actor import Actor

__all__ = [
    "Backlog",
    "ChangeCursor",
    "ClaimedJob",
    "ContinuityFacts",
    "ContinuitySource",
    "JobState",
    "NewJob",
    "PhoneContact",
    "PhoneContacts",
    "RecordedContact",
    "StoredTranscripts",
    "TranscriptionQueue",
    "Window",
    "age_band",
]


# -- phone contacts, read incrementally ----------------------------------------------------------------
@dataclass(frozen=True, order=True)
class ChangeCursor:
    """The last change read: (transaction id, sequence); ``ChangeCursor()`` is before everything.

    A position in the order the store committed changes, not an id (``crm.door.sql_contacts`` says why)."""

    xid: int = 0
    seq: int = 0

    def text(self) -> str:
        return f"{self.xid}:{self.seq}"

    @classmethod
    def parse(cls, text: str) -> ChangeCursor:
        """From ``text()``; an empty or unreadable text starts from the beginning (re-reading is harmless)."""
        xid, _, seq = text.partition(":")
        try:
            return cls(int(xid), int(seq))
        except ValueError:
            return cls()


@dataclass(frozen=True)
class PhoneContact:
    """A finished voice contact with words in it: the transcript, else the agent's notes (both when both)."""

    interaction_id: int
    received_at: dt.datetime
    text: str
    center: str
    category: str | None
    region: str | None
    age_band: str | None
    sex: str | None  # "male", "female" or None


def age_band(birth_year: int | None, year: int) -> str | None:
    """ "20대" … "80대 이상" from the birth year (Korean age bands by full years)."""
    if birth_year is None:
        return None
    age = year - birth_year
    if age < 10:
        return "10대 미만"
    return "80대 이상" if age >= 80 else f"{age // 10 * 10}대"


class PhoneContacts(Protocol):
    def changed_since(self, after: ChangeCursor, limit: int = 1000) -> tuple[list[PhoneContact], ChangeCursor]:
        """Voice contacts with words that changed after ``after`` (stored, or notes or a transcript written),
        in change order, at most ``limit``, and the cursor of the last one (``after`` when there is none).
        A contact whose change may still be overtaken by one committed later is held back until it cannot."""
        ...


# -- continuity ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ContinuityFacts:
    """What the continuity figures of a period [start, end) (Seoul days) are counted from."""

    contacts: int  # voice contacts started in the period
    citizens: int  # distinct known citizens among them
    known_citizen_contacts: int  # those with a known citizen
    history: list[tuple[int, dt.datetime]]  # (citizen, started) of the period's citizens, from ``lookback`` before
    opened: list[tuple[bool, int, int]]  # cases opened in the period: (resolved or closed, contacts, hand-offs)
    handoffs_per_case: list[int]  # hand-offs of each case with a contact in the period
    transfers: list[tuple[str, str, int]]  # (from center, to center, hand-offs in the period), ten most first
    callbacks: dict[str, int] = field(default_factory=dict)  # status → callbacks scheduled in the period


class ContinuitySource(Protocol):
    def continuity_facts(
        self, start: dt.date, end: dt.date, *, center: str | None = None, lookback: dt.timedelta
    ) -> ContinuityFacts:
        """The facts of the Seoul days [``start``, ``end``); ``center`` limits them to that center's contacts,
        cases, hand-offs (from or to) and callbacks, except ``history``, which spans every center (a repeat
        may cross centers) and reaches ``lookback`` before the period."""
        ...


# -- the post-call transcription queue -----------------------------------------------------------------
@dataclass(frozen=True)
class NewJob:
    """A closed recording to queue: its reference, its first sample's wall time, its length."""

    recording_ref: str
    recording_started_at: dt.datetime
    audio_seconds: float


@dataclass(frozen=True)
class ClaimedJob:
    job_id: int
    recording_ref: str
    recording_started_at: dt.datetime
    attempt: int


@dataclass(frozen=True)
class RecordedContact:
    """A contact heard on a recording (a transfer keeps one recording over several contacts)."""

    interaction_id: int
    agent_id: int | None
    case_id: int | None
    started_at: dt.datetime
    answered_at: dt.datetime | None
    ended_at: dt.datetime | None
    transcript: str | None
    notes: str | None

    def talk_window(self, recording_started_at: dt.datetime) -> Window:
        """This contact's talk time in the recording (``crm.cases.transcription``: answer to end)."""
        return window(self.interaction_id, recording_started_at, self.answered_at or self.started_at, self.ended_at)


@dataclass(frozen=True)
class Backlog:
    counts: dict[JobState, int]  # every state, zero included
    oldest_pending: dt.datetime | None  # when the oldest pending job was queued


@dataclass(frozen=True)
class StoredTranscripts:
    contacts: int  # contacts that got a transcript
    categorised: int  # cases whose suggested category changed


class TranscriptionQueue(Protocol):
    def recover_running(self) -> int:
        """Jobs left running (the transcriber stopped) are pending again; how many."""
        ...

    def recordings_without_job(self, ended_since: dt.datetime) -> list[str]:
        """Recordings of agent contacts ended since then, untranscribed, that no job names."""
        ...

    def enqueue(self, jobs: Sequence[NewJob], now: dt.datetime) -> int:
        """Queue these recordings, due now, together; one a job already names is left as it is. How many."""
        ...

    def claim_next(self, now: dt.datetime) -> ClaimedJob | None:
        """The oldest job due now, running from now (one claimer gets it); None when none is due."""
        ...

    def backlog(self) -> Backlog: ...

    def contacts_of(self, recording_ref: str) -> list[RecordedContact]:
        """The contacts of a recording, in time order."""
        ...

    def store_transcripts(
        self,
        job_id: int,
        recording_ref: str,
        transcripts: Mapping[int, str],
        suggestions: Mapping[int, tuple[str | None, str | None]],
        actor: Actor,
        now: dt.datetime,
    ) -> StoredTranscripts:
        """In one transaction: each agent contact of the recording named in ``transcripts`` gets that (masked)
        transcript; each case in ``suggestions`` (case → category, agency) whose suggested category differs
        gets it, recorded as a case event by ``actor``; the job is done."""
        ...

    def finish(self, job_id: int, now: dt.datetime, state: JobState, code: str | None, message: str | None) -> None:
        """The job ended without transcripts (``state`` done or skipped), with why."""
        ...

    def fail(self, job_id: int, now: dt.datetime, code: str, message: str, *, retryable: bool) -> JobState:
        """A failed attempt (retried later while attempts remain, if ``retryable``); the job's state after."""
        ...
