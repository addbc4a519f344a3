"""After-call work modes, the words a center's configuration uses for its ``WrapUp``.

``timed``: wrap-up for ``seconds``, then ready by itself; ``agent-ended``: wrap-up until the agent ends it
(the ``seconds`` only inform the console); ``none``: straight back to ready when the call ends.
"""

from __future__ import annotations

from typing import Literal, get_args

from kernel.errors import ValidationFailed
from telephony.acd.model import WrapUp

AfterCallMode = Literal["timed", "agent-ended", "none"]
AFTER_CALL_MODES: tuple[str, ...] = get_args(AfterCallMode)


def wrap_up_for(mode: str, seconds: float) -> WrapUp:
    """The ``WrapUp`` a queue gets for a center's after-call ``mode``."""
    if mode not in AFTER_CALL_MODES:
        raise ValidationFailed(f"after-call mode {mode!r}: use one of {', '.join(AFTER_CALL_MODES)}")
    if seconds < 0:
        raise ValidationFailed(f"after-call seconds must not be negative (got {seconds:g})")
    if mode == "none":
        return WrapUp(0.0, auto_ready=True)
    if mode == "timed" and seconds <= 0:
        return WrapUp(0.0, auto_ready=True)  # a zero-second timer is no wrap-up at all
    return WrapUp(float(seconds), auto_ready=mode == "timed")


def mode_of(wrapup: WrapUp) -> AfterCallMode:
    """The after-call mode a ``WrapUp`` implements."""
    if not wrapup.auto_ready:
        return "agent-ended"
    return "timed" if wrapup.seconds > 0 else "none"
