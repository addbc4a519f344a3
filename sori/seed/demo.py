"""The demo seed: all 156 centers, demo logins, and demo citizens with cases across centers.

Idempotent: centers are upserted, agents created once, and the demo citizens are
added only if the first of them is not there yet. Every demo person is fictional.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from crm.agents.model import Agent
from crm.api.auth import hash_password
from crm.cases import contacts, services
from crm.cases.model import Channel, Disposition
from crm.cases.status import CaseStatus
from crm.centers.catalog import RowError, parse_centers
from crm.centers.services import ImportReport, import_centers
from crm.citizens import services as citizens
from crm.citizens.phone import normalize_phone
from kernel.actor import Actor, Role
from kernel.centers import Center
from sori.seed.demo_complaints import seed_demo_complaints
from sori.seed.demo_history import seed_demo_history
from sori.seed.demo_phones import assign_demo_sip_passwords, write_demo_sip_passwords
from sori.wiring import System

CENTERS_FILE = Path(__file__).with_name("centers.csv")
DEMO_PASSWORD = "sori-demo-2026"
GIVEN_NAMES = ["민준", "서연", "도윤", "지우", "하은", "예준"]

# (login, center, role, display name, skills)
DEMO_AGENTS = [
    ("admin", "ACRC110", Role.ADMIN, "관리자", {}),
    ("analyst", "ACRC110", Role.ANALYST, "분석관 한지민", {}),
    ("acrc.sup", "ACRC110", Role.SUPERVISOR, "감독자 오세훈", {"general": 5}),
    ("acrc.kim", "ACRC110", Role.AGENT, "상담사 김민지", {"general": 4, "civil-petition": 3}),
    ("acrc.lee", "ACRC110", Role.AGENT, "상담사 이준호", {"general": 3, "welfare": 2}),
    ("seoul.park", "SEOUL120", Role.AGENT, "상담사 박서연", {"general": 4, "traffic": 3, "living": 3}),
    ("seoul.sup", "SEOUL120", Role.SUPERVISOR, "감독자 최영수", {"general": 5}),
    ("nts.choi", "NTS126", Role.AGENT, "상담사 최하늘", {"general": 4, "tax-income": 5, "tax-vat": 5}),
    ("moel.jung", "MOEL1350", Role.AGENT, "상담사 정다은", {"general": 4, "labor": 4, "employment-insurance": 3}),
    ("mohw.han", "MOHW129", Role.AGENT, "상담사 한지우", {"general": 4, "welfare": 5}),
    ("gg.yoon", "GYEONGGI120", Role.AGENT, "상담사 윤도현", {"general": 3}),
]

TOPICS = [
    ("세금", "NTS126", "종합소득세 신고 기한과 납부 방법 문의"),
    ("세금", "NTS126", "연말정산 부양가족 공제 요건 문의"),
    ("노동", "MOEL1350", "실업급여 수급 자격과 신청 절차 문의"),
    ("노동", "MOEL1350", "임금체불 진정 접수 방법 문의"),
    ("복지", "MOHW129", "기초연금 수급 자격 확인 요청"),
    ("복지", "MOHW129", "긴급복지 생계지원 신청 문의"),
    ("행정", "ACRC110", "주민등록등본 발급 방법 문의"),
    ("행정", "ACRC110", "여권 재발급 구비서류 문의"),
    ("교통", "SEOUL120", "버스 노선 변경 민원"),
    ("교통", "SEOUL120", "불법 주정차 신고 처리 결과 문의"),
    ("환경", "GYEONGGI120", "층간소음 분쟁 상담 요청"),
    ("민원", "ACRC110", "국민신문고 민원 처리 지연 문의"),
]


@dataclass
class SeedReport:
    centers: ImportReport
    center_errors: list[RowError]
    agents_created: int
    citizens_created: int
    cases_created: int


def read_centers_file(path: Path) -> tuple[list[Center], list[RowError]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return parse_centers(csv.DictReader(handle))


def seed_centers(system: System, path: Path = CENTERS_FILE) -> tuple[ImportReport, list[RowError]]:
    centers, errors = read_centers_file(path)
    with system.uow() as uow:
        report = import_centers(uow, centers)
        uow.commit()
    return report, errors


def seed_demo(system: System) -> SeedReport:
    centers, errors = seed_centers(system)
    agents = _seed_agents(system)
    citizens_created, cases_created = _seed_citizens(system)
    seed_demo_complaints(system, [row[0] for row in DEMO_AGENTS], [demo_phone(i) for i in range(40)])
    seed_demo_history(system)  # weeks of call records and agent states for the supervisors' history
    return SeedReport(centers, errors, agents, citizens_created, cases_created)


def _seed_agents(system: System) -> int:
    """Demo logins; agents' phones get random SIP passwords of their own (stored only as digest HA1; the
    demo's phones read them from a 0600 file, see :mod:`sori.seed.demo_phones`)."""
    created = 0
    password = hash_password(DEMO_PASSWORD)
    realm = system.settings.edge.realm
    with system.uow() as uow:
        agents = []
        for login, center, role, name, skills in DEMO_AGENTS:
            agent = uow.agents.by_login(login)
            if agent is None:
                agent = Agent(center_code=center, login=login, display_name=name, role=role, skills=skills,
                              password_hash=password, created_at=system.clock())  # fmt: skip
                uow.agents.add(agent)
                created += 1
            agents.append(agent)
        sip = assign_demo_sip_passwords(agents, realm, system.settings.state_dir, legacy=DEMO_PASSWORD)
        uow.commit()
    write_demo_sip_passwords(system.settings.state_dir, sip)
    return created


