"""The in-memory SMS gateway: records what was sent, for unit tests of code that sends texts.

It keeps the same contract as the HTTP adapter over the reference service (``tests/integration/sms``
runs one suite against both). ``available = False`` makes every call fail as a gateway outage would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from integrations.sms.port import SentMessage, SmsUnavailable
from integrations.sms.store import MessageStore, Received


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class InMemorySmsGateway:
    def __init__(self, clock: Callable[[], dt.datetime] = _utc_now, max_messages: int = 10_000) -> None:
        self.store = MessageStore(clock, max_messages=max_messages)
        self.available = True
        self.sent: list[tuple[str, str]] = []  # (number, text) of every message really sent, in order

    def send(self, to: str, text: str, *, idempotency_key: str) -> SentMessage:
        self._check_available()
        message = self.store.send(to, text, idempotency_key)
        if not message.replayed:
            self.sent.append((to, text))
        return message

    def status(self, message_id: str) -> SentMessage:
        self._check_available()
        return self.store.get(message_id)

    def inbox(self, number: str) -> list[Received]:
        """The handset view: what ``number`` received, oldest first."""
        return self.store.inbox(number)

    def _check_available(self) -> None:
        if not self.available:
            raise SmsUnavailable("connection-failed")
