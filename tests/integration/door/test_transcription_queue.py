"""Contract: the post-call transcription queue as the transcriber drives it, the same on every adapter."""

from __future__ import annotations

import datetime as dt

import pytest

from crm.cases.model import Case, Channel, Disposition, EventKind, Interaction
from crm.cases.transcription import MAX_ATTEMPTS, RETRY_AFTER, TranscriptionJob
from crm.citizens.model import Citizen
from crm.door.ports import ChangeCursor, JobState, NewJob, Window
from kernel.actor import Actor
from tests.integration.door.conftest import DoorWorld

pytestmark = pytest.mark.integration

NOW = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)
ACTOR = Actor.system("transcriber")


def job(world: DoorWorld, ref: str, minutes_ago: int = 0, **fields: object) -> int:
    queued = NOW - dt.timedelta(minutes=minutes_ago)
    return world.seed.job(TranscriptionJob(ref, queued, queued - dt.timedelta(minutes=5), 300.0, **fields))  # type: ignore[arg-type]


def recorded(world: DoorWorld, ref: str | None, *, agent: bool = True, minutes_ago: int = 30, **fields: object) -> int:
    started = NOW - dt.timedelta(minutes=minutes_ago)
    return world.seed.contact(Interaction(
        Channel.INBOUND_CALL, "ACRC110", started, agent_id=world.seed.agent_id if agent else None,
        answered_at=started + dt.timedelta(seconds=40) if agent else None, ended_at=started + dt.timedelta(minutes=4),
        disposition=Disposition.ANSWERED, recording_ref=ref, **fields,  # type: ignore[arg-type]
    ))  # fmt: skip


def test_jobs_are_claimed_oldest_first_when_due_and_once(world: DoorWorld) -> None:
    later = job(world, "2026/03/10/b.wav", minutes_ago=5)
    first = job(world, "2026/03/10/a.wav", minutes_ago=10)
    job(world, "2026/03/10/c.wav", minutes_ago=20, available_at=NOW + dt.timedelta(minutes=1))  # backing off
    job(world, "2026/03/10/d.wav", minutes_ago=30, state=JobState.DONE)
    claimed = world.queue.claim_next(NOW)
    assert claimed is not None
    assert (claimed.job_id, claimed.recording_ref, claimed.attempt) == (first, "2026/03/10/a.wav", 1)
    assert claimed.recording_started_at == NOW - dt.timedelta(minutes=15)
    second = world.queue.claim_next(NOW)
    assert second is not None and second.job_id == later
    assert world.queue.claim_next(NOW) is None, "the third is not due yet"
    stored = world.seed.read_job(first)
    assert stored.state is JobState.RUNNING and stored.started_at == NOW and stored.attempts == 1
    backlog = world.queue.backlog()
    assert backlog.counts == {JobState.PENDING: 1, JobState.RUNNING: 2, JobState.DONE: 1, JobState.SKIPPED: 0,
                              JobState.FAILED: 0}  # fmt: skip
    assert backlog.oldest_pending == NOW - dt.timedelta(minutes=20)
    assert world.queue.recover_running() == 2 and world.queue.recover_running() == 0
    assert world.seed.read_job(first).state is JobState.PENDING
    again = world.queue.claim_next(NOW)
    assert again is not None and again.job_id == first and again.attempt == 2, "a recovered attempt counts"


def test_failures_back_off_then_fail_and_finishing_records_why(world: DoorWorld) -> None:
    retried = job(world, "2026/03/10/a.wav")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        now = NOW + dt.timedelta(hours=attempt)
        claimed = world.queue.claim_next(now)
        assert claimed is not None and claimed.attempt == attempt
        state = world.queue.fail(retried, now, "stt-error", "x" * 600, retryable=True)
        stored = world.seed.read_job(retried)
        assert stored.error_code == "stt-error" and stored.error == "x" * 500
        if attempt < MAX_ATTEMPTS:
            assert state is JobState.PENDING and stored.available_at == now + RETRY_AFTER * 2 ** (attempt - 1)
        else:
            assert state is JobState.FAILED and stored.finished_at == now
    never = job(world, "2026/03/10/b.wav")
    assert world.queue.fail(never, NOW, "recording-path-refused", "outside", retryable=False) is JobState.FAILED
    skipped = job(world, "2026/03/10/c.wav")
    world.queue.finish(skipped, NOW, JobState.SKIPPED, "no-speech", "hold music only")
    stored = world.seed.read_job(skipped)
    assert (stored.state, stored.finished_at, stored.error_code, stored.error) == (
        JobState.SKIPPED, NOW, "no-speech", "hold music only")  # fmt: skip


