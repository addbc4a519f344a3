"""A running desk over real SIP, for the desk's load test and its benchmark (``bench.desk_load``).

The real service tree of ``sori up`` serves HTTP on a free port (database pool included); beside it run the
switchboard and the desk as ``sori/telephony_wiring.py`` builds them, on that same database pool, with one
real pjsua2 media worker. Callers are SIPp processes that dial the worker directly with the headers the
Kamailio edge would add and press 0 for an agent; the desk rings the agents' phones at an answering pjsua2
user agent (``tests/integration/telephony_media/agent_ua.py``: it answers any user, up to 4 calls, for at most
120 s, at once, unless ``running_desk`` is told otherwise) which stands in for the edge, so an agent leg is a
real SIP call bridged in the worker.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from twisted.internet import threads
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

from crm.agents.model import Agent
from crm.api.auth import hash_password
from crm.citizens.services import register_citizen
from crm.door.sql_calls import CaseStoreCalls
from crm.door.sql_desk import AgentContacts
from crm.store import migrate
from integrations.bills.memory import demo_bill_ledger
from integrations.certificates.memory import demo_certificate_issuer
from kernel.actor import Actor, Role
from sori.runtime import ThreadPoolService
from sori.seed.demo import seed_centers
from sori.telephony_wiring import queue_configs
from sori.wiring import System
from telephony.acd import Acd
from telephony.control.desk import Desk, DeskSettings
from telephony.control.switchboard import Switchboard
from telephony.ivr.loader import load_flows, shipped_flows_dir
from telephony.ivr.ports import run_self_service
from telephony.ivr.prompts import PromptLibrary, static_prompts
from telephony.media.pool import MediaPool, PoolConfig
from tests.support import reactor as rt
from tests.support import sipp as scenarios
from tests.support.api import RunningApi
from tests.support.postgres import free_port
from tests.support.system import make_system

AGENT_UA = Path(__file__).resolve().parent.parent / "integration" / "telephony_media" / "agent_ua.py"
PASSWORD = "desk rig password"
#: login -> center; the first two take calls in the rig, the others only change state.
AGENTS = {"kim": "ACRC110", "lee": "ACRC110", "choi": "NTS126", "park": "SEOUL120"}
SCREEN_POP_PHONE = "010-5000-0002"  # a registered citizen, for the screen-pop under load
OPEN = ("ACRC110", "NTS126")  # open around the clock: the rig must not depend on the hour
RING_TIMEOUT_S = 15  # the desk's ring timeout (DeskSettings.ring_timeout_s): the phone must answer before it


@dataclass
class DeskRig:
    system: System
    api: RunningApi
    board: Switchboard
    desk: Desk
    pool: MediaPool
    db_pool: ThreadPool
    workdir: Path
    worker_port: int
    processes: list[subprocess.Popen[Any]] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return self.api.base

    def headers(self, login: str) -> dict[str, str]:
        if login not in self.tokens:
            reply = requests.post(f"{self.base}/api/v1/auth/login", json={"login": login, "password": PASSWORD},
                                  timeout=30)  # fmt: skip
            assert reply.status_code == 200, reply.text
            self.tokens[login] = reply.json()["token"]
        return {"authorization": f"Bearer {self.tokens[login]}"}

    def request(self, login: str, method: str, path: str, body: Any = None, timeout: float = 60) -> requests.Response:
        return requests.request(method, self.base + path, json=body, headers=self.headers(login), timeout=timeout)

    def call_agent(self, caller: str, seconds: int = 110) -> subprocess.Popen[Any]:
        """A SIPp citizen who dials 110, presses 0 for an agent and stays on the line ``seconds``."""
        path = self.workdir / f"caller-{caller}.xml"
        headers = {"X-Sori-Dialled": "110", "X-Sori-Center-Candidates": "ACRC110"}  # as the edge adds them
        path.write_text(scenarios.scenario("citizen asks for an agent", scenarios.invite("110", caller, headers),
                                           scenarios.key("0", 8000), scenarios.pause(seconds * 1000),
                                           scenarios.BYE))  # fmt: skip
        sipp = subprocess.Popen(
            ["sipp", f"127.0.0.1:{self.worker_port}", "-sf", str(path), "-m", "1", "-i", "127.0.0.1",
             "-p", str(free_port()), "-mi", "127.0.0.1", "-mp", str(free_port()), "-timeout", f"{seconds + 30}s",
             "-nostdin"],
            cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.processes.append(sipp)
        return sipp

    def on_call(self, login: str) -> bool:
        call = self.request(login, "GET", "/api/v1/telephony/agents/me").json().get("call") or {}
        return bool(call.get("answered") and call.get("interaction_id"))


def desk_requests(count: int = 50, transfers: bool = True) -> list[tuple[str, str, str, Any]]:
    """``count`` requests: kim and lee (on a call) mix hold, blind transfer (unless not ``transfers``) and state;
    park changes state."""
    transfer = {"mode": "blind", "summary": "국세 상담 연결", "to_center": "NTS126", "to_queue": "general"}
    on_call = [("POST", "/api/v1/telephony/calls/current/transfer", transfer),
               ("POST", "/api/v1/telephony/calls/current/hold", {"on": True}),
               ("POST", "/api/v1/telephony/calls/current/hold", {"on": False}),
               ("PUT", "/api/v1/telephony/agents/me/state", {"state": "ready"})]  # fmt: skip
    free = [("PUT", "/api/v1/telephony/agents/me/state", {"state": "not-ready", "reason": "break"}),
            ("PUT", "/api/v1/telephony/agents/me/state", {"state": "ready"}),
            ("POST", "/api/v1/telephony/calls/current/hold", {"on": True})]  # fmt: skip
    out: list[tuple[str, str, str, Any]] = []
    if not transfers:
        on_call = on_call[1:]
    for i in range(count):
        login = ("kim", "lee", "kim", "lee", "park")[i % 5]
        method, path, body = on_call[i % len(on_call)] if login != "park" else free[i % 3]
        out.append((login, method, path, body))
    return out


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


def _seed(system: System) -> None:
    seed_centers(system)
    hashed = hash_password(PASSWORD)
    with system.uow() as uow:
        for login, center in AGENTS.items():
            uow.agents.add(Agent(center_code=center, login=login, display_name=f"상담원 {login}", role=Role.AGENT,
                                 password_hash=hashed, created_at=system.clock()))  # fmt: skip
        register_citizen(uow, Actor.system("rig"), system.clock(), system.rrn_key, name="홍길동",
                         phones=[SCREEN_POP_PHONE])  # fmt: skip
        uow.commit()


@contextlib.contextmanager
def running_desk(
    workdir: Path, agent_wav: Path, db_threads: int = 4, ua_lifetime_s: float = 120, answer_after_ms: int = 0
) -> Iterator[DeskRig]:
    """The rig on a fresh SQLite store in ``workdir`` (keep the path short: the AMP socket path is limited);
    the agents' answering phone stops by itself after ``ua_lifetime_s`` and rings ``answer_after_ms`` before it
    answers (under the desk's ring timeout, ``RING_TIMEOUT_S``)."""
    assert answer_after_ms < RING_TIMEOUT_S * 1000, "the desk would give up before the phone answers"
    system = make_system(f"sqlite:///{workdir / 'sori.db'}", workdir / "state")
    system.settings.database.threads = db_threads  # the API's pool, which the desk's units of work share
    system.clock = lambda: dt.datetime.now(dt.UTC)  # real time: ring timeouts and tokens follow the wall clock
    migrate.upgrade(system.engine)
    _seed(system)
    api = RunningApi(system)
    services = [s for s in api.root if isinstance(s, ThreadPoolService)]
    db_pool = services[0].pool
    with system.uow(readonly=True) as uow:
        centers = {c.code: c for c in uow.centers.list()}
    for code in OPEN:
        centers[code].hours = "24/7"
    flows = load_flows(shipped_flows_dir(), known_centers=set(centers))
    library = PromptLibrary(workdir / "prompts", rate=300)  # fast speech: shorter calls, same prompts
    for code in OPEN:
        for prompt in static_prompts(flows.for_center(code)):  # as `sori up` warms the cache at start
            library.wav(prompt)
    library.hold_music()
    ua_port = free_port()

    def db(f: Any, *a: Any, **kw: Any) -> Any:
        return deferToThreadPool(rt.reactor, db_pool, f, *a, **kw)

    store = AgentContacts(system.uow, system.policy, system.calendar)
    desk = Desk(
        Acd(centers.values(), queue_configs(flows, centers, system.settings.telephony), system.calendar),
        store, db=db, clock=system.clock, scheduler=rt.reactor,
        settings=DeskSettings(edge_host="127.0.0.1", edge_port=ua_port, recordings_dir=workdir / "rec",
                              ring_timeout_s=RING_TIMEOUT_S),
        prompts=lambda part: threads.deferToThread(library.wav, part),
        hold_music=lambda: threads.deferToThread(library.hold_music), events=system.cti,
    )  # fmt: skip
    ledger, issuer = demo_bill_ledger(), demo_certificate_issuer()
    board = Switchboard(
        pool=None,  # type: ignore[arg-type]  # set below: the pool needs the board's handlers first
        flows=flows, centers=centers, calendar=system.calendar, store=CaseStoreCalls(system.uow, system.policy),
        db=db, prompts=lambda part: threads.deferToThread(library.wav, part),
        self_service=lambda action: threads.deferToThread(run_self_service, action, ledger, issuer),
        scheduler=rt.reactor, clock=system.clock, hold_music=lambda: threads.deferToThread(library.hold_music),
        events=system.cti, desk=desk, recordings_dir=workdir / "rec",
    )  # fmt: skip
    config = PoolConfig(min_workers=1, max_workers=1, health_interval=1.0, health_timeout=3.0, stop_timeout=3.0)
    pool = MediaPool(workdir / "media", board.on_event, board.on_lost, config, reactor=rt.reactor)
    board.pool = pool
    desk.media = pool
    ua = subprocess.Popen([sys.executable, str(AGENT_UA), "--port", str(ua_port), "--wav", str(agent_wav),
                           "--lifetime", str(ua_lifetime_s), "--answer-after-ms", str(answer_after_ms)],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    rig: DeskRig | None = None
    try:
        assert ua.stdout is not None
        for line in ua.stdout:  # pjlib prints to stdout too: read until the READY line
            if line.strip() == "READY":
                break
        rt.call(pool.startService)
        wait_until(lambda: bool(rt.call(pool.ready_workers)), 20, "the media worker")
        worker = rt.call(lambda: pool.ready_workers()[0])
        port = int(worker.sip_uri.rsplit(":", 1)[1].split(";")[0])
        rt.call(desk.start, store.agents(), store.pending_callbacks())
        system.desk.reactor, system.desk.desk = rt.reactor, desk
        rig = DeskRig(system, api, board, desk, pool, db_pool, workdir, port, [ua])
        yield rig
    finally:
        for proc in rig.processes if rig else [ua]:
            if proc.poll() is None:
                proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
            if proc.poll() is None:
                proc.kill()
        rt.call(desk.stop)
        rt.call(pool.stopService)
        api.stop()
        system.engine.dispose()
