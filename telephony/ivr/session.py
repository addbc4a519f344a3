"""The IVR interpreter: a pure state machine from call events to media actions (no I/O, no clock).

One ``IvrSession`` per call leg. The worker calls ``handle(event)`` and carries out the returned
actions (see ``actions`` for their batch semantics). Every input is accepted: invalid or malformed
keys lead to the retry prompt and, after the limit, to the menu's ``on_exhausted`` step; a caller
who keeps moving between menus is sent to the flow's fallback after ``max_steps`` menu visits, so
every call ends in ``Enqueue``, ``Transfer`` or ``Hangup``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from integrations.bills.port import Bill
from integrations.certificates.port import CertificateReceipt
from kernel.calendar import WorkCalendar, to_seoul
from kernel.centers import WeeklyHours
from telephony.ivr import model as m
from telephony.ivr import phrases
from telephony.ivr import pin as pins
from telephony.ivr.actions import (
    Action,
    CollectDigits,
    ContinueCase,
    Enqueue,
    Hangup,
    Phrase,
    PinRequest,
    Play,
    PromptPart,
    RecordingNoticeHeard,
    ScheduleCallback,
    SelfService,
    Terminal,
    Transfer,
)
from telephony.ivr.events import Digit, Event, InputTimeout, PinAnswer, PortResult, Started
from telephony.ivr.phrases import QueueWait

_SORRY = m.PromptSpec("죄송합니다. 지금은 조회할 수 없습니다.")
_NOT_FOUND = m.PromptSpec("조회된 내역이 없습니다.")


class CenterStatus(Enum):
    OPEN = "open"
    CLOSED = "closed"
    HOLIDAY = "holiday"


@dataclass(frozen=True)
class CallContext:
    """What the control process knows when the IVR starts (looked up before, never during, the session).

    ``waits`` holds the ACD's estimate per skill of this center. ``entry_step`` and
    ``notice_heard`` are set for a call transferred in from another center's flow, and so are ``verified``
    and ``pin_asked`` once the caller keyed their PIN (or was asked for it) in an earlier flow.

    ``trusted_caller``: the number came from a configured trunk (the edge's ``X-Sori-Trusted-Caller``), so
    self-service may look the caller up by it. ``pin_enrolled``: exactly one citizen has the number, and they
    enrolled a PIN: the PIN is asked before an agent and before personal self-service of an untrusted number.
    """

    center: str
    dialled: str
    caller: str | None = None
    caller_area_code: str | None = None
    open_case: str | None = None
    status: CenterStatus = CenterStatus.OPEN
    waits: Mapping[str, QueueWait] = field(default_factory=dict)
    notice_heard: bool = False
    entry_step: str | None = None
    trusted_caller: bool = False
    pin_enrolled: bool = False
    verified: bool = False
    pin_asked: bool = False


@dataclass
class _Question:
    """A pending DTMF question: its prompt, the keys it accepts and what each answer does."""

    prompt: tuple[PromptPart, ...]
    answers: Mapping[str, Callable[[], list[Action]]]
    on_exhausted: Callable[[], list[Action]]
    max_retries: int
    timeout_s: float
    retries: int = 0


class IvrSession:
    """Walks one flow for one call. ``handle`` never raises on any event sequence."""

    def __init__(self, flow: m.Flow, context: CallContext) -> None:
        self.flow = flow
        self.context = context
        self.notice_heard = context.notice_heard
        self.outcome: Terminal | None = None
        self._started = False
        self._question: _Question | None = None
        self._self_service: m.SelfServiceStep | None = None
        self._visits = 0
        self._case: str | None = None  # set once the caller chose to continue their open case
        self.verified = context.verified  # the caller keyed their PIN right in this call
        self.pin_asked = context.pin_asked or context.verified
        self._entry: pins.PinEntry | None = None  # a PIN being keyed
        self._pin_answer: Callable[[str], list[Action]] | None = None  # waiting for the store's PinAnswer

    @property
    def done(self) -> bool:
        return self.outcome is not None

    def handle(self, event: Event) -> list[Action]:
        """The actions for ``event``; events the session is not waiting for are ignored (empty list)."""
        if self.done:
            return []
        if isinstance(event, Started):
            if self._started:
                return []
            self._started = True
            return self._finish(self._begin())
        if isinstance(event, Digit | InputTimeout) and self._entry is not None:
            return self._finish(self._pin_key(event))
        if isinstance(event, PinAnswer) and self._pin_answer is not None:
            answer, self._pin_answer = self._pin_answer, None
            return self._finish(answer(event.outcome))
        if isinstance(event, Digit) and self._question is not None:
            return self._finish(self._answer(event.key))
        if isinstance(event, InputTimeout) and self._question is not None:
            return self._finish(self._retry(self.flow.retry.timeout))
        if isinstance(event, PortResult) and self._self_service is not None:
            step, self._self_service = self._self_service, None
            return self._finish(self._port_result(step, event))
        return []

    # --- bookkeeping --------------------------------------------------------------------------------------

    def _finish(self, actions: list[Action]) -> list[Action]:
        last = actions[-1] if actions else None
        if isinstance(last, Enqueue | Transfer | Hangup):
            self.outcome = last
            self._question = self._entry = None
        for action in actions:
            if isinstance(action, RecordingNoticeHeard):
                self.notice_heard = True
        return actions

    def _ask(self, question: _Question, before: tuple[PromptPart, ...] = ()) -> list[Action]:
        self._question = question
        return [Play(before + question.prompt), CollectDigits(1, question.timeout_s)]

    def _answer(self, key: str) -> list[Action]:
        question = self._question
        assert question is not None
        handler = question.answers.get(key) if isinstance(key, str) else None
        if handler is None:
            return self._retry(self.flow.retry.invalid)
        self._question = None
        return handler()

    def _retry(self, why: m.PromptSpec) -> list[Action]:
        question = self._question
        assert question is not None
        if question.retries >= question.max_retries:
            self._question = None
            return question.on_exhausted()
        question.retries += 1
        return self._ask(question, (why,))

    def _exhausted(self, target: str) -> Callable[[], list[Action]]:
        return lambda: [Play((self.flow.retry.exhausted,)), *self._enter(target)]

    # --- call start: hours, recording notice, open case ---------------------------------------------------

    def _begin(self) -> list[Action]:
        ctx, flow = self.context, self.flow
        if flow.kind is m.FlowKind.SHARED:
            return self._enter(ctx.entry_step or flow.start)
        if ctx.status is not CenterStatus.OPEN and flow.hours is not None:
            return self._closed(flow.hours)
        actions: list[Action] = []
        if not self.notice_heard and flow.recording_notice is not None:
            actions += [Play((flow.recording_notice,), barge_in=False), RecordingNoticeHeard()]
        if ctx.open_case and flow.continue_case is not None:
            return actions + self._offer_continue(ctx.open_case, flow.continue_case)
        return actions + self._enter(ctx.entry_step or flow.start)

    def _closed(self, hours: m.HoursPolicy) -> list[Action]:
        message = hours.holiday if self.context.status is CenterStatus.HOLIDAY else hours.closed
        goodbye: list[Action] = [Play((hours.goodbye,)), Hangup(self.context.status.value)]
        if not (hours.offer_callback and hours.callback_offer and hours.callback_confirmed):
            return [Play((message,)), *goodbye]
        confirmed = hours.callback_confirmed
        callback = ScheduleCallback(self.context.center, hours.callback_skill, "closed", self.context.open_case)
        question = _Question(
            (hours.callback_offer,),
            {"1": lambda: [callback, Play((confirmed,)), Hangup("callback-scheduled")], "2": lambda: goodbye},
            lambda: goodbye,
            self.flow.retry.max_retries,
            self.flow.retry.timeout_s,
        )
        return self._ask(question, (message,))

    def _offer_continue(self, case_number: str, policy: m.ContinueCasePolicy) -> list[Action]:
        def continue_case() -> list[Action]:
            self._case = case_number
            queue = m.QueueStep("continue-case", policy.skill, policy.priority)
            return [ContinueCase(case_number), *self._queue(queue)]

        def new_case() -> list[Action]:
            return self._enter(self.context.entry_step or self.flow.start)

        question = _Question(
            (policy.intro, Phrase(phrases.open_case(case_number)), policy.prompt),
            {"1": continue_case, "2": new_case},
            new_case,
            self.flow.retry.max_retries,
            self.flow.retry.timeout_s,
        )
        return self._ask(question)

    # --- steps --------------------------------------------------------------------------------------------

    def _enter(self, step_id: str) -> list[Action]:
        step = self.flow.steps.get(step_id)
        if step is None:  # validated flows never get here; a bad entry_step still ends politely
            step = self.flow.steps[self.flow.fallback]
        if isinstance(step, m.MenuStep | m.RegionStep):
            self._visits += 1
            if self._visits > self.flow.max_steps and step_id != self.flow.fallback:
                return [Play((self.flow.retry.exhausted,)), *self._enter(self.flow.fallback)]
        if isinstance(step, m.MenuStep):
            answers = {c.key: self._goto(c.target) for c in step.choices}
            return self._ask(
                _Question((step.prompt,), answers, self._exhausted(step.on_exhausted), step.max_retries, step.timeout_s)
            )
        if isinstance(step, m.RegionStep):
            return self._region(step)
        if isinstance(step, m.MessageStep):
            return [Play((step.prompt,)), *self._enter(step.next)]
        if isinstance(step, m.QueueStep):
            return self._queue(step)
        if isinstance(step, m.SelfServiceStep):
            return self._start_self_service(step)
        if isinstance(step, m.PinChangeStep):
            return self._change_pin(step)
        if isinstance(step, m.TransferStep):
            before: list[Action] = [Play((step.prompt,))] if step.prompt else []
            return [*before, self._transfer(step.center, step.to_step, step.queue)]
        return [Play((step.prompt,)), Hangup(step.reason)]

    def _goto(self, step_id: str) -> Callable[[], list[Action]]:
        return lambda: self._enter(step_id)

    def _transfer(self, center: str, step: str | None = None, queue: str | None = None) -> Transfer:
        return Transfer(center, step, queue, self._case, self.notice_heard)

    def _transfer_to(self, center: str) -> Callable[[], list[Action]]:
        return lambda: [self._transfer(center)]

    def _region(self, step: m.RegionStep) -> list[Action]:
        area = self.context.caller_area_code
        if area is not None and area in step.areas:
            return [self._transfer(step.areas[area])]
        answers = {c.key: self._transfer_to(c.target) for c in step.choices}
        return self._ask(
            _Question((step.prompt,), answers, self._exhausted(step.on_exhausted), step.max_retries, step.timeout_s)
        )

    def _queue(self, step: m.QueueStep) -> list[Action]:
        if self.context.pin_enrolled and not self.pin_asked:  # the agent's contact may start verified
            return self._ask_pin(lambda _verified: self._queue_now(step))
        return self._queue_now(step)

    def _queue_now(self, step: m.QueueStep) -> list[Action]:
        enqueue = Enqueue(self.context.center, step.skill, step.priority, self._case)
        wait = self.context.waits.get(step.skill)
        parts: list[PromptPart] = [step.prompt] if step.prompt else []
        if wait is not None and step.announce_wait:
            parts.append(Phrase(phrases.queue_wait(wait)))
        policy = self.flow.wait
        if wait is None or policy is None or not step.offer_callback or wait.seconds <= policy.callback_threshold_s:
            return [Play(tuple(parts)), enqueue] if parts else [enqueue]
        callback = ScheduleCallback(self.context.center, step.skill, "long-wait", self._case)
        confirmed = policy.confirmed
        question = _Question(
            (policy.offer,),
            {"1": lambda: [callback, Play((confirmed,)), Hangup("callback-scheduled")], "2": lambda: [enqueue]},
            lambda: [enqueue],
            self.flow.retry.max_retries,
            self.flow.retry.timeout_s,
        )
        return self._ask(question, tuple(parts))

    def _start_self_service(self, step: m.SelfServiceStep) -> list[Action]:
        if self.context.caller is None:  # withheld number: nobody to look up
            return self._port_result(step, PortResult(error="caller number withheld"))
        if not (self.context.trusted_caller or self.verified):  # a number anyone can spoof: PIN first
            if self.context.pin_enrolled and not self.pin_asked:
                return self._ask_pin(lambda ok: self._start_self_service(step) if ok else self._untrusted(step))
            return self._untrusted(step)
        self._self_service = step
        before: list[Action] = [Play((step.prompt,))] if step.prompt else []
        return [*before, SelfService(step.kind, step.item, self.context.caller)]

    def _port_result(self, step: m.SelfServiceStep, result: PortResult) -> list[Action]:
        value = result.value
        if result.error is not None:
            return [Play((step.failure or _SORRY,)), *self._enter(step.on_failure)]
        if value is None:
            return [Play((step.not_found or _NOT_FOUND,)), *self._enter(step.next)]
        if step.kind == "bill-inquiry" and isinstance(value, Bill):
            text = phrases.bill_statement(value.kind, value.amount_won, value.due)
        elif step.kind == "certificate-reissue" and isinstance(value, CertificateReceipt):
            text = phrases.certificate_receipt(value.kind, value.receipt_number)
        else:  # the port answered with the wrong kind of result: treat it as a failure
            return [Play((step.failure or _SORRY,)), *self._enter(step.on_failure)]
        return [Play((Phrase(text),)), *self._enter(step.next)]

    def _untrusted(self, step: m.SelfServiceStep) -> list[Action]:
        return [Play((pins.NOT_TRUSTED,)), *self._enter(step.on_failure)]

    # --- the caller's PIN ---------------------------------------------------------------------------------

    def _key_pin(self, prompt: m.PromptSpec, done: Callable[[str | None], list[Action]],
                 before: tuple[PromptPart, ...] = ()) -> list[Action]:  # fmt: skip
        self._entry = pins.PinEntry((prompt,), done, self.flow.retry.timeout_s)
        return self._entry.start(before)

    def _pin_key(self, event: Digit | InputTimeout) -> list[Action]:
        entry = self._entry
        assert entry is not None
        if isinstance(event, Digit) and entry.add(event.key):
            return [entry.collect()]
        self._entry = None  # before ``done``, which may start the next entry
        return entry.done(entry.value() if isinstance(event, Digit) else None)

    def _ask_pin(self, then: Callable[[bool], list[Action]], tries: int = 1,
                 before: tuple[PromptPart, ...] = ()) -> list[Action]:  # fmt: skip
        """Ask the PIN; ``then(True)`` once it is right, ``then(False)`` for *, silence, locked or wrong twice."""
        self.pin_asked = True

        def entered(digits: str | None) -> list[Action]:
            if digits is None:
                return then(False)
            self._pin_answer = answered
            return [PinRequest(digits)]

        def answered(outcome: str) -> list[Action]:
            if outcome == "verified":
                self.verified = True
                return then(True)
            if outcome == "wrong" and tries < pins.TRIES_PER_CALL:
                return self._ask_pin(then, tries + 1, (pins.WRONG,))
            said = {"wrong": pins.WRONG, "locked": pins.LOCKED}.get(outcome, pins.SORRY)
            return [Play((said,)), *then(False)]

        return self._key_pin(pins.ASK, entered, before)

    def _change_pin(self, step: m.PinChangeStep) -> list[Action]:
        """The current PIN, the new one twice, then the store's answer; * or silence at any point: unchanged."""
        if self.context.caller is None or not self.context.pin_enrolled:
            return [Play((pins.NO_PIN,)), *self._enter(step.next)]

        def unchanged() -> list[Action]:
            return [Play((pins.NOT_CHANGED,)), *self._enter(step.next)]

        def answered(outcome: str) -> list[Action]:
            if outcome == "verified":  # the current PIN was right: the caller is who they say
                self.verified = True
            return [Play((pins.CHANGE_OUTCOMES.get(outcome, pins.SORRY),)), *self._enter(step.next)]

        def current(now: str | None) -> list[Action]:
            def new(pin: str | None) -> list[Action]:
                def repeated(again: str | None) -> list[Action]:
                    if again is None:
                        return unchanged()
                    self._pin_answer = answered
                    return [PinRequest(now or "", pin, again)]

                return unchanged() if pin is None else self._key_pin(pins.CHANGE_REPEAT, repeated)

            return unchanged() if now is None else self._key_pin(pins.CHANGE_NEW, new)

        return self._key_pin(step.prompt or pins.CHANGE_CURRENT, current)


def center_status(hours: WeeklyHours, moment: dt.datetime, calendar: WorkCalendar) -> CenterStatus:
    """Open, closed, or closed for a public holiday, at ``moment`` (aware), for the session's context."""
    if hours.is_open(moment, calendar):
        return CenterStatus.OPEN
    if calendar.is_holiday(to_seoul(moment).date()):
        return CenterStatus.HOLIDAY
    return CenterStatus.CLOSED
