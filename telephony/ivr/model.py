"""The flow data model: what a center's IVR says and where each key leads.

A ``Flow`` is immutable data read from one TOML file (see ``loader``); the interpreter
(``session``) walks it. Step ids are the TOML table names under ``[steps]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class FlowKind(Enum):
    """A center's own flow, the default flow for centers without a file, or a shared number's region flow."""

    CENTER = "center"
    DEFAULT = "default"
    SHARED = "shared"


@dataclass(frozen=True)
class PromptSpec:
    """A static prompt: its text (always present, for synthesis and logs) and an optional recorded file."""

    text: str
    file: Path | None = None


@dataclass(frozen=True)
class Choice:
    """A DTMF key of a menu and the step it leads to (or, in a region menu, the center)."""

    key: str
    target: str


@dataclass(frozen=True)
class MenuStep:
    id: str
    prompt: PromptSpec
    choices: tuple[Choice, ...]
    on_exhausted: str
    max_retries: int
    timeout_s: float


@dataclass(frozen=True)
class MessageStep:
    id: str
    prompt: PromptSpec
    next: str


@dataclass(frozen=True)
class QueueStep:
    id: str
    skill: str
    priority: int = 0
    prompt: PromptSpec | None = None
    announce_wait: bool = True
    offer_callback: bool = True


SELF_SERVICE_KINDS = ("bill-inquiry", "certificate-reissue")


@dataclass(frozen=True)
class SelfServiceStep:
    id: str
    kind: str  # one of SELF_SERVICE_KINDS
    item: str  # the bill kind (종합소득세) or certificate kind (납세증명서), in Korean
    next: str
    on_failure: str
    prompt: PromptSpec | None = None
    not_found: PromptSpec | None = None
    failure: PromptSpec | None = None


@dataclass(frozen=True)
class PinChangeStep:
    """The caller changes their IVR PIN: the current one, then the new one twice; then ``next``."""

    id: str
    next: str
    prompt: PromptSpec | None = None


@dataclass(frozen=True)
class TransferStep:
    """To another center: its flow (``to_step``, or its start when both are None) or one of its queues."""

    id: str
    center: str
    to_step: str | None = None
    queue: str | None = None
    prompt: PromptSpec | None = None


@dataclass(frozen=True)
class RegionStep:
    """Picks the regional center of a shared number: by area code when it decides, else by menu."""

    id: str
    prompt: PromptSpec
    areas: Mapping[str, str]
    choices: tuple[Choice, ...]  # target = center code
    on_exhausted: str
    max_retries: int
    timeout_s: float


@dataclass(frozen=True)
class HangupStep:
    id: str
    prompt: PromptSpec
    reason: str = "completed"


Step = MenuStep | MessageStep | QueueStep | SelfServiceStep | PinChangeStep | TransferStep | RegionStep | HangupStep
TERMINAL_STEPS = (QueueStep, TransferStep, RegionStep, HangupStep)


@dataclass(frozen=True)
class RetryPolicy:
    """What to say on invalid or missing input, how often to ask again, and where to go after."""

    invalid: PromptSpec
    timeout: PromptSpec
    exhausted: PromptSpec
    max_retries: int = 2
    timeout_s: float = 5.0


@dataclass(frozen=True)
class HoursPolicy:
    """Outside opening hours or on a holiday: the message, and an optional callback offer (1 = yes)."""

    closed: PromptSpec
    holiday: PromptSpec
    goodbye: PromptSpec
    offer_callback: bool = False
    callback_skill: str = "general"
    callback_offer: PromptSpec | None = None
    callback_confirmed: PromptSpec | None = None


@dataclass(frozen=True)
class ContinueCasePolicy:
    """이전 상담 이어서 하기: offered when the caller has an open case (1 = continue, 2 = new)."""

    intro: PromptSpec
    prompt: PromptSpec
    skill: str = "general"
    priority: int = 5


@dataclass(frozen=True)
class WaitPolicy:
    """A callback is offered instead of waiting when the expected wait exceeds ``callback_threshold_s``."""

    callback_threshold_s: int
    offer: PromptSpec
    confirmed: PromptSpec


@dataclass(frozen=True)
class Flow:
    name: str  # center code, "default", or "shared-<number>"
    kind: FlowKind
    source: str  # file name, for messages
    start: str
    fallback: str  # a terminal step: where input loops and exhausted retries end
    steps: Mapping[str, Step]
    retry: RetryPolicy
    recording_notice: PromptSpec | None = None
    hours: HoursPolicy | None = None
    continue_case: ContinueCasePolicy | None = None
    wait: WaitPolicy | None = None
    max_steps: int = 12  # menu visits per call before the fallback: random keying always ends
    number: str | None = None  # the dialled number of a shared flow
