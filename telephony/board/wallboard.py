"""The supervisors' wallboard, pure part: a scope's snapshot (one center, an institution's centers, or all) built
from the board's ``CenterState``s, with the measures of ``telephony.acd.kpi`` (never recomputed here) and alerts.

The snapshot is plain JSON-able data: the push stream sends it as it is and the Dash page draws it. It holds ids,
logins, states, reason codes and figures only: no caller, not even masked (the abandoned-call list, with masked
numbers, comes from the history store on the page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crm.door.tally import WAIT_EDGES_S, CallTally
from telephony.acd.kpi import SlVariant, tally_abandonment_rate, tally_aht, tally_asa, tally_service_level
from telephony.board.model import AgentFigures, CenterState, QueueState

STATE_LABELS = {"ready": "대기", "ringing": "연결 중", "on-call": "통화", "wrap-up": "후처리", "not-ready": "이석",
                "logged-out": "로그아웃"}  # fmt: skip
REASON_LABELS = {
    "break": "휴식", "meal": "식사", "lunch": "점심", "training": "교육", "meeting": "회의", "coaching": "코칭",
    "after-call": "후처리", "outbound": "발신 업무", "system": "시스템", "no-answer": "무응답",
    "dial-failed": "발신 실패", "restart": "재시작", "login": "로그인", "other": "기타", "supervisor": "관리자 변경",
}  # fmt: skip
#: How long an agent may stay in a state before the wallboard warns (seconds); states not listed never warn.
DEFAULT_STATE_LIMITS_S = {"not-ready": 900.0, "wrap-up": 180.0, "on-call": 1200.0, "ringing": 30.0}


class BadThreshold(ValueError):
    """A queue's service-level threshold that the tallies cannot answer (not one of ``WAIT_EDGES_S``)."""


@dataclass(frozen=True)
class WallboardSettings:
    """Thresholds of the wallboard. ``thresholds_s``: per queue ("CENTER/skill") or per skill, else
    ``threshold_s`` (20 s); each must be one of ``crm.calls.tally.WAIT_EDGES_S``."""

    threshold_s: int = 20
    thresholds_s: Mapping[str, int] = field(default_factory=dict)
    sl_target: float = 0.8
    sl_alert_variant: SlVariant = SlVariant.SHORT_ABANDONS_EXCLUDED
    wait_limit_s: float = 60.0  # a caller waiting longer raises an alert
    state_limits_s: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_STATE_LIMITS_S))
    callback_overdue_s: float = 1800.0  # a due callback not placed for this long is overdue

    def __post_init__(self) -> None:
        for value in (self.threshold_s, *self.thresholds_s.values()):
            if value not in WAIT_EDGES_S:
                raise BadThreshold(f"service-level threshold {value} s: use one of {WAIT_EDGES_S}")

    def threshold(self, center: str, skill: str) -> int:
        return self.thresholds_s.get(f"{center}/{skill}", self.thresholds_s.get(skill, self.threshold_s))


@dataclass(frozen=True)
class DueCallback:
    """A callback waiting to be placed (``skill`` None: the center's default queue)."""

    center: str
    skill: str | None
    due_at: dt.datetime


