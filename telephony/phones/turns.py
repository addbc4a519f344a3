"""Turn-taking for a simulated agent: speak the next reply only once the caller has finished speaking.

The simulated caller (SIPp) cannot hear: it streams a fixed track, its utterances separated by silences
long enough for the agent's reply (``telephony.sim.plan.Conversation``). Neither side knows when the other
started (the caller streams from the moment it pressed the agent key; the agent from the bridge, after
queueing and ringing), so fixed tracks on both sides would overlap by that unknown offset. The agent
therefore listens: ``TurnTaker`` is fed the level of what the caller sends (the 0–255 signal level the
conference bridge keeps for the call's port, polled every few tens of milliseconds) and answers with the
next reply when the caller has spoken and then been quiet for ``END_OF_TURN_S``. While a reply plays it
does not listen, and after the last reply it stays silent. Whatever the offset, the agent speaks only in
the caller's silences, and each caller silence is longer than the reply that fills it: the two never talk
over each other.

Pure: no pjsua2, no clock of its own (the caller passes ``now``), so a unit test drives it frame by frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

#: Bridge level (0 silence … 255) from which a frame counts as speech. Measured on the bundled clips played
#: into the bridge: room noise stays below 5, speech mostly 15–38; at 10 no pause inside a sentence is
#: longer than 0.25 s.
SPEECH_LEVEL = 10
#: Quiet after speech that ends the caller's turn; the clips' pauses inside a sentence are under 0.5 s.
END_OF_TURN_S = 1.0
#: How often the softphone reads the caller's level.
POLL_S = 0.05
#: Kept quiet after a reply's last sample before listening again (jitter, the bridge's buffers).
AFTER_REPLY_S = 0.3


@dataclass
class TurnTaker:
    """Which reply to play when; ``replies`` holds each reply's length in seconds, in the order spoken."""

    replies: Sequence[float]
    speech_level: int = SPEECH_LEVEL
    end_of_turn_s: float = END_OF_TURN_S
    spoken: int = 0  # replies started so far
    _heard_at: float | None = field(default=None, repr=False)  # the caller's last speech frame this turn
    _quiet_from: float = field(default=float("-inf"), repr=False)  # listening again from then

    @property
    def done(self) -> bool:
        return self.spoken >= len(self.replies)

    def hear(self, now: float, level: int) -> int | None:
        """The caller's level at ``now`` (seconds, any monotonic origin); the index of the reply to start
        now, or None to keep listening."""
        if self.done or now < self._quiet_from:
            return None
        if level >= self.speech_level:
            self._heard_at = now
            return None
        if self._heard_at is None or now - self._heard_at < self.end_of_turn_s:
            return None
        reply = self.spoken
        self.spoken += 1
        self._heard_at = None
        self._quiet_from = now + self.replies[reply] + AFTER_REPLY_S
        return reply
