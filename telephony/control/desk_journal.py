"""The desk's journal: what it records of every call an ACD queue handled and of every agent state change.

The ACD hands over a call's record when it is done with it (``CallFinished``: wrapped up, or abandoned); the desk
adds what only it knows (the kind of call, the centers, the agent's id, the transfer, the disposition, the
contact), keeps the row (:class:`CallRecords`, on the database pool) and tells CTI subscribers (``call-finished``:
the board counts these). A call with a contact is written first with the contact's end, in the same unit of
work (``AgentDesk.ended(call=...)``), and completed here; the writes of one call are chained so that they
reach the database in order. Agents' state changes are written on their own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from twisted.internet import defer

from crm.door.calls import AgentStateChange, CallKind, FinishedCall, reason_code
from telephony.acd import AgentStateChanged, CallRecord
from telephony.board.calls import finished_data
from telephony.control.desk_core import DeskCore
from telephony.control.desk_model import Conversation, held_for
from telephony.cti.bus import CtiKind

log = logging.getLogger("sori.desk")


class CallRecords(Protocol):
    """Where the desk keeps its records (blocking: called on the database pool)."""

    def call_finished(self, call: FinishedCall, caller_digits: str | None = None) -> None: ...

    def agent_state_changed(self, change: AgentStateChange) -> None: ...


@dataclass
class CallFacts:
    """What the desk learns of one ACD call while it lasts."""

    kind: CallKind
    queue_center: str
    queue_skill: str
    enqueued_at: dt.datetime
    sip_call_id: str | None
    dialled_center: str | None
    overflowed: bool = False
    agent_id: int | None = None
    answered_center: str | None = None
    answered_at: dt.datetime | None = None
    transferred_to: str | None = None
    disposition: str | None = None
    interaction_id: int | None = None
    caller_digits: str | None = None  # kept only for an abandoned inbound call's record (a callback); never published


class JournalRoom(DeskCore):
    # -- notes taken as the call goes -----------------------------------------------------------------
    def _note_arrival(self, acd_id: str, kind: CallKind, conv: Conversation, at: dt.datetime) -> None:
        queue = conv.consult_queue if kind is CallKind.CONSULT and conv.consult_queue else conv.queue
        self.facts[acd_id] = CallFacts(kind, queue.center, queue.skill, at, conv.caller.sip_call_id or None,
                                       conv.caller.center or None, caller_digits=conv.caller.phone)  # fmt: skip

    def _note_answer(self, acd_id: str, login: str, at: dt.datetime) -> None:
        facts, agent = self.facts.get(acd_id), self.agents.get(login)
        if facts is not None:
            facts.answered_at = at
            if agent is not None:
                facts.agent_id, facts.answered_center = agent.agent_id, agent.center

    def _note_transfer(self, acd_id: str, to: str) -> None:
        self._note(acd_id, transferred_to=to)

    def _note(self, acd_id: str, **values: Any) -> None:
        facts = self.facts.get(acd_id)
        if facts is not None:
            for name, value in values.items():
                setattr(facts, name, value)

    # -- the record --------------------------------------------------------------------------------------
    def _record_of(self, acd_id: str, record: CallRecord | None, ended_at: dt.datetime | None) -> FinishedCall | None:
        facts = self.facts.get(acd_id)
        if facts is None:
            return None
        # The desk's enqueue time keys the row (both writes of a call carry it); the ACD's other times are final.
        times: dict[str, Any] = {"answered_at": facts.answered_at, "ended_at": ended_at}
        if record is not None:
            times = {"answered_at": record.answered_at, "ended_at": record.ended_at,
                     "wrapup_ended_at": record.wrapup_ended_at, "abandoned_at": record.abandoned_at,
                     "hold_seconds": record.hold_seconds}  # fmt: skip
        return FinishedCall(
            acd_id, facts.kind, facts.queue_center, facts.queue_skill, facts.enqueued_at,
            sip_call_id=facts.sip_call_id, dialled_center=facts.dialled_center,
            answered_center=facts.answered_center, agent_id=facts.agent_id, overflowed=facts.overflowed,
            transferred_to=facts.transferred_to, disposition=facts.disposition or ("abandoned" if record is not None
            and record.abandoned else None), interaction_id=facts.interaction_id, **times,
        )  # fmt: skip

    def _contact_record(self, conv: Conversation) -> FinishedCall | None:
        """The call as known when its contact ends (written with the contact), or None when not journaling."""
        if self.records is None:
            return None
        now = self.clock()
        call = self._record_of(conv.acd_id, None, now)
        return call if call is None else dataclasses.replace(call, hold_seconds=held_for(conv, now))

    def _call_finished(self, record: CallRecord) -> None:
        """The ACD is done with a call: keep its record and tell the board."""
        call = self._record_of(record.call_id, record, None)
        facts = self.facts.pop(record.call_id, None)
        if call is None or facts is None:
            return
        if self.events is not None:
            self.events.publish(CtiKind.CALL_FINISHED, call.queue_center, call.sip_call_id, call.agent_id,
                                **finished_data(call))  # fmt: skip
        if self.records is not None:
            digits = facts.caller_digits if call.kind is CallKind.INBOUND and call.abandoned else None
            d = self._write(call.call_id, self.records.call_finished, call, *((digits,) if digits else ()))
            d.addErrback(lambda f: log.error("call record %s not written: %s", call.call_id, f.getErrorMessage()))

    def _write(self, acd_id: str, function: Any, *args: Any, **kw: Any) -> defer.Deferred[Any]:
        """Run ``function`` on the database pool after the previous write of this call's record."""
        before = self.writes.get(acd_id)
        if before is None:
            d = self.db(function, *args, **kw)
        else:
            d = defer.Deferred()
            before.addBoth(lambda _: self.db(function, *args, **kw).chainDeferred(d))
        tail: defer.Deferred[None] = defer.Deferred()
        self.writes[acd_id] = tail

        def done(result: Any) -> Any:
            if self.writes.get(acd_id) is tail:
                del self.writes[acd_id]
            tail.callback(None)
            return result

        d.addBoth(done)
        return d

    def _agent_changed(self, event: AgentStateChanged) -> None:
        agent = self.agents.get(event.agent_id)
        reason = reason_code(event.reason)
        if self.events is not None:
            data: dict[str, Any] = {"previous": event.previous.value, "state": event.state.value}
            if reason is not None:
                data["reason"] = reason
            self.events.publish(CtiKind.AGENT_STATE_CHANGED, agent.center if agent else None, None,
                                agent.agent_id if agent else None, **data)  # fmt: skip
        if self.records is not None and agent is not None:
            change = AgentStateChange(agent.agent_id, agent.center, self.clock(), event.state.value,
                                      event.previous.value, reason)  # fmt: skip
            d = self.db(self.records.agent_state_changed, change)
            d.addErrback(lambda f: log.error("agent state change not written: %s", f.getErrorMessage()))
