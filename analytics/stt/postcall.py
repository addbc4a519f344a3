"""Post-call transcription: the worker that drains the durable queue of closed call recordings.

Telephony queues each closed recording (``telephony.control.store.CaseStoreCalls.enqueue_transcription``);
this worker, in its own low-priority process (``sori analytics transcriber``, started by ``sori up``), claims
the oldest due job and transcribes each agent contact's talk window of the WAV through the ``SpeechToText``
port, *outside* any transaction (``crm.cases.transcription.Window``: the menu before the first answer is
never transcribed). Then, in one transaction, it masks PII (``analytics.pii``), writes each contact's
transcript and, when a trained category model is present, fills the suggested category of each case touched
(a case event records it). Jobs left running by a crash are pending again at the next start; failures are
retried with backoff and end ``failed`` with a stable error code. A recording whose talk windows hold no speech
(the recogniser refuses hold music, tones and noise: ``analytics.stt.whisper``) ends ``skipped`` with the
code ``no-speech``, and its contacts keep a NULL transcript. The analytics pick the transcripts up from
the case store: writing a transcript stamps the contact as changed (``analytics.ingest.case_store``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import wave
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analytics.pii import mask
from analytics.stt.paths import RecordingPathRefused, recording_path
from analytics.stt.port import SpeechModelUnavailable, SpeechToText, TranscriptionFailed
from analytics.stt.wavfix import repair_unclosed
from crm.cases.events import record
from crm.cases.model import EventKind
from crm.cases.transcription import JobState, TranscriptionJob, Window, claim, fail, recover, succeed
from crm.cases.transcription import window as talk_window
from crm.store.uow import UnitOfWorkFactory
from kernel.actor import Actor

log = logging.getLogger("sori.transcriber")
ACTOR = Actor.system("transcriber")

Suggest = Callable[[str], tuple[str | None, str | None]]  # masked text → (category, agency)


@dataclass(frozen=True)
class Claimed:
    job_id: int
    recording_ref: str
    recording_started_at: dt.datetime
    attempt: int


@dataclass(frozen=True)
class Outcome:
    job_id: int
    state: JobState
    contacts: int = 0  # contacts that got a transcript
    categorised: int = 0  # cases whose suggested category was set
    error_code: str | None = None


#: The job's code when no agent contact of the recording holds speech: transcripts stay NULL, never a guess.
NO_SPEECH = "no-speech"

#: How far back ``sweep`` looks for recorded contacts whose job was never written.
SWEEP_WITHIN = dt.timedelta(days=2)
SWEEP_EVERY_S = 300.0


def _closed_wav(path: Path) -> tuple[dt.datetime, float] | None:
    """(last write, seconds) of a complete WAV file; None when it is missing, unreadable, still empty (the
    recorder writes the length into the header when it closes the file) or shorter than its header says."""
    try:
        with wave.open(str(path)) as audio:
            frames, rate = audio.getnframes(), audio.getframerate()
            data_bytes = frames * audio.getsampwidth() * audio.getnchannels()
        stat = path.stat()
    except (OSError, EOFError, wave.Error):
        return None
    if frames <= 0 or stat.st_size < data_bytes:
        return None
    return dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC), frames / rate


class PostCallTranscriber:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        stt: SpeechToText,
        recordings_dir: Path,
        clock: Callable[[], dt.datetime],
        *,
        suggest: Suggest | None = None,
    ) -> None:
        self.uow = uow
        self.stt = stt
        self.recordings_dir = recordings_dir
        self.clock = clock
        self.suggest = suggest

    # -- the queue --------------------------------------------------------------------------------
    def recover(self) -> int:
        """Jobs a previous run left running are pending again; how many."""
        with self.uow() as uow:
            jobs = list(uow.transcription_jobs.running())
            for job in jobs:
                recover(job)
            uow.commit()
        if jobs:
            log.info("%d transcription job(s) left running by the last run are queued again", len(jobs))
        return len(jobs)

    def sweep(self, within: dt.timedelta = SWEEP_WITHIN) -> int:
        """Queue the recordings of recent agent contacts that no job names: the control process may have
        stopped between a recording closing and its job being written, or the call's media worker died and
        never closed the file (its header is repaired once the file is abandoned: ``analytics.stt.wavfix``).
        A recording is queued only when its file is a complete WAV; its start is the file's last write less
        its length. How many were queued."""
        now = self.clock()
        with self.uow() as uow:
            refs = uow.interactions.recorded_without_job(now - within)
            queued = 0
            for ref in refs:
                try:
                    path = recording_path(self.recordings_dir, ref)
                except RecordingPathRefused as error:
                    log.warning("recording of a contact not queued: %s", error)
                    continue
                closed = _closed_wav(path)
                if closed is None and repair_unclosed(path):  # its worker died mid-call
                    closed = _closed_wav(path)
                if closed is None:
                    continue
                written, seconds = closed
                started = written - dt.timedelta(seconds=seconds)
                uow.transcription_jobs.add(TranscriptionJob(ref, now, started, seconds, available_at=now))
                queued += 1
            uow.commit()
        if queued:
            log.info("%d recorded call(s) without a transcription job queued", queued)
        return queued

    def claim(self) -> Claimed | None:
        with self.uow() as uow:
            job = uow.transcription_jobs.next_pending(self.clock())
            if job is None:
                return None
            claim(job, self.clock())
            uow.commit()
            assert job.id is not None
            return Claimed(job.id, job.recording_ref, job.recording_started_at, job.attempts)

    def backlog(self) -> dict[str, Any]:
        """Jobs by state and the age of the oldest pending one (seconds), for operators."""
        with self.uow(readonly=True) as uow:
            counts = uow.transcription_jobs.counts()
            oldest = uow.transcription_jobs.oldest_pending()
        age = (self.clock() - oldest).total_seconds() if oldest is not None else None
        return {str(state): n for state, n in counts.items()} | {"oldest_pending_s": age}

    # -- one job ----------------------------------------------------------------------------------
    def process(self, job: Claimed) -> Outcome:
        try:
            path = recording_path(self.recordings_dir, job.recording_ref)
        except RecordingPathRefused as error:
            return self._failed(job, error.code, str(error), retryable=False)
        windows = self._windows(job)
        if not windows:
            return self._finish(job, JobState.SKIPPED, "no-agent-contact", "no agent talked on this call")
        texts: dict[int, str] = {}
        try:
            for w in windows:
                start, end = w.audio_span()
                transcript = self.stt.transcribe(path, start=start, end=end)
                texts[w.interaction_id] = " ".join(s.text for s in transcript.segments if s.text.strip())
        except TranscriptionFailed as error:
            # a recording that is not there may yet appear (a slow disk); one that does not decode never will
            return self._failed(job, error.code, str(error), retryable=not path.exists())
        except SpeechModelUnavailable as error:
            return self._failed(job, error.code, str(error), retryable=True)
        except Exception as error:  # the recogniser's own errors: retried, then reported with their text
            log.exception("transcription of %s failed", job.recording_ref)
            return self._failed(job, "stt-error", f"{type(error).__name__}: {error}", retryable=True)
        if not any(texts.values()):  # hold music, tones, noise or silence only: no contact gets a guess
            return self._finish(job, JobState.SKIPPED, NO_SPEECH, "no speech in the agent contacts' talk windows")
        try:
            return self._write(job, texts)
        except Exception as error:  # e.g. an agent changed the case at the same moment (optimistic lock)
            log.exception("transcript of %s not written", job.recording_ref)
            return self._failed(job, "store-error", f"{type(error).__name__}: {error}", retryable=True)

    def run_once(self) -> Outcome | None:
        """Claim and process one due job; None when none is due."""
        job = self.claim()
        return self.process(job) if job is not None else None

    def run(self, stop: threading.Event, *, workers: int = 1, poll_s: float = 2.0) -> None:
        """Drain the queue with at most ``workers`` jobs at once until ``stop`` is set (checked every poll)."""
        self.recover()
        try:
            self.sweep()
        except Exception:  # e.g. telephony queued the same recording meanwhile (unique reference)
            log.exception("the sweep for recordings without a job failed; jobs already queued still run")
        running: set[Future[Outcome]] = set()
        swept = time.monotonic()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="transcribe") as pool:
            while not stop.is_set():
                if time.monotonic() - swept >= SWEEP_EVERY_S:  # a worker may die while we run
                    swept = time.monotonic()
                    try:
                        self.sweep()
                    except Exception:
                        log.exception("the periodic sweep failed; it runs again later")
                running = {f for f in running if not f.done()}
                job = self.claim() if len(running) < workers else None
                if job is not None:
                    running.add(pool.submit(self._process_logged, job))
                    continue
                stop.wait(poll_s)

    def _process_logged(self, job: Claimed) -> Outcome:
        try:
            outcome = self.process(job)
        except Exception:
            log.exception("transcription job %s (%s) failed unexpectedly", job.job_id, job.recording_ref)
            raise
        log.info("transcription job %s %s: %s", job.job_id, job.recording_ref, outcome)
        return outcome

    def _windows(self, job: Claimed) -> list[Window]:
        """The talk windows of the agent contacts that share this recording, in time order."""
        with self.uow(readonly=True) as uow:
            contacts = [i for i in uow.interactions.with_recording(job.recording_ref) if i.agent_id is not None]
            return [talk_window(i.id, job.recording_started_at, i.answered_at or i.started_at, i.ended_at)
                    for i in contacts if i.id is not None]  # fmt: skip

    def _write(self, job: Claimed, texts: dict[int, str]) -> Outcome:
        now = self.clock()
        with self.uow() as uow:
            stored = uow.transcription_jobs.get(job.job_id)
            assert stored is not None
            contacts = [i for i in uow.interactions.with_recording(job.recording_ref) if i.agent_id is not None]
            written = 0
            by_case: dict[int, list[str]] = {}
            for contact in contacts:
                text = texts.get(contact.id or 0)
                if text:
                    contact.transcript = mask(text).text
                    written += 1
                if contact.case_id is not None:
                    parts = by_case.setdefault(contact.case_id, [])
                    parts += [p for p in (contact.transcript, mask(contact.notes).text if contact.notes else None) if p]
            categorised = self._categorise(uow, by_case, now) if self.suggest is not None else 0
            succeed(stored, now)
            uow.commit()
        return Outcome(job.job_id, JobState.DONE, written, categorised)

    def _categorise(self, uow: Any, by_case: dict[int, list[str]], now: dt.datetime) -> int:
        assert self.suggest is not None
        done = 0
        for case_id, parts in by_case.items():
            case = uow.cases.get_by_id(case_id)
            text = "\n".join(parts)
            if case is None or not text.strip():
                continue
            category, agency = self.suggest(text)
            if category is None or category == case.suggested_category:
                continue
            before = case.suggested_category
            case.suggested_category = category
            record(uow, case, EventKind.UPDATED, ACTOR, now, {"suggested_category": before},
                   {"suggested_category": category, "suggested_agency": agency})  # fmt: skip
            done += 1
        return done

    def _finish(self, job: Claimed, state: JobState, code: str | None, message: str | None) -> Outcome:
        with self.uow() as uow:
            stored = uow.transcription_jobs.get(job.job_id)
            assert stored is not None
            succeed(stored, self.clock(), state)
            stored.error_code, stored.error = code, message
            uow.commit()
        return Outcome(job.job_id, state, error_code=code)

    def _failed(self, job: Claimed, code: str, message: str, *, retryable: bool) -> Outcome:
        log.warning("transcription job %s (%s) attempt %d failed: %s %s", job.job_id, job.recording_ref,
                    job.attempt, code, message)  # fmt: skip
        with self.uow() as uow:
            stored: TranscriptionJob | None = uow.transcription_jobs.get(job.job_id)
            assert stored is not None
            fail(stored, self.clock(), code, message, retryable=retryable)
            state = stored.state
            uow.commit()
        return Outcome(job.job_id, state, error_code=code)