def test_recordings_without_a_job_are_found_and_queued_once(world: DoorWorld) -> None:
    recorded(world, "2026/03/10/a.wav")
    recorded(world, "2026/03/10/a.wav", minutes_ago=25)  # a transfer: one recording, two contacts
    recorded(world, "2026/03/10/b.wav")
    recorded(world, "2026/03/10/ivr.wav", agent=False)  # no agent talked
    recorded(world, "2026/03/10/old.wav", minutes_ago=60 * 24 * 3)  # ended before the window
    recorded(world, "2026/03/10/done.wav", transcript="이미 있음")
    recorded(world, None)
    job(world, "2026/03/10/b.wav")
    since = NOW - dt.timedelta(days=2)
    assert sorted(world.queue.recordings_without_job(since)) == ["2026/03/10/a.wav"]
    new = [NewJob("2026/03/10/a.wav", NOW - dt.timedelta(minutes=30), 120.5),
           NewJob("2026/03/10/b.wav", NOW, 1.0)]  # fmt: skip
    assert world.queue.enqueue(new, NOW) == 1, "b has its job already: left as it is"
    assert world.queue.recordings_without_job(since) == []
    claimed = world.queue.claim_next(NOW)
    assert claimed is not None and claimed.recording_ref == "2026/03/10/b.wav", "b was queued first"
    queued = world.queue.claim_next(NOW)
    assert queued is not None and queued.recording_ref == "2026/03/10/a.wav"
    assert queued.recording_started_at == NOW - dt.timedelta(minutes=30)
    assert world.seed.read_job(queued.job_id).audio_seconds == 120.5


def test_transcripts_and_suggested_categories_are_stored_with_the_job_done(world: DoorWorld) -> None:
    citizen = world.seed.citizen(Citizen())
    case = world.seed.case(Case("2026-ACRC110-5", citizen, Channel.INBOUND_CALL, "ACRC110", created_at=NOW,
                                updated_at=NOW, suggested_category="세금"))  # fmt: skip
    same = world.seed.case(Case("2026-ACRC110-6", citizen, Channel.INBOUND_CALL, "ACRC110", created_at=NOW,
                                updated_at=NOW, suggested_category="복지"))  # fmt: skip
    ref = "2026/03/10/a.wav"
    menu = recorded(world, ref, agent=False, minutes_ago=31)
    first = recorded(world, ref, case_id=case, notes="메모")
    second = recorded(world, ref, minutes_ago=28, case_id=same)
    other = recorded(world, "2026/03/10/b.wav")
    job_id = job(world, ref)
    contacts = world.queue.contacts_of(ref)
    assert [c.interaction_id for c in contacts] == [menu, first, second], "in time order"
    assert contacts[0].agent_id is None and contacts[1].agent_id == world.seed.agent_id
    assert (contacts[1].case_id, contacts[1].notes, contacts[1].transcript) == (case, "메모", None)
    start = NOW - dt.timedelta(minutes=32)
    assert contacts[1].talk_window(start) == Window(first, 2 * 60 + 40.0, 6 * 60.0)
    assert contacts[0].talk_window(start).start == 60.0, "no answer: from the contact's start"
    _, before = world.contacts.changed_since(ChangeCursor())

    stored = world.queue.store_transcripts(
        job_id, ref, {first: "여권 재발급 문의", second: "", menu: "안내 멘트", other: "다른 통화"},
        {case: ("여권", "외교부"), same: ("복지", None), 999_999: ("세금", None)}, ACTOR, NOW,
    )  # fmt: skip
    assert (stored.contacts, stored.categorised) == (1, 1)
    assert world.seed.read_contact(first).transcript == "여권 재발급 문의"
    assert world.seed.read_contact(menu).transcript is None, "the menu before an agent is never transcribed"
    assert world.seed.read_contact(other).transcript is None, "another recording's contact is not touched"
    assert world.seed.read_contact(second).transcript is None
    assert world.seed.read_case(case).suggested_category == "여권"
    events = [e for e in world.seed.events(case) if e.kind is EventKind.UPDATED]
    after = {"suggested_category": "여권", "suggested_agency": "외교부"}
    assert [(e.actor, e.before, e.after) for e in events] == [
        ("system:transcriber", {"suggested_category": "세금"}, after)
    ]
    assert world.seed.events(same) == [], "the same category again is no change"
    done = world.seed.read_job(job_id)
    assert done.state is JobState.DONE and done.finished_at == NOW
    changed, _ = world.contacts.changed_since(before)
    assert [c.interaction_id for c in changed] == [first], "a written transcript is a change for analytics"