def demo_phone(index: int) -> str:
    return f"010-{5000 + index // 10000:04d}-{index % 10000:04d}"


def _seed_citizens(system: System, count: int = 40) -> tuple[int, int]:
    rng = random.Random(2026)
    now = system.clock()
    with system.uow() as uow:
        if uow.citizens.by_phone(normalize_phone(demo_phone(0)).digits):
            return 0, 0
        agents = {a.login: a for a in uow.agents.list()}
        by_center: dict[str, Agent] = {}
        for agent in agents.values():
            if agent.role is Role.AGENT:
                by_center.setdefault(agent.center_code, agent)
        system_actor = Actor.system("seed")
        cases_created = 0
        for index in range(count):
            citizen = citizens.register_citizen(
                uow,
                system_actor,
                now - dt.timedelta(days=60),
                system.rrn_key,
                name=rng.choice("김이박최정강조윤장임") + rng.choice(GIVEN_NAMES),
                phones=[demo_phone(index)],
                birth_year=rng.randint(1940, 2004),
                region_sido=rng.choice(["서울특별시", "경기도", "부산광역시", "인천광역시"]),
            )
            assert citizen.id is not None
            for visit in range(rng.randint(1, 3)):
                category, center, summary = rng.choice(TOPICS)
                handler = by_center.get(center)
                if handler is None:
                    continue
                actor = Actor(center_code=center, role=handler.role, login=handler.login, agent_id=handler.id)
                when = now - dt.timedelta(days=rng.randint(0, 30), minutes=rng.randint(0, 600) + visit)
                interaction, _, _ = contacts.start_interaction(
                    uow,
                    actor,
                    when,
                    system.policy,
                    channel=Channel.INBOUND_CALL,
                    center_code=center,
                    citizen_id=citizen.id,
                    sip_call_id=f"demo-{index}-{visit}@sori.local",
                    queued_at=when - dt.timedelta(seconds=rng.randint(3, 90)),
                )
                assert interaction.id is not None
                case = services.open_case(
                    uow,
                    actor,
                    when,
                    citizen_id=citizen.id,
                    center_code=center,
                    channel=Channel.INBOUND_CALL,
                    category=category,
                    summary=summary,
                    interaction_id=interaction.id,
                )
                cases_created += 1
                end = when + dt.timedelta(seconds=rng.randint(60, 600))
                contacts.end_interaction(
                    uow,
                    actor,
                    end,
                    system.policy,
                    interaction_id=interaction.id,
                    disposition=Disposition.ANSWERED,
                    talk_seconds=int((end - when).total_seconds()),
                )
                contacts.wrap_up(
                    uow,
                    actor,
                    end + dt.timedelta(seconds=30),
                    interaction_id=interaction.id,
                    notes=f"{summary}. 안내 완료.",
                    wrap_up_code=rng.choice(("informed", "informed", "resolved", "callback-needed")),
                )
                if rng.random() < 0.5:
                    services.change_status(
                        uow,
                        actor,
                        end,
                        number=case.number,
                        target=CaseStatus.RESOLVED,
                        reason="안내 완료",
                        expected_version=None,
                    )
        uow.commit()
    return count, cases_created
