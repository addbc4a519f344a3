"""Builds the telephony service of ``sori up`` from configuration: edge, media workers, switchboard, IVR."""

from __future__ import annotations

import logging
import time
from typing import Any

from twisted.internet import threads
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

from sori.wiring import System
from telephony.control.service import TelephonyService, WorkerPorts
from telephony.control.store import CaseStoreCalls
from telephony.control.switchboard import Switchboard
from telephony.edge.numbers import NumberPlan
from telephony.edge.tables import Subscriber
from telephony.ivr.loader import load_flows, shipped_flows_dir
from telephony.ivr.ports import demo_bill_ledger, demo_certificate_issuer, run_self_service
from telephony.ivr.prompts import PromptLibrary, static_prompts

log = logging.getLogger("sori.telephony")


def build_telephony(system: System, db_pool: ThreadPool, reactor: Any) -> TelephonyService:
    settings = system.settings
    config = settings.telephony
    with system.uow(readonly=True) as uow:
        centers = {c.code: c for c in uow.centers.list()}
        # Agents' phones register at the edge with their stored digest HA1 (new agents: restart, for now).
        phones = [Subscriber(a.login, stored_ha1=a.sip_ha1) for a in uow.agents.list() if a.active and a.sip_ha1]
    flows = load_flows(config.flows_dir or shipped_flows_dir(), known_centers=set(centers))
    library = PromptLibrary(config.prompts_dir or settings.state_dir / "prompts", rate=config.prompt_rate)
    # In-memory bill and certificate ports with demo data until the agent-tools issue brings the HTTP adapters.
    ledger, issuer = demo_bill_ledger(), demo_certificate_issuer()
    board = Switchboard(
        pool=None,  # type: ignore[arg-type]  # the telephony service gives it its pool
        flows=flows,
        centers=centers,
        calendar=system.calendar,
        store=CaseStoreCalls(system.uow, system.policy),
        db=lambda f, *a: deferToThreadPool(reactor, db_pool, f, *a),
        prompts=lambda part: threads.deferToThread(library.wav, part),
        self_service=lambda action: threads.deferToThread(run_self_service, action, ledger, issuer),
        scheduler=reactor,
        clock=system.clock,
        hold_music=lambda: threads.deferToThread(library.hold_music),
        events=system.cti,
    )
    ports = WorkerPorts(config.worker_host, config.worker_port_base, config.workers)
    service = TelephonyService(
        settings.edge,
        NumberPlan.from_centers(list(centers.values())),
        phones,
        ports,
        board,
        settings.state_dir,
        reactor,
    )
    reactor.callWhenRunning(_warm_prompts, library, flows)
    return service


def _warm_prompts(library: PromptLibrary, flows: Any) -> None:
    """Synthesise every fixed prompt in the background, so the first callers hear no synthesis delay."""
    prompts = {p for flow in [flows.default, *flows.centers.values(), *flows.shared.values()]
               for p in static_prompts(flow)}  # fmt: skip

    def warm() -> int:
        started = time.monotonic()
        for prompt in prompts:
            library.wav(prompt)
        library.hold_music()
        log.info("prompts ready", extra={"prompts": len(prompts), "seconds": round(time.monotonic() - started, 1)})
        return len(prompts)

    threads.deferToThread(warm).addErrback(lambda f: log.error("prompt warm-up failed: %s", f.getErrorMessage()))
