"""Builds the telephony service of ``sori up`` from configuration: edge, media workers, switchboard, IVR."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from typing import Any

from twisted.application import internet
from twisted.internet import threads
from twisted.internet.threads import deferToThreadPool
from twisted.python.threadpool import ThreadPool

from crm.calls.model import AgentStateChange, FinishedCall
from crm.door.calls import AgentRecord, CallbackTask
from crm.door.sql_calls import CaseStoreCalls
from crm.door.sql_desk import AgentContacts
from integrations.bills.memory import demo_bill_ledger
from integrations.certificates.memory import demo_certificate_issuer
from kernel.centers import Center
from sori.config import TelephonyConfig
from sori.wiring import System
from telephony.acd import Acd, QueueConfig, QueueKey, WrapUp, wrap_up_for
from telephony.board import Board
from telephony.control.desk import Desk, DeskSettings
from telephony.control.pin_enrolment import PinEnrolments
from telephony.control.service import TelephonyService, WorkerPorts
from telephony.control.switchboard import Switchboard
from telephony.edge.numbers import NumberPlan
from telephony.edge.tables import Subscriber
from telephony.ivr.loader import FlowSet, load_flows, shipped_flows_dir
from telephony.ivr.model import QueueStep, TransferStep
from telephony.ivr.ports import run_self_service
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
    # The IVR's self-service reads the same bill and certificate systems as the agents' tools (their HTTP
    # adapters, on the tool thread pool: sori.tools_wiring); with the tools disabled (tests that start telephony
    # without a reference service) the ports' in-memory adapters with the demo data.
    tools = system.tools
    ledger = tools.bills if tools is not None and tools.bills is not None else demo_bill_ledger()
    issuer = tools.certificates if tools is not None and tools.certificates is not None else demo_certificate_issuer()
    port_call = tools.call if tools is not None else threads.deferToThread
    recordings = config.recordings_dir or settings.state_dir / "recordings"
    acd = Acd(centers.values(), queue_configs(flows, centers, config), system.calendar)
    contacts = AgentContacts(system.uow, system.policy, system.calendar)
    desk = Desk(
        acd,
        contacts,
        db=lambda f, *a, **kw: deferToThreadPool(reactor, db_pool, f, *a, **kw),
        clock=system.clock,
        scheduler=reactor,
        settings=DeskSettings(
            edge_host=settings.edge.host,
            edge_port=settings.edge.port,
            recordings_dir=recordings,
            ring_timeout_s=config.ring_timeout_s,
            callback_delay_s=config.callback_delay_s,
            announce_every_s=config.announce_every_s,
            external_destinations=dict(config.external_destinations),
            auto_answer=config.agent_auto_answer,
        ),
        prompts=lambda part: threads.deferToThread(library.wav, part),
        hold_music=lambda: threads.deferToThread(library.hold_music),
        events=system.cti,
        records=contacts,
    )
    system.desk.reactor, system.desk.desk = reactor, desk
    # the board: every center's queues and agents, from the CTI events only (rebuilt from the records at start)
    system.desk.board = figures = Board(system.clock, [q.key for q in acd.queues()])
    system.cti.subscribe(figures.apply)
    board = Switchboard(
        pool=None,  # type: ignore[arg-type]  # the telephony service gives it its pool
        flows=flows,
        centers=centers,
        calendar=system.calendar,
        store=CaseStoreCalls(system.uow, system.policy),
        db=lambda f, *a: deferToThreadPool(reactor, db_pool, f, *a),
        prompts=lambda part: threads.deferToThread(library.wav, part),
        self_service=lambda action: port_call(run_self_service, action, ledger, issuer),
        scheduler=reactor,
        clock=system.clock,
        hold_music=lambda: threads.deferToThread(library.hold_music),
        events=system.cti,
        desk=desk,
        recordings_dir=recordings,
        transcribe=settings.analytics.transcribe_calls,
    )
    # PINs a caller keys for an agent's enrolment request, on the caller's leg in the board's pool
    board.enrolments = system.desk.enrolments = PinEnrolments(
        lambda: board.pool, lambda part: threads.deferToThread(library.wav, part), reactor
    )
    ports = WorkerPorts(config.worker_host, config.worker_port_base, config.workers, config.spare_workers)
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
    store = desk.store
    reactor.callWhenRunning(
        lambda: (
            deferToThreadPool(reactor, db_pool,
                              lambda: (store.agents(), store.pending_callbacks(), store.today(system.clock())))
            .addCallback(lambda loaded: _start_desk(desk, figures, *loaded))
            .addErrback(lambda f: log.error("desk start failed: %s", f.getErrorMessage()))
        )
    )
    service.desk = desk
    refresh = internet.TimerService(config.agents_refresh_s, _refresh_agents, system, service, db_pool, reactor)
    refresh.setServiceParent(service)
    return service


def _start_desk(desk: Desk, board: Board, agents: list[AgentRecord], pending: list[CallbackTask],
                today: tuple[list[FinishedCall], list[AgentStateChange]]) -> None:  # fmt: skip
    """Today's counters back on the board (from the records), then the desk takes calls."""
    board.restore(*today)
    desk.start(agents, pending)


