"""A bounded store of sent messages with idempotency and handsets' inboxes (pure).

The in-memory adapter and the reference service share it, so both keep the same contract: one message per
idempotency key, the same key with another request refused, the oldest messages forgotten past
``max_messages`` (their keys and inbox entries with them), at most ``inbox_limit`` texts per handset.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from integrations.sms.port import MessageKind, SentMessage, SmsMessageNotFound, SmsRejected
from integrations.sms.rules import check_idempotency_key, check_number, mask_number, measure_text


@dataclass(frozen=True)
class Received:
    """One text as the handset shows it."""

    id: str
    text: str
    kind: MessageKind
    received_at: dt.datetime


@dataclass
class _Stored:
    message: SentMessage
    to: str
    key: str
    fingerprint: str


def _fingerprint(to: str, text: str) -> str:
    return hashlib.sha256(f"{to}\n{text}".encode()).hexdigest()


class MessageStore:
    def __init__(self, clock: Callable[[], dt.datetime], max_messages: int = 10_000, inbox_limit: int = 100) -> None:
        self.clock = clock
        self.max_messages = max_messages
        self.inbox_limit = inbox_limit
        self._messages: OrderedDict[str, _Stored] = OrderedDict()
        self._by_key: dict[str, str] = {}
        self._inboxes: dict[str, deque[Received]] = {}
        self._lock = threading.Lock()

    def send(self, to: str, text: str, key: str) -> SentMessage:
        check_number(to)
        kind, size = measure_text(text)
        check_idempotency_key(key)
        fingerprint = _fingerprint(to, text)
        with self._lock:
            known = self._by_key.get(key)
            if known is not None:
                stored = self._messages[known]
                if stored.fingerprint != fingerprint:
                    raise SmsRejected("idempotency-key-reused")
                return dataclasses.replace(stored.message, replayed=True)
            now = self.clock()
            message = SentMessage(id=f"m_{secrets.token_urlsafe(12)}", to=mask_number(to), kind=kind, bytes=size,
                                  status="delivered", accepted_at=now, delivered_at=now)  # fmt: skip
            self._messages[message.id] = _Stored(message, to, key, fingerprint)
            self._by_key[key] = message.id
            inbox = self._inboxes.setdefault(to, deque(maxlen=self.inbox_limit))
            inbox.append(Received(message.id, text, kind, now))
            while len(self._messages) > self.max_messages:
                self._forget_oldest()
            return message

    def get(self, message_id: str) -> SentMessage:
        with self._lock:
            stored = self._messages.get(message_id)
        if stored is None:
            raise SmsMessageNotFound(message_id)
        return stored.message

    def inbox(self, number: str) -> list[Received]:
        """What the handset with ``number`` received, oldest first."""
        check_number(number)
        with self._lock:
            return list(self._inboxes.get(number, ()))

    def __len__(self) -> int:
        return len(self._messages)

    def _forget_oldest(self) -> None:
        _, stored = self._messages.popitem(last=False)
        self._by_key.pop(stored.key, None)
        inbox = self._inboxes.get(stored.to)
        if inbox is not None:
            kept = deque((r for r in inbox if r.id != stored.message.id), maxlen=self.inbox_limit)
            if kept:
                self._inboxes[stored.to] = kept
            else:
                del self._inboxes[stored.to]
