"""The desk's vocabulary: the caller, agent legs and conversations it keeps, its settings and errors, what it
needs of the media pool and the clock, and the ``User-to-User`` header that carries a case out of the platform.

Every room of the desk (:mod:`telephony.control.desk`, which re-exports these names) speaks this vocabulary.
"""

from __future__ import annotations

import binascii
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from twisted.internet import defer

from crm.door.calls import Channel
from kernel.errors import Conflict, DomainError
from telephony.acd import QueueKey
from telephony.acd.records import CallRecord

DbRunner = Callable[..., defer.Deferred[Any]]
PromptFiles = Callable[[Any], defer.Deferred[Path]]

#: Q.850 causes of a call the caller (or agent) ended on purpose; any other cause is a drop.
NORMAL_CAUSES = frozenset({16, 17, 18, 19, 21, 31})


class MediaControl(Protocol):
    """What the desk needs of the media pool."""

    def command(self, worker_id: str, command: type[Any], **arguments: Any) -> defer.Deferred[dict[str, Any]]: ...

    def worker_free_slots(self, worker_id: str) -> int: ...

    def worker_with_slots(self, slots: int) -> str | None: ...


class Scheduler(Protocol):
    def callLater(self, delay: float, f: Callable[..., Any], *args: Any, **kw: Any) -> Any: ...


class NotOnCall(Conflict):
    code = "not-on-call"


class NoMediaCapacity(DomainError):
    code = "no-media-capacity"


class TransferInProgress(Conflict):
    """At most one transfer per call is in flight: a second request while the first is handed off is refused."""

    code = "transfer-in-progress"


@dataclass
class Caller:
    """The caller side of a conversation, as the switchboard hands it over."""

    worker_id: str
    call_ref: str
    sip_call_id: str
    center: str
    phone: str | None  # national digits, for the contact record
    citizen_id: int | None
    notice_heard: bool
    case_number: str | None = None
    handoff_id: int | None = None
    recording: Path | None = None  # the call's recording, when the switchboard already records it
    pin_verified_citizen: int | None = None  # the citizen whose PIN the caller keyed right in the IVR
    phone_masked: str | None = None  # the number as an agent may see it (010-****-5678)


@dataclass
class AgentLeg:
    call_ref: str
    login: str
    kind: str  # "talk" | "consult" | "callback-agent"
    answered: bool = False
    timer: Any = None
    released: bool = False  # hung up by the desk on purpose (transfer, cancel): its end ends nothing else


@dataclass
class Conversation:
    caller: Caller
    acd_id: str
    queue: QueueKey
    queued_at: dt.datetime
    channel: Channel = Channel.INBOUND_CALL
    agent: AgentLeg | None = None
    answered_at: dt.datetime | None = None
    interaction_id: int | None = None
    recording: Path | None = None
    held: bool = False
    consult: AgentLeg | None = None
    consult_acd_id: str | None = None
    consult_queue: QueueKey | None = None
    caller_answered: bool = True  # False for a callback until the citizen picks up
    callback_id: str | None = None
    ended: bool = False
    summary: str | None = None  # the hand-off summary the answering agent gets
    transferring: bool = False  # a transfer's hand-off is being written: no second transfer, no hold
    caller_timer: Any = None  # a callback's ring timeout for the citizen's phone
    announced_at: dt.datetime | None = None  # the last position announcement (or the queueing)
    held_since: dt.datetime | None = None  # on hold (music, or waiting while the agent consults) since
    hold_seconds: float = 0.0  # time on hold with the current agent, before ``held_since``


@dataclass
class DeskSettings:
    edge_host: str
    edge_port: int
    recordings_dir: Path
    ring_timeout_s: float = 20.0
    callback_ring_timeout_s: float = 30.0
    tick_s: float = 1.0
    announce_every_s: float = 45.0  # waiting callers hear their position and expected wait this often
    callback_delay_s: float = 60.0
    default_skill: str = "general"
    # Named outside destinations for blind transfers (name → sip:/sips:/tel: URI); nothing else is dialled.
    external_destinations: Mapping[str, str] = field(default_factory=dict)
    # Ask the agents' phones to answer by themselves (RFC 5373 ``Answer-Mode: Auto`` and the widespread
    # ``Call-Info: …;answer-after=0``); phones that do not know either simply ring.
    auto_answer: bool = False


@dataclass
class Stats:
    """What happened on the desk since start: for the dashboards until the KPI store lands."""

    records: list[CallRecord] = field(default_factory=list)

    def add(self, record: CallRecord) -> None:
        self.records.append(record)
        del self.records[:-5000]


def uui(case_number: str) -> str:
    """A ``User-to-User`` header value (RFC 7433): the case id, hex-encoded, for systems outside Sori.

    Only the case number leaves the platform: the summary may hold personal data and stays in the case.
    """
    payload = f"sori-case={case_number}"
    data = binascii.hexlify(payload.encode("utf-8")).decode("ascii")
    return f"{data};encoding=hex;purpose=call-transfer;content=sori-case"


def held_for(conv: Conversation, now: dt.datetime) -> float:
    """Seconds the caller spent on hold with the current agent, the running hold included."""
    running = (now - conv.held_since).total_seconds() if conv.held_since is not None else 0.0
    return conv.hold_seconds + running


def cancel_timer(timer: Any) -> None:
    if timer is not None and timer.active():
        timer.cancel()
