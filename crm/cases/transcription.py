"""Post-call transcription: the durable queue's rules and how a call's transcript is shared out (no I/O).

A job is one call recording, named by its reference (the path under the recordings root). Telephony
enqueues it once the recording is closed; the transcriber claims pending jobs oldest first. A job that was
running when the transcriber stopped (crash, restart) is pending again at its next start. A failure is
retried with exponential backoff up to ``MAX_ATTEMPTS``, then the job is ``failed`` with its error code;
a recording no agent talked on (IVR only) is ``skipped``, nothing is transcribed.

One recording can hold several contacts (a transfer keeps the call and its recording): each agent contact
gets the transcript of its own talk window (answer to end, with a little slack), transcribed on its own.
What was heard before the first agent answered (menu prompts, hold music, position announcements) is
never transcribed: synthetic prompts and music make the recogniser invent words, and condition what it
hears next on them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

MAX_ATTEMPTS = 3
RETRY_AFTER = dt.timedelta(seconds=30)  # doubled at each further attempt
#: Audio this close outside a talk window (seconds) is transcribed with it: timestamps come from the
#: recorder's and the control process's clocks, and an answer is reported a moment after audio flows.
SLACK_S = 0.5


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass
class TranscriptionJob:
    recording_ref: str
    enqueued_at: dt.datetime
    recording_started_at: dt.datetime  # wall time of the recording's first sample
    audio_seconds: float | None = None
    state: JobState = JobState.PENDING
    attempts: int = 0
    available_at: dt.datetime | None = None  # not before (retries back off); None: at once
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    error_code: str | None = None
    error: str | None = None
    id: int | None = None


def claim(job: TranscriptionJob, now: dt.datetime) -> None:
    job.state = JobState.RUNNING
    job.attempts += 1
    job.started_at = now
    job.error_code = job.error = None


def succeed(job: TranscriptionJob, now: dt.datetime, state: JobState = JobState.DONE) -> None:
    job.state = state
    job.finished_at = now


def fail(job: TranscriptionJob, now: dt.datetime, code: str, message: str, *, retryable: bool = True) -> None:
    """A failed attempt: retried later while attempts remain and the failure may pass, else failed for good."""
    job.error_code, job.error = code, message[:500]
    if retryable and job.attempts < MAX_ATTEMPTS:
        job.state = JobState.PENDING
        job.available_at = now + RETRY_AFTER * 2 ** (job.attempts - 1)
    else:
        job.state = JobState.FAILED
        job.finished_at = now


def recover(job: TranscriptionJob) -> None:
    """The transcriber stopped while this job ran: it is pending again (the attempt counts)."""
    if job.state is JobState.RUNNING:
        job.state = JobState.PENDING
        job.available_at = None


@dataclass(frozen=True)
class Window:
    """An agent contact's talk time within the recording, in seconds from its start (``end`` None: to the
    end of the recording)."""

    interaction_id: int
    start: float
    end: float | None

    def audio_span(self, slack: float = SLACK_S) -> tuple[float, float | None]:
        """The part of the recording to transcribe for this contact: the window and ``slack`` either side."""
        return max(0.0, self.start - slack), None if self.end is None else self.end + slack


def window(
    interaction_id: int,
    recording_started_at: dt.datetime,
    answered_at: dt.datetime,
    ended_at: dt.datetime | None,
) -> Window:
    start = (answered_at - recording_started_at).total_seconds()
    end = (ended_at - recording_started_at).total_seconds() if ended_at is not None else None
    return Window(interaction_id, start, end)
