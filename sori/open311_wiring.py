"""Wiring Open311 into ``sori up``: the ``/open311`` resource (catalog loaded once, with the jurisdictions of
the active centers) and the service that suggests a category for new requests off the request path.

The classifier runs every ``open311.classify_interval_s`` on the database pool, one batch per unit of work,
with ``system.suggester`` (the trained category model) when there is one; without one, or while the model is
not loaded yet, the pass does nothing and the next one tries again.
"""

from __future__ import annotations

import logging
from typing import Any

from twisted.application import service
from twisted.internet import defer, task, threads
from twisted.python.failure import Failure
from twisted.python.threadpool import ThreadPool

from crm.api.open311.operations import Operations
from crm.api.open311.resource import Limits, Open311Resource
from crm.cases.suggestions import SuggestionsUnavailable
from crm.open311.catalog import Catalog, load_catalog
from crm.open311.classify import classify_pending
from crm.open311.intake import IntakeRules
from crm.open311.limits import RateLimiter
from sori.wiring import STATUSES, System, mask_complaint_text

log = logging.getLogger("sori.open311")
MOUNT = "/open311"
CLASSIFY_BATCH = 50


def load_system_catalog(system: System) -> Catalog:
    """The bundled services with the jurisdictions of the centers active now (read once, at start)."""
    with system.uow(readonly=True) as uow:
        return load_catalog(uow.centers.list(active_only=True))


def operations(system: System) -> Operations:
    s = system.settings
    rules = IntakeRules(hold_after_duplicates=s.open311.hold_after_duplicates, max_links=s.open311.max_links)
    return Operations(
        catalog=load_system_catalog(system),
        masker=mask_complaint_text,
        calendar=system.calendar,
        due_days=s.continuity.complaint_due_working_days,
        rules=rules,
        max_requests=s.open311.max_requests,
    )


def open311_resource(system: System, pool: ThreadPool, reactor: Any) -> Open311Resource:
    c = system.settings.open311
    limits = Limits(
        per_key=RateLimiter(c.rate_per_minute_key, c.burst_key),
        per_address=RateLimiter(c.rate_per_minute_address, c.burst_address),
        max_body=c.max_body_bytes,
    )
    return Open311Resource(operations(system), system.uow, pool, reactor, system.clock, limits, STATUSES)


class Open311Classifier(service.Service):
    """Category suggestions for accepted requests, every ``classify_interval_s``, one pass at a time."""

    name = "open311-classifier"

    def __init__(self, system: System, pool: ThreadPool, reactor: Any) -> None:
        self.system = system
        self.pool = pool
        self.reactor = reactor
        self._loop: task.LoopingCall | None = None

    def startService(self) -> None:
        super().startService()  # type: ignore[no-untyped-call]
        self._loop = task.LoopingCall(self.run_once)
        self._loop.clock = self.reactor
        self._loop.start(self.system.settings.open311.classify_interval_s, now=False)

    def stopService(self) -> Any:
        super().stopService()  # type: ignore[no-untyped-call]
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        return defer.succeed(None)

    def run_once(self) -> defer.Deferred[int]:
        def failed(reason: Failure) -> int:
            log.error(
                "open311 classification failed; the next pass tries again", extra={"error": reason.getErrorMessage()}
            )
            return 0

        d: defer.Deferred[int] = threads.deferToThreadPool(self.reactor, self.pool, classify_batch, self.system)
        return d.addErrback(failed)


def classify_batch(system: System) -> int:
    """One batch of suggestions in one unit of work (nothing when there is no model, or it is not loaded)."""
    suggester = system.suggester
    if suggester is None:
        return 0

    def suggest(text: str) -> str | None:
        best = suggester.suggest(text, 1)
        minimum = system.settings.analytics.category_min_score
        return best[0][0] if best and best[0][1] >= minimum else None

    with system.uow() as uow:
        try:
            done = classify_pending(uow, suggest, CLASSIFY_BATCH, system.clock())
        except SuggestionsUnavailable:  # the model is still loading: the next pass
            return 0
        uow.commit()
        return done
