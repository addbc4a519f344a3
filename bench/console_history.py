"""A caller's history for the console benchmarks: a citizen on record for a number, with contacts at two centers
(notes and wrap-up codes), cases opened and continued, a tool use and a hand-off — through the case store's
domain services (``crm.cases``), as the desk and the agents' API would have written them, dated in the past.

Used by ``bench.console_screen_pop`` (a few items per caller) and ``bench.console_page_load`` (50 items).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from crm.cases import contacts, services
from crm.cases.model import Channel, Disposition
from crm.cases.tool_uses import Outcome, Tool, record_tool_use
from crm.citizens.services import register_citizen
from kernel.actor import Actor, Role
from sori.wiring import System

NOTES = ("여권 재발급 절차 안내", "종합소득세 신고 기한 문의", "전입신고 서류 안내", "주차 과태료 이의신청 방법 안내",
         "건강보험료 분납 문의", "민원 처리 상황 확인")  # fmt: skip


@dataclass(frozen=True)
class Seeded:
    """What was written for one caller: the citizen and how many timeline items the screen-pop will show."""

    citizen_id: int
    phone: str
    contacts: int
    handoffs: int
    tool_uses: int

    @property
    def items(self) -> int:
        return self.contacts + self.handoffs + self.tool_uses


def agent_actor(system: System, login: str) -> Actor:
    with system.uow(readonly=True) as uow:
        agent = uow.agents.by_login(login)
    assert agent is not None and agent.id is not None, login
    return Actor(center_code=agent.center_code, role=Role(str(agent.role)), login=agent.login, agent_id=agent.id)


def seed_history(system: System, phone: str, actors: list[Actor], contacts_count: int, name: str = "홍길동",
                 handoff: bool = True, tool_use: bool = True,
                 days_ago: float = 1) -> Seeded:  # fmt: skip
    """A citizen for ``phone`` with ``contacts_count`` past calls spread over ``actors`` (agents of different
    centers, in turn), one hour apart and ending ``days_ago`` days ago (older than the continuity policy's week:
    no case is offered for continuation, so the IVR asks nothing about one); the first call at each center opens a
    case, later ones continue it; the first call also uses a tool; then (``handoff``) the first actor's case is
    handed off to the second actor's center. Timeline items: contacts + tool use + hand-off."""
    now = system.clock()
    start = now - dt.timedelta(days=days_ago, hours=contacts_count + 1)
    with system.uow() as uow:
        citizen = register_citizen(uow, Actor.system("bench"), start, system.rrn_key, name=name, phones=[phone])
        uow.commit()
        citizen_id = citizen.id
    assert citizen_id is not None
    cases: dict[str, str] = {}
    tools = 0
    for n in range(contacts_count):
        actor = actors[n % len(actors)]
        center = actor.center_code
        assert center is not None
        at = start + dt.timedelta(hours=n)
        with system.uow() as uow:
            interaction, _, _ = contacts.start_interaction(
                uow, actor, at, system.policy, channel=Channel.INBOUND_CALL, center_code=center, phone=phone,
                citizen_id=citizen_id, sip_call_id=f"bench-{citizen_id}-{n}@edge", queued_at=at,
                agent_id=actor.agent_id)  # fmt: skip
            assert interaction.id is not None
            if center in cases:
                services.continue_case(uow, actor, at, interaction_id=interaction.id, number=cases[center],
                                       policy=system.policy)  # fmt: skip
            else:
                case = services.open_case(uow, actor, at, citizen_id=citizen_id, center_code=center,
                                          channel=Channel.INBOUND_CALL, summary=NOTES[n % len(NOTES)],
                                          interaction_id=interaction.id)  # fmt: skip
                cases[center] = case.number
            if tool_use and n == 0:
                record_tool_use(uow, actor, at, interaction_id=interaction.id, tool=Tool.CERTIFICATES,
                                action="reissue", summary="주민등록표 등본 재발급", outcome=Outcome.OK)  # fmt: skip
                tools += 1
            contacts.end_interaction(uow, actor, at + dt.timedelta(minutes=5), system.policy,
                                     interaction_id=interaction.id, disposition=Disposition.ANSWERED,
                                     talk_seconds=60 + 7 * n)  # fmt: skip
            contacts.wrap_up(uow, actor, at + dt.timedelta(minutes=6), interaction_id=interaction.id,
                             notes=f"{NOTES[n % len(NOTES)]} ({n + 1}번째 상담)", wrap_up_code="informed")  # fmt: skip
            uow.commit()
    handoffs = 0
    if handoff and len(actors) > 1 and actors[0].center_code in cases:
        first, second = actors[0], actors[1]
        assert first.center_code is not None and second.center_code is not None
        with system.uow() as uow:
            services.hand_off(uow, first, start + dt.timedelta(hours=contacts_count), system.calendar, system.policy,
                              number=cases[first.center_code], to_center=second.center_code, reason="transfer",
                              summary="관할 기관 확인 필요: 이관합니다.")  # fmt: skip
            uow.commit()
        handoffs = 1
    return Seeded(citizen_id, phone, contacts_count, handoffs, tools)
