"""Runs one caller's IVR: turns an ``IvrSession``'s actions into media commands and call events back into
session events.

It follows the batch rules of ``telephony.ivr.actions``: a ``Play`` runs to its end before the next
action, except that a ``CollectDigits`` right after a ``Play`` is armed when the Play starts (barge-in:
the first key stops the Play) and its timeout counts from the end of the Play. Keys that arrive while
nothing is collected are dropped, as a caller pressing keys during the recording notice expects.

The media leg, the prompt files and the self-service ports come in as small protocols, so the same
runner drives a pjsua2 worker in production and an in-memory leg with a fake clock in unit tests.
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from twisted.internet import defer
from twisted.python.failure import Failure

from telephony.ivr.actions import (
    Action,
    CollectDigits,
    ContinueCase,
    Hangup,
    PinRequest,
    Play,
    PromptPart,
    RecordingNoticeHeard,
    ScheduleCallback,
    SelfService,
    Terminal,
)
from telephony.ivr.events import Digit, Event, InputTimeout, PinAnswer, PortResult, Started

log = logging.getLogger("sori.ivr")
_ids = itertools.count(1)


class Session(Protocol):
    """What the runner drives: an ``IvrSession``, or the PIN enrolment's (``telephony.ivr.enrolment``)."""

    verified: bool
    pin_asked: bool

    def handle(self, event: Event) -> list[Action]: ...


class MediaLeg(Protocol):
    """What the runner needs of the caller's leg (a worker call, or a fake in tests)."""

    def play(self, wavs: Sequence[Path], playback_id: str) -> defer.Deferred[Any]: ...
    def stop_play(self, playback_id: str) -> defer.Deferred[Any]: ...


class Scheduler(Protocol):
    """The reactor's (or ``task.Clock``'s) ``callLater``."""

    def callLater(self, delay: float, callable: Callable[..., object], *args: object) -> Any: ...


PromptFiles = Callable[[PromptPart], defer.Deferred[Path]]
SelfServicePort = Callable[[SelfService], defer.Deferred[PortResult]]
PinPort = Callable[[PinRequest], defer.Deferred[PinAnswer]]  # checks or changes the caller's PIN in the store


@dataclass
class IvrTrace:
    """What the caller went through, for the interaction record and for tests."""

    played: list[tuple[str, bool]] = field(default_factory=list)  # (text, heard to the end)
    keys: list[str] = field(default_factory=list)  # a PIN's digits as "*": never the PIN
    self_service: list[tuple[SelfService, PortResult]] = field(default_factory=list)
    notice_heard: bool = False
    continued_case: str | None = None
    callbacks: list[ScheduleCallback] = field(default_factory=list)
    pins: list[str] = field(default_factory=list)  # the store's answers to PIN requests (verified, wrong, …)
    verified: bool = False  # the caller keyed their PIN right