def _refresh_agents(system: System, service: TelephonyService, db_pool: ThreadPool, reactor: Any) -> None:
    """Agents added or deactivated while running: their phones may (or may no longer) register, and the
    desk knows them, within ``telephony.agents_refresh_s`` and without a restart."""

    def apply(records: list[AgentRecord]) -> None:
        phones = [Subscriber(a.login, stored_ha1=a.sip_ha1) for a in records if a.sip_ha1]
        if service.edge.update_subscribers(phones):
            log.info("agents' phones updated at the edge", extra={"phones": len(phones)})
        if service.desk is not None:
            service.desk.set_agents(records)

    assert service.desk is not None
    d = deferToThreadPool(reactor, db_pool, service.desk.store.agents)
    d.addCallback(apply)
    d.addErrback(lambda f: log.error("agent refresh failed: %s", f.getErrorMessage()))


def queue_configs(flows: FlowSet, centers: Mapping[str, Center], config: TelephonyConfig) -> list[QueueConfig]:
    """One queue per center and skill: "general" everywhere, plus every skill a flow queues or transfers to."""
    unknown = sorted(set(config.after_call) - set(centers))
    if unknown:
        raise ValueError(f"telephony.after_call names no such center: {', '.join(unknown)}")
    skills: dict[str, set[str]] = {code: {"general"} for code in centers}
    for code in centers:
        flow = flows.for_center(code)
        skills[code] |= {step.skill for step in flow.steps.values() if isinstance(step, QueueStep)}
        if flow.continue_case is not None:
            skills[code].add(flow.continue_case.skill)
        if flow.hours is not None:
            skills[code].add(flow.hours.callback_skill)
    for flow in [flows.default, *flows.centers.values(), *flows.shared.values()]:
        for step in flow.steps.values():
            if isinstance(step, TransferStep) and step.queue is not None and step.center in skills:
                skills[step.center].add(step.queue)
    overflow = dt.timedelta(seconds=config.overflow_after_s) if config.overflow_after_s is not None else None
    return [
        QueueConfig(
            QueueKey(code, skill),
            overflow_after=overflow,
            wrapup=after_call(config, code),
            service_level_seconds=config.service_level_s,
        )
        for code, names in sorted(skills.items())
        for skill in sorted(names)
    ]


def after_call(config: TelephonyConfig, center: str) -> WrapUp:
    """The center's after-call work: its ``telephony.after_call`` rule, else timed with ``wrapup_s``."""
    rule = config.after_call.get(center)
    if rule is None:
        return WrapUp(config.wrapup_s)
    return wrap_up_for(rule.mode, config.wrapup_s if rule.seconds is None else rule.seconds)


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
