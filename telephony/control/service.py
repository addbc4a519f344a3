"""The telephony part of ``sori up``: the Kamailio edge, the media-worker pool and the switchboard, as one
Twisted service that starts them in order and stops them all.

Media workers listen on fixed ports (``port_base`` …), which are the edge's dispatcher destinations;
when the pool loses a worker the edge is told to end its dialogs (the callers get a BYE) and to stop
sending it calls, and when a replacement says hello on that port the edge uses it again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twisted.application import service
from twisted.internet import defer

from telephony.control.switchboard import Switchboard
from telephony.edge.numbers import NumberPlan
from telephony.edge.process import EdgeService
from telephony.edge.settings import EdgeConfig
from telephony.edge.tables import Subscriber, WorkerAddress
from telephony.media.pool import MediaPool, PoolConfig, WorkerEvent, WorkerLost

log = logging.getLogger("sori.telephony")


@dataclass(frozen=True)
class WorkerPorts:
    """The fixed SIP ports of the media workers: the lowest free one goes to each new worker.

    ``count`` workers run from the start; the pool may grow to ``count + spare`` under load (their ports
    are in the edge's list, inactive until a worker says hello) and shrinks back when they are idle."""

    host: str
    base: int
    count: int
    spare: int = 0

    @property
    def addresses(self) -> list[WorkerAddress]:
        return [WorkerAddress(self.host, self.base + i) for i in range(self.count + self.spare)]

    @property
    def standby(self) -> list[WorkerAddress]:
        return self.addresses[self.count :]


class TelephonyService(service.MultiService):
    name = "telephony"

    def __init__(
        self,
        edge_config: EdgeConfig,
        plan: NumberPlan,
        subscribers: Iterable[Subscriber],
        ports: WorkerPorts,
        switchboard: Switchboard,
        state_dir: Path,
        reactor: Any,
        pool_config: PoolConfig | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.ports = ports
        self.switchboard = switchboard
        self.edge = EdgeService(
            edge_config, plan, ports.addresses, subscribers, state_dir / "edge", reactor, standby=ports.standby
        )
        self.edge.setServiceParent(self)  # type: ignore[no-untyped-call]
        config = pool_config or PoolConfig(
            min_workers=ports.count,
            max_workers=ports.count + ports.spare,
            host=ports.host,
            caller_cap=edge_config.worker_call_cap,
            scale_up_free_slots=2 * edge_config.worker_call_cap,  # room for a burst while workers start
        )
        self.pool = MediaPool(state_dir / "media", self._event, self._lost, config, self._next_port, reactor)
        self.pool.setServiceParent(self)  # type: ignore[no-untyped-call]
        switchboard.pool = self.pool
        if switchboard.desk is not None:
            switchboard.desk.media = self.pool
        self.desk = switchboard.desk
        self._worker_ports: dict[str, int] = {}

    def stopService(self) -> defer.Deferred[None]:
        if self.desk is not None:
            self.desk.stop()  # no more ACD ticks while the pool and the edge stop
        stopped: defer.Deferred[None] = super().stopService()  # type: ignore[no-untyped-call]
        return stopped

    def _next_port(self) -> int:
        taken = {w.sip_port for w in self.pool.workers.values()}
        free = [a.port for a in self.ports.addresses if a.port not in taken]
        if not free:
            raise RuntimeError("every media-worker port is taken")
        return free[0]

    def _event(self, event: WorkerEvent) -> None:
        if event.name == "Hello":
            worker = self.pool.workers.get(event.worker_id)
            if worker is not None:
                self._worker_ports[event.worker_id] = worker.sip_port
                self._edge(self.edge.worker_alive, WorkerAddress(self.ports.host, worker.sip_port))
        elif event.name == "Draining":  # an idle extra worker retires: no new callers for it
            self._edge(self.edge.worker_dead, WorkerAddress(self.ports.host, int(event.args["sip_port"])))
            return
        self.switchboard.on_event(event)

    def _lost(self, lost: WorkerLost) -> None:
        self.switchboard.on_lost(lost)
        port = self._worker_ports.pop(lost.worker_id, None)
        if port is not None:
            self._edge(self.edge.worker_dead, WorkerAddress(self.ports.host, port))

    @staticmethod
    def _edge(call: Any, address: WorkerAddress) -> None:
        d: defer.Deferred[Any] = call(address)
        d.addErrback(lambda f: log.warning("edge update for %s failed: %s", address.uri, f.getErrorMessage()))