class IvrCall:
    """One caller's IVR run. ``done`` fires with the terminal action (or None if the caller hung up)."""

    def __init__(
        self,
        session: Session,
        leg: MediaLeg,
        prompts: PromptFiles,
        self_service: SelfServicePort,
        clock: Scheduler,
        on_notice: Callable[[], None] | None = None,
        pin: PinPort | None = None,
    ) -> None:
        self.session = session
        self.on_notice = on_notice  # the caller heard the recording notice: recording may start
        self.leg = leg
        self.prompts = prompts
        self.self_service = self_service
        self.pin = pin
        self.clock = clock
        self.trace = IvrTrace()
        self.done: defer.Deferred[Terminal | None] = defer.Deferred()
        self._pending: deque[Action] = deque()
        self._playing: tuple[str, Play] | None = None  # playback id, what it plays
        self._collect: CollectDigits | None = None
        self._timer: Any = None  # IDelayedCall (a zope interface mypy cannot call through)
        self._generation = 0  # bumps whenever the session answers an event: stale callbacks are ignored
        self._finished = False
        self.outcome: Terminal | None = None

    @property
    def finished(self) -> bool:
        return self._finished

    # -- events from the call ------------------------------------------------------------------
    def start(self) -> None:
        self._feed(Started())

    def digit(self, key: str) -> None:
        """A DTMF key arrived (RFC 2833)."""
        if self._finished or self._collect is None:
            return
        self.trace.keys.append("*" if self._collect.secret else key)
        self._collect = None
        self._cancel_timer()
        if self._playing is not None:
            playback_id, play = self._playing
            self._record_play(play, heard=False)
            self._playing = None
            self.leg.stop_play(playback_id).addErrback(self._log_failure, "stop play")
        self._feed(Digit(key))

    def playback_done(self, playback_id: str) -> None:
        if self._finished or self._playing is None or self._playing[0] != playback_id:
            return
        _, play = self._playing
        self._playing = None
        self._record_play(play, heard=True)
        if self._collect is not None:  # armed at the Play's start: its timeout counts from now
            self._arm_timer(self._collect.timeout_s)
            return
        self._run()

    def hung_up(self) -> None:
        """The caller left: nothing more is played; ``done`` fires with None."""
        self._finish(None)

    # -- carrying out actions ------------------------------------------------------------------
    def _feed(self, event: Event) -> None:
        self._generation += 1
        self._pending = deque(self.session.handle(event))
        self.trace.verified = self.session.verified
        self._run()

    def _run(self) -> None:
        while self._pending and not self._finished:
            action = self._pending.popleft()
            if isinstance(action, Play):
                if self._pending and isinstance(self._pending[0], CollectDigits):
                    self._collect = self._pending.popleft()  # type: ignore[assignment]
                self._start_play(action)
                return
            if isinstance(action, CollectDigits):
                self._collect = action
                self._arm_timer(action.timeout_s)
                return
            if isinstance(action, RecordingNoticeHeard):
                self.trace.notice_heard = True
                if self.on_notice is not None:
                    self.on_notice()
            elif isinstance(action, ContinueCase):
                self.trace.continued_case = action.case_number
            elif isinstance(action, ScheduleCallback):
                self.trace.callbacks.append(action)
            elif isinstance(action, SelfService):
                self._ask_port(action)
                return
            elif isinstance(action, PinRequest):
                self._ask_pin(action)
                return
            else:  # Enqueue, Transfer, Hangup
                self._finish(action)
                return

    def _start_play(self, play: Play) -> None:
        generation = self._generation
        playback_id = f"ivr-{next(_ids)}"
        files = defer.gatherResults([self.prompts(part) for part in play.parts], consumeErrors=True)

        def send(wavs: list[Path]) -> defer.Deferred[object] | None:
            if self._finished or generation != self._generation:
                return None
            self._playing = (playback_id, play)
            return self.leg.play(wavs, playback_id)

        files.addCallback(send)
        files.addErrback(self._play_failed, play, generation)

    def _play_failed(self, failure: Failure, play: Play, generation: int) -> None:
        # A prompt that cannot be made or played is skipped, never a dead call: the flow goes on.
        log.error("prompt failed: %s", failure.getErrorMessage(), extra={"prompt": _text(play)})
        if generation == self._generation and not self._finished:
            self._playing = None
            self._record_play(play, heard=False)
            if self._collect is not None:
                self._arm_timer(self._collect.timeout_s)
            else:
                self._run()

    def _ask_port(self, action: SelfService) -> None:
        generation = self._generation

        def answered(result: PortResult) -> None:
            if generation == self._generation and not self._finished:
                self.trace.self_service.append((action, result))
                self._feed(result)

        def failed(failure: Failure) -> None:
            answered(PortResult(error=failure.getErrorMessage()))

        self.self_service(action).addCallbacks(answered, failed)

    def _ask_pin(self, request: PinRequest) -> None:
        generation = self._generation

        def answered(answer: PinAnswer) -> None:
            if generation == self._generation and not self._finished:
                self.trace.pins.append(answer.outcome)
                self._feed(answer)

        def failed(failure: Failure) -> None:
            log.error("PIN check failed: %s", failure.getErrorMessage())
            answered(PinAnswer("error"))

        if self.pin is None:  # no store to ask: the caller goes on unverified
            answered(PinAnswer("error"))
            return
        self.pin(request).addCallbacks(answered, failed)

    def _arm_timer(self, seconds: float) -> None:
        self._cancel_timer()
        generation = self._generation

        def expired() -> None:
            self._timer = None
            if generation == self._generation and self._collect is not None and not self._finished:
                self._collect = None
                self._feed(InputTimeout())

        self._timer = self.clock.callLater(seconds, expired)

    def _cancel_timer(self) -> None:
        if self._timer is not None and self._timer.active():
            self._timer.cancel()
        self._timer = None

    def _record_play(self, play: Play, heard: bool) -> None:
        self.trace.played.append((_text(play), heard))

    def _finish(self, outcome: Terminal | None) -> None:
        if self._finished:
            return
        self._finished = True
        self.outcome = outcome
        self._cancel_timer()
        self._pending.clear()
        self.done.callback(outcome)

    @staticmethod
    def _log_failure(failure: Failure, what: str) -> None:
        log.warning("%s failed: %s", what, failure.getErrorMessage())


def _text(play: Play) -> str:
    return " ".join(part.text for part in play.parts)


__all__ = ["Hangup", "IvrCall", "IvrTrace", "MediaLeg"]
