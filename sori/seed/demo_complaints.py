"""The demo's 신문고 inbox: a few dozen complaints for each demo center, received over the last twenty days so
some are past their 처리기한, a few claimed, answered or closed.

Titles come from the 국민신문고 국민제안 titles in ``../shared/data`` (the petitions' own titles when that
file is absent); bodies are 청와대 petitions from the bundled CC0 sample (``PETITIONS.md``), masked by the
analytics PII masker before they are stored, since they are real citizens' words. Idempotent: nothing is
added once the first demo complaint exists. Fast (well under 2 s): a few hundred rows in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import random
from pathlib import Path

from crm.agents.model import Agent
from crm.cases import complaints, inbox
from crm.citizens.phone import normalize_phone
from crm.ports import UnitOfWork
from kernel.actor import Actor, Role
from sori.seed.petitions import BUNDLED_SAMPLE, shared_data_dir
from sori.wiring import System, mask_complaint_text

TITLES_FILE = "sinmungo_proposal_titles_2020_1000.csv"
PER_CENTER = 30
BODY_CHARS = 1500
ANSWER = "검토 결과를 안내드립니다. 말씀하신 내용은 관련 부서에 전달하였으며, 처리 결과는 문자로 알려 드리겠습니다."


def demo_sinmungo_id(center: str, index: int) -> str:
    return f"DEMO-{center}-{index:03d}"


def read_titles(folder: Path | None = None) -> list[str]:
    path = (folder or shared_data_dir()) / TITLES_FILE
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [row["TITLE"].strip() for row in csv.DictReader(handle) if row.get("TITLE", "").strip()]


def read_petitions(count: int) -> list[tuple[str, str]]:
    """(title, text) of the first ``count`` petitions of the bundled sample that have text."""
    found: list[tuple[str, str]] = []
    with gzip.open(BUNDLED_SAMPLE, "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            text = str(row.get("content") or "").strip()
            if text:
                found.append((str(row.get("title") or "").strip(), text))
            if len(found) >= count:
                break
    return found


def seed_demo_complaints(system: System, logins: list[str], demo_phones: list[str]) -> int:
    """``PER_CENTER`` complaints for each center of the demo agents ``logins``; some of the demo citizens
    (``demo_phones``) are their authors. Returns how many were added."""
    rng = random.Random(2026)
    now = system.clock()
    deps = system.api_deps()
    with system.uow() as uow:
        workers: dict[str, list[Agent]] = {}
        for login in logins:
            agent = uow.agents.by_login(login)
            if agent is not None and agent.role in (Role.AGENT, Role.SUPERVISOR):
                workers.setdefault(agent.center_code, []).append(agent)
        centers = sorted(workers)
        if not centers or uow.complaints.by_sinmungo_id(demo_sinmungo_id(centers[0], 1)) is not None:
            return 0
        petitions = read_petitions(PER_CENTER * len(centers))
        titles = read_titles() or [title for title, _ in petitions]
        citizen_ids = [c.id for phone in demo_phones for c in uow.citizens.by_phone(normalize_phone(phone).digits)]
        seeder = Actor.system("seed")
        created = 0
        for center in centers:
            for index in range(1, PER_CENTER + 1):
                title, text = petitions[created % len(petitions)]
                received = now - dt.timedelta(days=rng.uniform(0, 20))
                complaint = complaints.record_complaint(
                    uow,
                    seeder,
                    sinmungo_id=demo_sinmungo_id(center, index),
                    received_at=received,
                    title=rng.choice(titles)[:300] if titles else title[:300],
                    citizen_id=rng.choice(citizen_ids) if citizen_ids and rng.random() < 0.5 else None,
                    assigned_center=center,
                    body=mask_complaint_text(text[:BODY_CHARS]),
                    masker=deps.complaint_masker,
                    calendar=deps.calendar,
                    due_days=deps.complaint_due_days,
                    now=received,
                )
                created += 1
                _work(uow, rng, complaint.id, workers[center], received, now)
        uow.commit()
    return created


def _work(
    uow: UnitOfWork,
    rng: random.Random,
    complaint_id: int | None,
    staff: list[Agent],
    received: dt.datetime,
    now: dt.datetime,
) -> None:
    """Some complaints are being worked: claimed (about 45%), answered (25%), closed (10%)."""
    roll = rng.random()
    agent = rng.choice([a for a in staff if a.role is Role.AGENT] or staff)
    if roll > 0.45 or complaint_id is None:
        return
    actor = Actor(center_code=agent.center_code, role=agent.role, login=agent.login, agent_id=agent.id)
    at = min(received + dt.timedelta(hours=rng.uniform(1, 20)), now)
    inbox.claim(uow, actor, at, complaint_id)
    if roll < 0.25:
        inbox.answer(uow, actor, min(at + dt.timedelta(hours=2), now), complaint_id, ANSWER)
    if roll < 0.1:
        inbox.close(uow, actor, min(at + dt.timedelta(hours=3), now), complaint_id)
