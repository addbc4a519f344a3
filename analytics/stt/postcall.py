"""Post-call transcription: the worker that drains the durable queue of closed call recordings.

Telephony queues each closed recording in the case store; this worker, in its own low-priority process
(``sori analytics transcriber``, started by ``sori up``), claims the oldest due job and transcribes each agent
contact's talk window of the WAV through the ``SpeechToText`` port, *outside* any transaction
(``crm.door.ports.RecordedContact.talk_window``: the menu before the first answer is never transcribed). It
masks PII (``analytics.pii``) and, when a trained category model is present, suggests a category for each case
touched; then the case store writes each contact's transcript and the suggested categories (a case event
records each) in one transaction. The queue is the case store's door, ``crm.door.ports.TranscriptionQueue``.
Jobs left running by a crash are pending again at the next start; failures are retried with backoff and end
``failed`` with a stable error code. A recording whose talk windows hold no speech (the recogniser refuses
hold music, tones and noise: ``analytics.stt.whisper``) ends ``skipped`` with the code ``no-speech``, and its
contacts keep a NULL transcript. The analytics pick the transcripts up from the case store: writing a
transcript stamps the contact as changed (``crm.door.ports.PhoneContacts``).
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
from crm.door.ports import ClaimedJob, JobState, NewJob, RecordedContact, TranscriptionQueue, Window
from kernel.actor import Actor

log = logging.getLogger("sori.transcriber")
ACTOR = Actor.system("transcriber")

Suggest = Callable[[str], tuple[str | None, str | None]]  # masked text → (category, agency)

Claimed = ClaimedJob  # the job being worked on, as the queue handed it out


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
        queue: TranscriptionQueue,
        stt: SpeechToText,
        recordings_dir: Path,
        clock: Callable[[], dt.datetime],
        *,
        suggest: Suggest | None = None,
    ) -> None:
        self.queue = queue
        self.stt = stt
        self.recordings_dir = recordings_dir
        self.clock = clock
        self.suggest = suggest

    # -- the queue --------------------------------------------------------------------------------
    def recover(self) -> int:
        """Jobs a previous run left running are pending again; how many."""
        recovered = self.queue.recover_running()
        if recovered:
            log.info("%d transcription job(s) left running by the last run are queued again", recovered)
        return recovered

    def sweep(self, within: dt.timedelta = SWEEP_WITHIN) -> int:
        """Queue the recordings of recent agent contacts that no job names: the control process may have
        stopped between a recording closing and its job being written, or the call's media worker died and
        never closed the file (its header is repaired once the file is abandoned: ``analytics.stt.wavfix``).
        A recording is queued only when its file is a complete WAV; its start is the file's last write less
        its length. The files are read outside any transaction; a recording the control process queued meanwhile
        keeps its job. How many were queued."""
        now = self.clock()
        found: list[NewJob] = []
        for ref in self.queue.recordings_without_job(now - within):
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
            found.append(NewJob(ref, written - dt.timedelta(seconds=seconds), seconds))
        queued = self.queue.enqueue(found, now) if found else 0
        if queued:
            log.info("%d recorded call(s) without a transcription job queued", queued)
        return queued

    def claim(self) -> Claimed | None:
        return self.queue.claim_next(self.clock())

    def backlog(self) -> dict[str, Any]:
        """Jobs by state and the age of the oldest pending one (seconds), for operators."""
        backlog = self.queue.backlog()
        oldest = backlog.oldest_pending
        age = (self.clock() - oldest).total_seconds() if oldest is not None else None
        return {str(state): n for state, n in backlog.counts.items()} | {"oldest_pending_s": age}

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
        except Exception:  # e.g. the control process queued the same recording at that moment (unique reference)
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

    def _agent_contacts(self, job: Claimed) -> list[RecordedContact]:
        return [c for c in self.queue.contacts_of(job.recording_ref) if c.agent_id is not None]

    def _windows(self, job: Claimed) -> list[Window]:
        """The talk windows of the agent contacts that share this recording, in time order."""
        return [c.talk_window(job.recording_started_at) for c in self._agent_contacts(job)]

    def _write(self, job: Claimed, texts: dict[int, str]) -> Outcome:
        transcripts = {contact: mask(text).text for contact, text in texts.items() if text}
        by_case: dict[int, list[str]] = {}
        for contact in self._agent_contacts(job):
            if contact.case_id is not None:
                transcript = transcripts.get(contact.interaction_id, contact.transcript)
                notes = mask(contact.notes).text if contact.notes else None
                by_case.setdefault(contact.case_id, []).extend(p for p in (transcript, notes) if p)
        suggestions = self._suggestions(by_case) if self.suggest is not None else {}
        stored = self.queue.store_transcripts(job.job_id, job.recording_ref, transcripts, suggestions, ACTOR,
                                              self.clock())  # fmt: skip
        return Outcome(job.job_id, JobState.DONE, stored.contacts, stored.categorised)

    def _suggestions(self, by_case: dict[int, list[str]]) -> dict[int, tuple[str | None, str | None]]:
        """(category, agency) for each case with words, from its contacts' masked transcripts and notes."""
        assert self.suggest is not None
        found: dict[int, tuple[str | None, str | None]] = {}
        for case_id, parts in by_case.items():
            text = "\n".join(parts)
            if text.strip():
                found[case_id] = self.suggest(text)
        return found

    def _finish(self, job: Claimed, state: JobState, code: str | None, message: str | None) -> Outcome:
        self.queue.finish(job.job_id, self.clock(), state, code, message)
        return Outcome(job.job_id, state, error_code=code)

    def _failed(self, job: Claimed, code: str, message: str, *, retryable: bool) -> Outcome:
        log.warning("transcription job %s (%s) attempt %d failed: %s %s", job.job_id, job.recording_ref,
                    job.attempt, code, message)  # fmt: skip
        state = self.queue.fail(job.job_id, self.clock(), code, message, retryable=retryable)
        return Outcome(job.job_id, state, error_code=code)
