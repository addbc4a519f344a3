"""The agent tools through the control API with the reference service: latency and calls/s at 1, 8 and 32
concurrent agents (back to back: the machine's ceiling), 32 agents each calling every 2 s (what an agent waits
in a busy hour), the time to an agent's error with the backend killed (circuit open), and search relevance.

    .venv/bin/python -m bench.agent_tools            # every tool, 1/8/32 agents, ~3 min
    .venv/bin/python -m bench.agent_tools --quick    # fewer calls, ~1 min

Each agent is a logged-in agent of 110 with an open contact (identity checked, so every tool may be used) and
its own HTTP session; a call is one request of ``sori up``'s real service tree (twisted.web, the database pool
for the checks, the tool thread pool for the external call, the use recorded on the contact in its own unit of
work) to the reference service (``sori refsvc``) over loopback HTTP. The backend-down figure kills the
reference service and times every agent's next calls: the first few wait for connection refusals, then the
breaker opens and the rest fail at once. Targets: p99 under 150 ms at 32 agents; under 100 ms with the backend
down (circuit open); recall@5 at least 0.8.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from bench.common import Latency, Stopwatch, database, emit_json, header, machine, make_system, say, workdir
from crm.agents.model import Agent
from crm.api.auth import hash_password
from crm.store import migrate
from integrations.public_services.relevance import evaluate
from kernel.actor import Role
from sori.seed.demo import seed_centers
from sori.wiring import System
from tests.support.api import RunningApi
from tests.support.contacts import connect_call
from tests.support.refsvc import start_refsvc, tool_settings

P99_TARGET_MS = 150.0
DOWN_TARGET_MS = 100.0
RECALL_TARGET = 0.8
PACE_S = 2.0  # the paced run: 32 agents, each one call every 2 s (16 calls/s)
PASSWORD = "bench-password-2026"
CENTER = "ACRC110"
QUERIES = ("어르신 틀니", "청년 월세", "한부모 양육비", "기초연금 신청", "장애인 활동지원", "임산부 교통비")


@dataclass
class AgentSession:
    login: str
    session: requests.Session
    interaction_id: int


Call = Callable[[str, AgentSession, int], requests.Response]


def tools_settings(refsvc: Any) -> dict[str, Any]:
    """The tools pointed at the reference service with the shipped timeouts and breaker (not the tests' long ones)."""
    return {
        name: {"enabled": True, "base_url": cfg["base_url"], "api_key": cfg["api_key"]}
        for name, cfg in tool_settings(refsvc).items()
    }


def seed_agents(system: System, count: int) -> list[str]:
    migrate.upgrade(system.engine)
    seed_centers(system)
    logins = [f"bench.tools.{n}" for n in range(count)]
    password = hash_password(PASSWORD)
    with system.uow() as uow:
        for login in logins:
            uow.agents.add(
                Agent(
                    center_code=CENTER,
                    login=login,
                    display_name=login,
                    role=Role.AGENT,
                    password_hash=password,
                    created_at=system.clock(),
                )
            )
        uow.commit()
    return logins


def open_sessions(api: RunningApi, logins: list[str]) -> list[AgentSession]:
    sessions = []
    for n, login in enumerate(logins):
        session = requests.Session()
        reply = session.post(api.base + "/api/v1/auth/login", json={"login": login, "password": PASSWORD}, timeout=30)
        reply.raise_for_status()
        session.headers["authorization"] = f"Bearer {reply.json()['token']}"
        phone = f"010-5000-{n % 40:04d}"  # a demo citizen the reference systems know (integrations.demo_citizens)
        iid = connect_call(api.system, login, phone)["interaction"]["id"]
        rrn = f"8001{n % 28 + 1:02d}-1234567"
        citizen = {"interaction_id": iid, "name": f"벤치{n}", "phones": [phone], "resident_number": rrn}
        session.post(f"{api.base}/api/v1/citizens", json=citizen, timeout=30).raise_for_status()
        verified = session.post(
            f"{api.base}/api/v1/interactions/{iid}/verify",
            timeout=30,
            json={"method": "resident-number", "resident_number": rrn},
        )
        verified.raise_for_status()  # the bill and certificate tools need the caller's identity checked
        sessions.append(AgentSession(login, session, iid))
    return sessions


def search(base: str, agent: AgentSession, n: int) -> requests.Response:
    params: dict[str, str | int] = {"q": QUERIES[n % len(QUERIES)], "interaction_id": agent.interaction_id}
    return agent.session.get(f"{base}/api/v1/tools/public-services", timeout=30, params=params)


def eligibility(base: str, agent: AgentSession, n: int) -> requests.Response:
    body = {"age": 60 + n % 20, "income_band": 1 + n % 5, "interaction_id": agent.interaction_id}
    return agent.session.post(f"{base}/api/v1/tools/public-services/135200000002/eligibility", json=body, timeout=30)


def notices(base: str, agent: AgentSession, n: int) -> requests.Response:
    return agent.session.get(f"{base}/api/v1/interactions/{agent.interaction_id}/tools/bills/notices", timeout=30)


PHONE_KINDS = ("tax-payment", "income-amount", "health-insurance-eligibility", "business-registration")


def issue(base: str, agent: AgentSession, n: int) -> requests.Response:
    """A reissue by post: the first of each kind on a contact is issued, a repeat is answered from its key."""
    body = {"kind": PHONE_KINDS[n % len(PHONE_KINDS)], "delivery": "post"}
    return agent.session.post(
        f"{base}/api/v1/interactions/{agent.interaction_id}/tools/certificates", json=body, timeout=30
    )


TOOLS: dict[str, Call] = {
    "public-services search": search,
    "public-services eligibility": eligibility,
    "bills notices": notices,
    "certificates issue": issue,
}


def load(base: str, agents: list[AgentSession], call: Call, per_agent: int) -> tuple[Latency, float, int]:
    """Every agent makes ``per_agent`` calls back to back; latency of each, calls/s overall, non-2xx count."""
    times: list[float] = []
    failures = [0]
    lock = threading.Lock()

    def work(agent: AgentSession) -> None:
        mine = []
        for n in range(per_agent):
            started = time.perf_counter()
            reply = call(base, agent, n)
            mine.append(time.perf_counter() - started)
            if reply.status_code >= 300:
                with lock:
                    failures[0] += 1
        with lock:
            times.extend(mine)

    clock = Stopwatch()
    threads = [threading.Thread(target=work, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Latency.of(times), len(times) / clock.seconds, failures[0]


def paced(base: str, agents: list[AgentSession], call: Call, per_agent: int, every_s: float) -> Latency:
    """Each agent calls once every ``every_s`` seconds (random phase): what an agent waits when many agents
    use tools now and then, rather than back to back."""
    times: list[float] = []
    lock = threading.Lock()

    def work(agent: AgentSession, phase: float) -> None:
        time.sleep(phase)
        start = time.perf_counter()
        for n in range(per_agent):
            started = time.perf_counter()
            call(base, agent, n)
            took = time.perf_counter() - started
            with lock:
                times.append(took)
            time.sleep(max(0.0, start + (n + 1) * every_s - time.perf_counter()))

    threads = [threading.Thread(target=work, args=(agent, random.uniform(0, every_s))) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Latency.of(times)


def backend_down(base: str, agents: list[AgentSession], per_agent: int) -> tuple[Latency, Latency, list[str]]:
    """All agents search at once with the reference service dead: every answer, and those after the first
    three per agent (the circuit open by then); the error codes seen."""
    times: list[float] = []
    later: list[float] = []
    codes: set[str] = set()
    lock = threading.Lock()

    def work(agent: AgentSession) -> None:
        for n in range(per_agent):
            started = time.perf_counter()
            reply = search(base, agent, n)
            took = time.perf_counter() - started
            with lock:
                times.append(took)
                if n >= 3:
                    later.append(took)
                codes.add(f"{reply.status_code} {reply.json().get('error')}")

    threads = [threading.Thread(target=work, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Latency.of(times), Latency.of(later), sorted(codes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    per_agent = {1: 100, 8: 40, 32: 15} if not args.quick else {1: 30, 8: 10, 32: 5}
    header(
        "Agent tools through the control API (reference service over loopback)",
        machine(),
        {"agents": list(per_agent), "calls per agent": per_agent},
    )
    figures: dict[str, Any] = {}
    with workdir("sori-bench-tools-") as work, database("sqlite", work) as db:
        refsvc = start_refsvc(work / "refsvc")
        system = make_system(db, work / "state", threads=8, tools=tools_settings(refsvc))
        logins = seed_agents(system, max(per_agent))
        api = RunningApi(system)
        try:
            sessions = open_sessions(api, logins)
            for name, call in TOOLS.items():
                for agents, calls in per_agent.items():
                    call(api.base, sessions[0], 0)  # warm: the adapter's connection, the route
                    latency, rate, failed = load(api.base, sessions[:agents], call, calls)
                    say(f"{name:28s} {agents:2d} agents  {latency.text()}  {rate:7.1f} calls/s  failed {failed}")
                    figures[f"{name} {agents}"] = {**latency.as_dict(), "calls_per_s": round(rate, 1), "failed": failed}
            for name, call in TOOLS.items():
                latency = paced(api.base, sessions[:32], call, 4 if args.quick else 10, PACE_S)
                say(f"{name:28s} 32 agents, one call each every {PACE_S:.0f} s: {latency.text()}")
                figures[f"{name} 32 paced"] = latency.as_dict()
            refsvc.kill()
            every, opened, codes = backend_down(api.base, sessions[:32], 10)
            say(f"backend killed, 32 agents: every answer {every.text()}")
            say(f"            circuit open: {opened.text()}  answers {codes}")
            down = paced(api.base, sessions[:32], search, 4 if args.quick else 10, PACE_S)
            say(f"backend killed, 32 agents, one call each every {PACE_S:.0f} s: {down.text()}")
            figures["backend down"] = {
                "all": every.as_dict(),
                "circuit_open": opened.as_dict(),
                "answers": codes,
                "paced": down.as_dict(),
            }
        finally:
            api.stop()
            refsvc.stop()
            system.engine.dispose()
    relevance = evaluate_relevance()
    figures["relevance"] = relevance
    say(
        f"search relevance: MRR {relevance['mrr']:.3f}  recall@5 {relevance['recall_at_5']:.3f} "
        f"(title-avoiding: MRR {relevance['avoiding_mrr']:.3f}, recall@5 {relevance['avoiding_recall_at_5']:.3f})"
    )
    emit_json(
        {
            "bench": "agent_tools",
            "targets": {"p99_ms_32_agents": P99_TARGET_MS, "down_p99_ms": DOWN_TARGET_MS, "recall_at_5": RECALL_TARGET},
            **figures,
        }
    )


def evaluate_relevance() -> dict[str, float]:
    from integrations.public_services.local import CatalogDirectory

    result = evaluate(CatalogDirectory().index)
    return {
        "mrr": result.overall.mrr,
        "recall_at_5": result.overall.recall_at_5,
        "avoiding_mrr": result.avoids_title_words.mrr,
        "avoiding_recall_at_5": result.avoids_title_words.recall_at_5,
    }


if __name__ == "__main__":
    main()