def clock_text(seconds: float) -> str:
    """``mm:ss`` (``h:mm:ss`` past an hour)."""
    s = int(max(0.0, seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60:02d}:{s % 60:02d}"


def state_text(state: str, reason: str | None) -> str:
    label = STATE_LABELS.get(state, state)
    if reason and state == "not-ready":
        return f"{label} ({REASON_LABELS.get(reason, reason)})"
    return label


def _measures(t: CallTally, threshold_s: int) -> dict[str, Any]:
    return {
        "threshold_s": threshold_s,
        "offered": t.offered, "answered": t.answered, "abandoned": t.abandoned, "handled": t.handled,
        "service_level": {v.value: tally_service_level(t, threshold_s, v) for v in SlVariant},
        "asa_s": tally_asa(t), "aht_s": tally_aht(t), "abandon_rate": tally_abandonment_rate(t),
    }  # fmt: skip


def _staffing(agents: Iterable[AgentFigures]) -> dict[str, Any]:
    counts = {"ready": 0, "ringing": 0, "on-call": 0, "wrap-up": 0, "not-ready": 0}
    reasons: dict[str, int] = {}
    for a in agents:
        if a.state in counts:
            counts[a.state] += 1
        if a.state == "not-ready":
            reasons[a.reason or "none"] = reasons.get(a.reason or "none", 0) + 1
    return {**counts, "not_ready_by_reason": dict(sorted(reasons.items()))}


def _callbacks(due: Sequence[DueCallback], now: dt.datetime, overdue_s: float) -> dict[str, int]:
    ready = [c for c in due if c.due_at <= now]
    return {"due": len(ready), "overdue": sum(1 for c in ready if (now - c.due_at).total_seconds() > overdue_s)}


def _queue(q: QueueState, agents: Sequence[AgentFigures], skills: Mapping[int, Collection[str]],
           due: Sequence[DueCallback], default_skill: str, settings: WallboardSettings, now: dt.datetime,
           ) -> dict[str, Any]:  # fmt: skip
    staff = [a for a in agents if a.agent_id not in skills or q.skill in skills[a.agent_id]]
    mine = [c for c in due if (c.skill or default_skill) == q.skill]
    return {
        "center": q.center, "skill": q.skill, "waiting": q.waiting, "longest_wait_s": round(q.longest_wait_s, 1),
        "agents": _staffing(staff), **_measures(q.calls, settings.threshold(q.center, q.skill)),
        "callbacks": _callbacks(mine, now, settings.callback_overdue_s),
        "overflow_in": q.today.overflow_in, "overflow_out": q.today.overflow_out,
    }  # fmt: skip


def _agent(a: AgentFigures, login: str | None, settings: WallboardSettings) -> dict[str, Any]:
    limit = settings.state_limits_s.get(a.state)
    return {
        "agent_id": a.agent_id, "login": login or f"#{a.agent_id}", "center": a.center, "state": a.state,
        "reason": a.reason, "state_text": state_text(a.state, a.reason), "since": a.since.isoformat(),
        "in_state_s": round(a.in_state_s, 1), "handled": a.calls.handled or a.handled, "aht_s": tally_aht(a.calls),
        "talk_s": round(a.talk_s, 1), "hold_s": round(a.hold_s, 1), "idle_s": round(a.states.in_state("ready"), 1),
        "too_long": limit is not None and a.in_state_s > limit,
    }  # fmt: skip


def alerts(queues: Sequence[dict[str, Any]], agents: Sequence[dict[str, Any]],
           settings: WallboardSettings) -> list[dict[str, Any]]:  # fmt: skip
    """Korean alerts: service level under target, a wait over its limit, an agent too long in one state."""
    out: list[dict[str, Any]] = []
    for q in queues:
        name = f"{q['center']} {q['skill']}"
        sl = q["service_level"][settings.sl_alert_variant.value]
        if sl is not None and sl < settings.sl_target:
            out.append({"kind": "service-level", "level": "danger", "center": q["center"], "skill": q["skill"],
                        "message": f"{name} 서비스 수준 {sl:.0%} — 목표 {settings.sl_target:.0%} 미만"})  # fmt: skip
        if q["waiting"] and q["longest_wait_s"] > settings.wait_limit_s:
            out.append({"kind": "wait", "level": "danger", "center": q["center"], "skill": q["skill"],
                        "message": f"{name} 최장 대기 {clock_text(q['longest_wait_s'])} — "
                                   f"기준 {settings.wait_limit_s:g}초 초과"})  # fmt: skip
    for a in agents:
        if a["too_long"]:
            limit = settings.state_limits_s[a["state"]]
            out.append({"kind": "agent-state", "level": "warning", "center": a["center"], "login": a["login"],
                        "message": f"{a['login']} {a['state_text']} {clock_text(a['in_state_s'])} 지속 — "
                                   f"기준 {clock_text(limit)} 초과"})  # fmt: skip
    return out


def snapshot(
    scope: str,
    states: Sequence[CenterState],
    now: dt.datetime,
    *,
    settings: WallboardSettings | None = None,
    logins: Mapping[int, str] | None = None,
    skills: Mapping[int, Collection[str]] | None = None,
    callbacks: Sequence[DueCallback] = (),
    default_skill: str = "general",
    every_agent: bool = True,
) -> dict[str, Any]:
    """The wallboard of ``scope`` (a label, e.g. ``center:ACRC110``) over the centers' states. ``every_agent``
    False (the views of many centers): only the agents in alert are listed, each center's staffing still counted."""
    settings = settings or WallboardSettings()
    logins, skills = logins or {}, skills or {}
    queues: list[dict[str, Any]] = []
    agents: list[dict[str, Any]] = []
    total = CallTally()
    for state in states:
        due = [c for c in callbacks if c.center == state.center]
        queues += [_queue(q, state.agents, skills, due, default_skill, settings, now) for q in state.queues]
        listed = [_agent(a, logins.get(a.agent_id), settings) for a in state.agents if a.state != "logged-out"]
        agents += listed if every_agent else [a for a in listed if a["too_long"]]
        for q in state.queues:
            total = total + q.calls
    centers = [s.center for s in states]
    every = [a for s in states for a in s.agents]
    return {
        "scope": scope, "at": now.isoformat(), "centers": centers,
        "totals": {
            "waiting": sum(q["waiting"] for q in queues),
            "longest_wait_s": max((q["longest_wait_s"] for q in queues), default=0.0),
            "agents": _staffing(every), **_measures(total, settings.threshold_s),
            "callbacks": _callbacks([c for c in callbacks if c.center in centers], now, settings.callback_overdue_s),
        },
        "queues": queues, "agents": agents, "every_agent": every_agent, "alerts": alerts(queues, agents, settings),
    }  # fmt: skip
