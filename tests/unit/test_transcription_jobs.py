"""The post-call transcription queue's rules: retries with backoff, recovery after a crash, and how a call's
timed transcript is shared out over the agent contacts that shared its recording."""

from __future__ import annotations

import datetime as dt

from crm.cases.transcription import (
    MAX_ATTEMPTS,
    RETRY_AFTER,
    SLACK_S,
    JobState,
    TranscriptionJob,
    Window,
    claim,
    fail,
    recover,
    succeed,
    window,
)

T0 = dt.datetime(2026, 11, 26, 3, 0, tzinfo=dt.UTC)


def job() -> TranscriptionJob:
    return TranscriptionJob("2026/11/26/030000-w1-c1-abcd.wav", T0, T0 - dt.timedelta(seconds=60), 60.0)


def test_a_claimed_job_runs_and_counts_the_attempt() -> None:
    j = job()
    claim(j, T0)
    assert (j.state, j.attempts, j.started_at) == (JobState.RUNNING, 1, T0)
    succeed(j, T0 + dt.timedelta(seconds=9))
    assert j.state is JobState.DONE and j.finished_at == T0 + dt.timedelta(seconds=9)


def test_failures_back_off_exponentially_then_fail_for_good() -> None:
    j = job()
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        claim(j, T0)
        fail(j, T0, "stt-error", "boom")
        if attempt < MAX_ATTEMPTS:
            assert j.state is JobState.PENDING
            assert j.available_at is not None
            waits.append(j.available_at - T0)
    assert waits == [RETRY_AFTER, RETRY_AFTER * 2]
    assert j.state is JobState.FAILED and j.error_code == "stt-error" and j.finished_at == T0


def test_a_failure_that_cannot_pass_fails_at_once() -> None:
    j = job()
    claim(j, T0)
    fail(j, T0, "stt-transcription-failed", "cannot decode", retryable=False)
    assert j.state is JobState.FAILED and j.attempts == 1


def test_a_job_left_running_by_a_crash_is_pending_again_and_only_running_ones_change() -> None:
    j = job()
    claim(j, T0)
    recover(j)
    assert j.state is JobState.PENDING and j.available_at is None and j.attempts == 1
    done = job()
    succeed(done, T0)
    recover(done)
    assert done.state is JobState.DONE


def test_a_contact_is_transcribed_over_its_talk_window_with_slack_and_the_last_one_to_the_end() -> None:
    started = T0
    first = window(1, started, T0 + dt.timedelta(seconds=20), T0 + dt.timedelta(seconds=50))
    last = window(2, started, T0 + dt.timedelta(seconds=70), None)
    assert first == Window(1, 20.0, 50.0) and last == Window(2, 70.0, None)
    assert first.audio_span() == (20.0 - SLACK_S, 50.0 + SLACK_S)
    assert last.audio_span() == (70.0 - SLACK_S, None)
    early = window(3, started, T0 - dt.timedelta(seconds=2), T0 + dt.timedelta(seconds=5))
    assert early.audio_span()[0] == 0.0, "never before the recording's start"
