"""Enrolling the caller's first PIN, by keypad, during a call with an agent (pure: events in, actions out).

The agent asks for it (``POST /api/v1/interactions/{id}/pin-enrolment``) once the caller was verified with
evidence the agent cannot supply (the 주민등록번호 stated, or the SMS code read back); the caller then hears
the prompts and keys the new PIN twice on their own leg. The agent never hears the prompts' answers: the
digits travel as RFC 2833 events to the media worker, not as audio, and are never traced or logged. The
store refuses a guessable PIN (``crm.citizens.pin``); the caller hears why.
"""

from __future__ import annotations

from collections.abc import Callable

from telephony.ivr import pin as pins
from telephony.ivr.actions import Action, PinRequest, Play
from telephony.ivr.events import Digit, Event, InputTimeout, PinAnswer, Started
from telephony.ivr.model import PromptSpec

ENROL_NEW = PromptSpec(
    "본인 확인용 전화 비밀번호를 등록합니다. 새 비밀번호 네 자리에서 여섯 자리를 누르신 뒤 우물 정자를 눌러 주세요."
)
ENROLLED = PromptSpec("비밀번호가 등록되었습니다. 상담원과 계속 통화하실 수 있습니다.")
NOT_ENROLLED = PromptSpec("비밀번호를 등록하지 않았습니다. 상담원과 계속 통화하실 수 있습니다.")
#: What the caller hears after the store answered, by its answer.
OUTCOMES = {
    "verified": ENROLLED,
    "format": pins.CHANGE_OUTCOMES["format"],
    "trivial": pins.CHANGE_OUTCOMES["trivial"],
    "mismatch": pins.CHANGE_OUTCOMES["mismatch"],
}
PROMPTS = (ENROL_NEW, ENROLLED, NOT_ENROLLED, *OUTCOMES.values())


class EnrolmentSession:
    """The new PIN, then again; a ``PinRequest`` with both; the answer spoken. ``outcome`` once done."""

    verified = False  # enrolment proves nothing about the caller: the agent's evidence did
    pin_asked = False

    def __init__(self, on_done: Callable[[str], None] | None = None, timeout_s: float = 8.0) -> None:
        self.on_done = on_done  # told the outcome as soon as it is known
        self.timeout_s = timeout_s
        self.outcome: str | None = None  # the store's answer, or "cancelled" (*, silence)
        self._entry: pins.PinEntry | None = None
        self._new: str | None = None
        self._waiting = False

    @property
    def done(self) -> bool:
        return self.outcome is not None

    def handle(self, event: Event) -> list[Action]:
        if self.done:
            return []
        if isinstance(event, Started) and self._entry is None and not self._waiting:
            return self._key(ENROL_NEW, self._first)
        if isinstance(event, Digit | InputTimeout) and self._entry is not None:
            entry = self._entry
            if isinstance(event, Digit) and entry.add(event.key):
                return [entry.collect()]
            self._entry = None
            return entry.done(entry.value() if isinstance(event, Digit) else None)
        if isinstance(event, PinAnswer) and self._waiting:
            self._waiting = False
            self._end("enrolled" if event.outcome == "verified" else event.outcome)
            return [Play((OUTCOMES.get(event.outcome, pins.SORRY),))]
        return []

    def _end(self, outcome: str) -> None:
        self.outcome = outcome
        if self.on_done is not None:
            self.on_done(outcome)

    def _key(self, prompt: PromptSpec, done: Callable[[str | None], list[Action]]) -> list[Action]:
        self._entry = pins.PinEntry((prompt,), done, self.timeout_s)
        return self._entry.start()

    def _first(self, pin: str | None) -> list[Action]:
        if pin is None:
            return self._cancel()
        self._new = pin
        return self._key(pins.CHANGE_REPEAT, self._second)

    def _second(self, again: str | None) -> list[Action]:
        if again is None or self._new is None:
            return self._cancel()
        self._waiting = True
        return [PinRequest("", self._new, again)]

    def _cancel(self) -> list[Action]:
        self._end("cancelled")
        return [Play((NOT_ENROLLED,))]
