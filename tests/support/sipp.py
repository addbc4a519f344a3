"""The SIPp scenario builder lives with the simulator (``telephony.sim.sipp``); tests import it from here too."""

from telephony.sim.sipp import (
    AWAIT_BYE,
    BYE,
    DTMF,
    answering_phone,
    bye_with_cause,
    invite,
    key,
    pause,
    scenario,
    stream,
)

__all__ = [
    "AWAIT_BYE",
    "BYE",
    "DTMF",
    "answering_phone",
    "bye_with_cause",
    "invite",
    "key",
    "pause",
    "scenario",
    "stream",
]
