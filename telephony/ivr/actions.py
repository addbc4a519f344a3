"""Actions an ``IvrSession`` asks the media worker to carry out, as small immutable values.

A batch (the list one event returns) runs in order. A ``Play`` runs to its end before the next
action, with one exception: a ``CollectDigits`` right after a ``Play`` is armed when that Play
starts, so a caller who knows the menu can key through it (barge-in: the worker stops the Play on
the first key); its timeout counts from the end of the Play. A batch ends either with
``CollectDigits`` (the session waits for ``Digit``/``InputTimeout``), ``SelfService`` (it waits for
``PortResult``), ``PinRequest`` (it waits for ``PinAnswer``), or a terminal action (``Enqueue``,
``Transfer``, ``Hangup``) after which the session is done and ignores further events.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from telephony.ivr.model import PromptSpec


@dataclass(frozen=True)
class Phrase:
    """Dynamic Korean text built from templates (amounts, dates, case numbers), spoken as one phrase."""

    text: str


PromptPart = PromptSpec | Phrase


@dataclass(frozen=True)
class Play:
    """Play the parts one after another; ``barge_in`` False for the recording notice."""

    parts: tuple[PromptPart, ...]
    barge_in: bool = True


@dataclass(frozen=True)
class CollectDigits:
    """Wait for DTMF: feed each key as ``Digit``, or ``InputTimeout`` after ``timeout_s`` of silence."""

    max_digits: int
    timeout_s: float
    terminator: str | None = None
    secret: bool = False  # a PIN digit: never traced or logged


@dataclass(frozen=True)
class RecordingNoticeHeard:
    """The caller heard the recording notice (녹음 고지) to the end: recording may start now."""


@dataclass(frozen=True)
class ContinueCase:
    """The caller chose 이전 상담 이어서 하기: attach this call to the open case."""

    case_number: str


@dataclass(frozen=True)
class SelfService:
    """Call an integration port (``ports.run_self_service``) and feed back a ``PortResult``."""

    kind: str  # "bill-inquiry" | "certificate-reissue"
    item: str  # bill or certificate kind, in Korean
    citizen_ref: str  # the caller's number: the ports look citizens up by it


@dataclass(frozen=True)
class PinRequest:
    """Check the caller's PIN (``new`` None) or change it; the answer comes back as ``PinAnswer``.

    The digits are the caller's secret: they are left out of ``repr`` so no log line carries them.
    """

    current: str = field(repr=False)
    new: str | None = field(default=None, repr=False)
    repeated: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ScheduleCallback:
    """The caller accepted the callback offer (closed center, or a long expected wait)."""

    center: str
    skill: str
    reason: str  # "closed" | "long-wait"
    continuing_case: str | None = None


@dataclass(frozen=True)
class Enqueue:
    """Terminal: put the caller in the center's queue for ``skill``."""

    center: str
    skill: str
    priority: int = 0
    continuing_case: str | None = None


@dataclass(frozen=True)
class Transfer:
    """Terminal: hand the call to another center's flow (``to_step`` or its start) or queue."""

    to_center: str
    to_step: str | None = None
    to_queue: str | None = None
    continuing_case: str | None = None
    recording_notice_heard: bool = False


@dataclass(frozen=True)
class Hangup:
    """Terminal: end the call (after the preceding Play, e.g. the goodbye message)."""

    reason: str


Terminal = Enqueue | Transfer | Hangup
Action = (
    Play | CollectDigits | RecordingNoticeHeard | ContinueCase | SelfService | PinRequest | ScheduleCallback | Terminal
)
