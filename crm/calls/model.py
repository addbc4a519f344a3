"""The records of the call desk: one row per call an ACD queue handled, one per agent state change.

They hold ids, centers, queues, times and outcomes only: no phone number, no citizen, no free text. A call is
written twice when it has a contact: at the end of the conversation, in the contact's own unit of work, and again
when the ACD is done with it (after wrap-up); :meth:`FinishedCall.merged` says what the second write keeps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from dataclasses import dataclass


class CallKind(enum.StrEnum):
    INBOUND = "inbound"  # a caller who entered a queue (from the IVR, or sent there by a blind transfer)
    CONSULT = "consult"  # a warm transfer's consultation, which becomes the caller's call once completed
    CALLBACK = "callback"  # an outbound call back to a citizen


@dataclass(frozen=True)
class FinishedCall:
    """One call of one ACD queue: answered (and wrapped up), abandoned, or handed on by a transfer.

    ``call_id`` is the ACD's id of the call; ``sip_call_id`` the SIP Call-ID the CTI events name it by.
    ``dialled_center`` is the center the caller came through (its number or its menu), ``answered_center`` the
    answering agent's: they differ from the queue's center on an overflow. ``overflowed``: the call became
    eligible at a partner center (whoever answered it).
    """

    call_id: str
    kind: CallKind
    queue_center: str
    queue_skill: str
    enqueued_at: dt.datetime
    sip_call_id: str | None = None
    dialled_center: str | None = None
    answered_center: str | None = None
    agent_id: int | None = None
    answered_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    wrapup_ended_at: dt.datetime | None = None
    abandoned_at: dt.datetime | None = None
    hold_seconds: float = 0.0
    overflowed: bool = False
    transferred_to: str | None = None  # "center/queue", "center" (its menu) or "external:<name>"
    disposition: str | None = None
    interaction_id: int | None = None

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def abandoned(self) -> bool:
        return self.abandoned_at is not None

    @property
    def complete(self) -> bool:
        """The ACD is done with it: wrapped up or abandoned (its times are final)."""
        return self.wrapup_ended_at is not None or self.abandoned_at is not None

    @property
    def wait_seconds(self) -> float:
        left = self.answered_at or self.abandoned_at
        return (left - self.enqueued_at).total_seconds() if left else 0.0

    @property
    def talk_seconds(self) -> float:
        if self.answered_at is None or self.ended_at is None:
            return 0.0
        return max(0.0, (self.ended_at - self.answered_at).total_seconds() - self.hold_seconds)

    @property
    def overflow(self) -> bool:
        """Answered at another center than the queue's (a partner took it)."""
        return self.answered_center is not None and self.answered_center != self.queue_center

    def merged(self, newer: FinishedCall) -> FinishedCall:
        """This row updated by a later write of the same call: facts the newer write knows win; the times stay
        those of the complete write (the ACD's) once there is one."""
        times = ("enqueued_at", "answered_at", "ended_at", "wrapup_ended_at", "abandoned_at", "hold_seconds")
        keep_times = self.complete and not newer.complete
        values = {}
        for f in dataclasses.fields(self):
            mine, theirs = getattr(self, f.name), getattr(newer, f.name)
            if f.name in times:
                values[f.name] = mine if keep_times else (theirs if theirs is not None else mine)
            elif f.name == "overflowed":
                values[f.name] = mine or theirs
            else:
                values[f.name] = theirs if theirs is not None else mine
        return FinishedCall(**values)


@dataclass(frozen=True)
class AgentStateChange:
    """An agent moved to ``state`` (the ACD's states: ready, not-ready, ringing, on-call, wrap-up, logged-out)."""

    agent_id: int
    center: str
    at: dt.datetime
    state: str
    previous: str
    reason: str | None = None  # a reason code (see ``reason_code``), never free text


#: The not-ready reasons kept and published as they are; any other text an agent typed becomes ``other``.
REASON_CODES = frozenset({
    "login", "break", "meal", "lunch", "training", "meeting", "coaching", "after-call", "outbound", "system",
    "no-answer", "dial-failed", "restart",
})  # fmt: skip
_SIP_REASON = re.compile(r"^sip-[1-6][0-9]{2}$")


def reason_code(reason: str | None) -> str | None:
    """The reason as a code: a known code, ``sip-486`` for a phone that answered a SIP error, else ``other``.

    Agents may type a free reason (it stays on their own state view); only codes leave the desk.
    """
    if reason is None:
        return None
    if reason in REASON_CODES or _SIP_REASON.match(reason):
        return reason
    return "other"
