"""ACD: the automatic call distributor of every center, as pure domain code (no I/O, no clock).

Start at ``Acd`` (``distributor.py``): commands take ``now`` and return typed events and decisions
(``events.py``). Rules live in their own modules: ``routing`` (strategies, who gets which call),
``overflow`` (partner centers), ``callbacks`` (scheduled callbacks), ``hours`` (opening hours and the
next opening), ``ewt`` (expected wait), ``kpi`` (service level, ASA, AHT, abandonment, Erlang C).
"""

from telephony.acd.after_call import AFTER_CALL_MODES, AfterCallMode, mode_of, wrap_up_for
from telephony.acd.distributor import Acd
from telephony.acd.errors import (
    AcdError,
    AgentAlreadyLoggedIn,
    AgentBusy,
    AgentLoggedOut,
    AgentNotAvailable,
    CallAlreadyAnswered,
    CallNotConnected,
    CallNotOffered,
    DuplicateCall,
    DuplicateCallback,
    NaiveTime,
    UnknownAgent,
    UnknownCall,
    UnknownCallback,
    UnknownCenter,
    UnknownQueue,
)
from telephony.acd.events import (
    AgentStateChanged,
    CallAbandoned,
    CallbackCompleted,
    CallbackFailed,
    CallbackRescheduled,
    CallbackScheduled,
    CallFinished,
    CallOffered,
    CallOverflowed,
    CallQueued,
    Closed,
    Event,
    OfferCancelled,
    PlaceCallback,
    QueueChanged,
    QueuePosition,
)
from telephony.acd.model import AcdSettings, Agent, AgentState, Call, QueueConfig, QueueKey, Strategy, WrapUp
from telephony.acd.records import CallRecord
from telephony.acd.state import AbandonCounts

__all__ = [
    "AFTER_CALL_MODES",
    "AbandonCounts",
    "Acd",
    "AcdError",
    "AcdSettings",
    "AfterCallMode",
    "Agent",
    "AgentAlreadyLoggedIn",
    "AgentBusy",
    "AgentLoggedOut",
    "AgentNotAvailable",
    "AgentState",
    "AgentStateChanged",
    "Call",
    "CallAbandoned",
    "CallAlreadyAnswered",
    "CallFinished",
    "CallNotConnected",
    "CallNotOffered",
    "CallOffered",
    "CallOverflowed",
    "CallQueued",
    "CallRecord",
    "CallbackCompleted",
    "CallbackFailed",
    "CallbackRescheduled",
    "CallbackScheduled",
    "Closed",
    "DuplicateCall",
    "DuplicateCallback",
    "Event",
    "NaiveTime",
    "OfferCancelled",
    "PlaceCallback",
    "QueueChanged",
    "QueueConfig",
    "QueueKey",
    "QueuePosition",
    "Strategy",
    "UnknownAgent",
    "UnknownCall",
    "UnknownCallback",
    "UnknownCenter",
    "UnknownQueue",
    "WrapUp",
    "mode_of",
    "wrap_up_for",
]
