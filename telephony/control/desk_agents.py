"""The desk's agents room: an agent's state (log in, ready, not ready with a reason, log out), the agents the
desk knows, and the views agents and supervisors read (an agent and their call, the queues, expected waits).

Called from the HTTP API through the reactor, and from the switchboard for the IVR's announcements.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from crm.door.calls import AgentRecord
from kernel.errors import DomainError, ValidationFailed
from telephony.acd import AgentState, QueueKey, mode_of
from telephony.control.desk_core import DeskCore
from telephony.ivr.phrases import QueueWait


class AgentsRoom(DeskCore):
    def set_agents(self, agents: list[AgentRecord]) -> None:
        """Agents added, changed or deactivated since start (an agent on a call keeps their record until then)."""
        fresh = {a.login: a for a in agents}
        busy = {c.agent.login for c in self.by_acd.values() if c.agent is not None}
        self.agents = {**{k: v for k, v in self.agents.items() if k in busy}, **fresh}

    def agent_state(self, login: str, state: str, reason: str | None = None) -> dict[str, Any]:
        """Log in, ready, not ready (with a reason), wrap-up done or log out; returns the agent's state."""
        agent = self.agents.get(login)
        if agent is None:
            raise ValidationFailed(f"{login} takes no calls (not an active agent known to telephony)")
        now = self.clock()
        try:
            current = self.acd.agent(login).state
        except DomainError:
            current = AgentState.LOGGED_OUT
        if state == "logged-out":
            events = self.acd.agent_logout(login, now)
        else:
            events = []
            if current is AgentState.LOGGED_OUT:
                skills = agent.skills or {self.settings.default_skill: 1}
                events += self.acd.agent_login(login, agent.center, skills, now)
            if state == "ready":
                events += self.acd.agent_ready(login, now)
            elif state == "not-ready":
                events += self.acd.agent_not_ready(login, reason or "break", now)
            else:
                raise ValidationFailed(f"state '{state}': use ready, not-ready or logged-out")
        self._handle(events)
        return self.agent_view(login)

    def set_agent_skills(self, login: str, skills: dict[str, int]) -> None:
        """A supervisor moved ``login`` between queues: their skills from now (and at their next login)."""
        agent = self.agents.get(login)
        if agent is None:
            raise ValidationFailed(f"{login} takes no calls (not an active agent known to telephony)")
        try:
            logged_in = self.acd.agent(login).state is not AgentState.LOGGED_OUT
        except DomainError:
            logged_in = False
        events = self.acd.agent_skills(login, skills, self.clock()) if logged_in else []
        self.agents[login] = dataclasses.replace(agent, skills=dict(skills))
        self._handle(events)

    def agent_view(self, login: str) -> dict[str, Any]:
        try:
            agent = self.acd.agent(login)
        except DomainError:
            return {"login": login, "state": AgentState.LOGGED_OUT.value, "reason": None, "call": None}
        conv = self._conversation_of(login)
        return {
            "login": login,
            "center": agent.center,
            "state": agent.state.value,
            "reason": agent.reason,
            "wrapup_until": agent.wrapup_until.isoformat() if agent.wrapup_until else None,
            "after_call_mode": self.after_call_mode(agent.center),
            "call": self._call_view(conv) if conv is not None else None,
        }

    def offered_caller(self, login: str) -> dict[str, Any] | None:
        """The caller whose call rings at ``login``'s phone now (a call or a consultation the desk offered them,
        not yet answered): ids and the masked number only, for the console's screen-pop while it rings. Safe
        to call from another thread: it reads a snapshot of the conversations."""
        for conv in list(self.by_acd.values()):
            leg = conv.agent if conv.agent is not None and conv.agent.login == login else None
            if leg is None and conv.consult is not None and conv.consult.login == login:
                leg = conv.consult
            if leg is None or leg.answered or conv.ended:
                continue
            return {"call_id": conv.caller.sip_call_id, "center": conv.queue.center, "queue": conv.queue.skill,
                    "citizen_id": conv.caller.citizen_id, "case_number": conv.caller.case_number,
                    "caller": conv.caller.phone_masked}  # fmt: skip
        return None

    def after_call_mode(self, center: str) -> str | None:
        """The center's after-call work mode (timed, agent-ended or none), as its general queue has it."""
        configs = [q for q in self.acd.queues() if q.key.center == center]
        config = next((q for q in configs if q.key.skill == self.settings.default_skill), None)
        config = config or (configs[0] if configs else None)
        return mode_of(config.wrapup) if config is not None else None

    def agents_view(self, centers: set[str] | None) -> list[dict[str, Any]]:
        return [self.agent_view(a.agent_id) for a in self.acd.agents() if centers is None or a.center in centers]

    def queues_view(self, centers: set[str] | None) -> list[dict[str, Any]]:
        out = []
        for config in self.acd.queues():
            key = config.key
            if centers is not None and key.center not in centers:
                continue
            positions = self.acd.positions(key)
            _, ewt = self.acd.forecast(key)
            abandons = self.acd.abandons(key)
            out.append(
                {
                    "center": key.center,
                    "skill": key.skill,
                    "waiting": len(positions),
                    "expected_wait_s": ewt,
                    "abandoned": abandons.short + abandons.long,
                    "positions": [
                        {"call_id": self._sip_id(p.call_id), "position": p.position, "ewt_s": p.ewt_seconds}
                        for p in positions
                    ],
                }
            )
        return out

    def forecast(self, center: str, skill: str) -> tuple[int, int | None] | None:
        try:
            return self.acd.forecast(QueueKey(center, skill))
        except DomainError:
            return None

    def waits(self, center: str) -> dict[str, QueueWait]:
        """Per skill of ``center``: callers ahead and expected wait, for the IVR's announcement and callback offer.

        A queue nobody staffs gets a wait of an hour, so the IVR offers a callback instead of silence.
        """
        out: dict[str, QueueWait] = {}
        for config in self.acd.queues():
            if config.key.center == center:
                ahead, seconds = self.acd.forecast(config.key)
                out[config.key.skill] = QueueWait(ahead, seconds if seconds is not None else 3600)
        return out
