"""The record of a finished call, as the ACD hands it over for storage and KPIs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from telephony.acd.model import QueueKey


@dataclass(frozen=True)
class CallRecord:
    """One call that left the ACD for good: answered and wrapped up, or abandoned.

    Times are aware UTC. ``ended_at`` is when the conversation ended (hold included), ``wrapup_ended_at``
    when the agent finished the after-call work. ``queue`` is the queue the call entered, even when an
    overflow partner answered it. ``outbound`` marks callbacks, which the inbound KPIs leave out.
    """

    call_id: str
    queue: QueueKey
    enqueued_at: dt.datetime
    answered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    wrapup_ended_at: dt.datetime | None = None
    abandoned_at: dt.datetime | None = None
    hold_seconds: float = 0.0
    agent_id: str | None = None
    outbound: bool = False

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def abandoned(self) -> bool:
        return self.abandoned_at is not None

    @property
    def wait_seconds(self) -> float:
        """Time in queue: until answer, or until the caller hung up (0 for a call still waiting)."""
        left = self.answered_at or self.abandoned_at
        return (left - self.enqueued_at).total_seconds() if left else 0.0

    @property
    def talk_seconds(self) -> float:
        """Connected time minus hold."""
        if self.answered_at is None or self.ended_at is None:
            return 0.0
        return (self.ended_at - self.answered_at).total_seconds() - self.hold_seconds

    @property
    def wrapup_seconds(self) -> float:
        if self.ended_at is None or self.wrapup_ended_at is None:
            return 0.0
        return (self.wrapup_ended_at - self.ended_at).total_seconds()

    @property
    def handle_seconds(self) -> float:
        """Talk + hold + wrap-up."""
        return self.talk_seconds + self.hold_seconds + self.wrapup_seconds
