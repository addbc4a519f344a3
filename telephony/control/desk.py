"""The desk: where queued callers meet agents.

It joins the pure ACD (:mod:`telephony.acd`) to the media workers, the agents' phones and the case store, on the
reactor thread:

* a caller the IVR puts in a queue waits on hold music while the ACD looks for an agent;
* an offer rings the agent's phone, with the case in ``X-Sori-Case`` and ``User-to-User`` (RFC 7433); no answer
  within the ring timeout gives the call back to the queue;
* on answer the two legs are bridged, the recording starts if the caller heard the recording notice, and the
  agent's contact starts in the case store, continuing the caller's case when there is one;
* transfers: blind (to another center's queue or menu, or outside the platform by REFER) and warm (the caller
  waits on hold while the agent consults the receiving agent, a third leg in the same worker); the case and the
  sender's summary go with the caller (a hand-off);
* a call that ends with a drop (the worker died, or ``Reason: Q.850`` says the line failed) ends the contact as
  dropped: the continuity rules schedule a callback, which the ACD places as an outbound call when an agent is
  free (the agent's phone first, then the citizen's, through the edge's PSTN gateway);
* every call the ACD is done with and every agent state change is recorded and published (``call-finished``,
  ``agent-state-changed``): the board (:mod:`telephony.board`) keeps its figures from those events.

Slot budget per worker (pjsua2 allows 4 calls): the edge admits 2 callers per worker, each may add an agent leg;
a warm transfer's consult leg needs a free slot and is refused (clear error) without one.

One room per concern, each readable alone: :mod:`.desk_calls` (offers, answers, ends), :mod:`.desk_decisions`
(the ACD's clock and decisions), :mod:`.desk_media` (hold, recording, media commands), :mod:`.desk_transfers`,
:mod:`.desk_callbacks`, :mod:`.desk_agents` (agents' states and the views) and :mod:`.desk_journal` (records);
their common ground is :mod:`.desk_core` and their vocabulary :mod:`.desk_model` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Callable

from crm.door.calls import AgentRecord, CallbackTask
from telephony.control.desk_agents import AgentsRoom
from telephony.control.desk_decisions import DecisionsRoom
from telephony.control.desk_model import (
    Caller,
    Conversation,
    DeskSettings,
    NoMediaCapacity,
    NotOnCall,
    TransferInProgress,
    uui,
)
from telephony.control.desk_transfers import TransfersRoom


class Desk(DecisionsRoom, TransfersRoom, AgentsRoom):
    """The desk's façade: built once, started with the agents and pending callbacks, stopped at shutdown.

    Its public operations come from the rooms: ``enqueue``, ``caller_gone``, ``leg_state``, ``playback_done``,
    ``worker_lost``, ``ivr_callback`` (the switchboard); ``agent_state``, ``hold``, ``hangup``, ``transfer``,
    ``complete_transfer``, ``cancel_transfer`` (agents, through the HTTP API); ``agent_view``, ``agents_view``,
    ``queues_view``, ``forecast``, ``waits`` (views).
    """

    def start(self, agents: list[AgentRecord], pending: list[CallbackTask]) -> None:
        self.agents = {a.login: a for a in agents}
        now = self.clock()
        for task in pending:
            self._schedule_callback(task, now)
        self._schedule_tick()

    def stop(self) -> None:
        if self._tick is not None and self._tick.active():
            self._tick.cancel()
        self._tick = None

    def on_transfer_to_menu(self, resume: Callable[[Caller, str, str | None], None]) -> None:
        """How a blind transfer to another center's menu hands the caller back to the switchboard."""
        self._resume = resume


__all__ = [
    "Caller",
    "Conversation",
    "Desk",
    "DeskSettings",
    "NoMediaCapacity",
    "NotOnCall",
    "TransferInProgress",
    "uui",
]
