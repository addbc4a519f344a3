"""The resend outbox: a request to send a notice again by an electronic channel (or post), and how far its
delivery has gone — queued, sent, delivered or failed (pure).

A resend is made once per idempotency key: asking again with the same key and the same request answers the
first resend (nothing more is sent); the same key with another request is refused. The channel's sender
moves a resend along ``NEXT``; a failed resend stays failed (a new request, with a new key, tries again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum

from integrations.bills.model import Channel

MAX_KEY_LENGTH = 200


class ResendStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


NEXT: Mapping[ResendStatus, frozenset[ResendStatus]] = {
    ResendStatus.QUEUED: frozenset({ResendStatus.SENT, ResendStatus.FAILED}),
    ResendStatus.SENT: frozenset({ResendStatus.DELIVERED, ResendStatus.FAILED}),
    ResendStatus.DELIVERED: frozenset(),
    ResendStatus.FAILED: frozenset(),
}


@dataclass(frozen=True)
class ResendRequest:
    """What a resend asks for, to tell a repeated request from another one under the same key."""

    citizen_ref: str
    notice_id: str
    channel: Channel


@dataclass(frozen=True)
class Resend:
    id: str
    notice_id: str
    channel: Channel
    idempotency_key: str
    requested_on: dt.date
    status: ResendStatus = ResendStatus.QUEUED

    def moved_to(self, status: ResendStatus) -> Resend:
        """This resend one step further; ``ValueError`` for a step ``NEXT`` does not allow."""
        if status not in NEXT[self.status]:
            raise ValueError(f"a {self.status} resend cannot become {status}")
        return replace(self, status=status)


def key_is_valid(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isprintable()
