"""``sori purge`` and the scheduled purge of ``sori up``: the configured retention periods, applied everywhere a
purged case left something, not only in the store.

One run: (1) find the expired cases and contacts (``crm.store.purge.expired_cases``); (2) erase their phone
documents from the search index and delete their recording files; (3) delete their rows in one transaction,
re-checking that each case is still expired; (4) erase the documents again, in case the indexer wrote one
between (1) and (3); (5) on SQLite, truncate the write-ahead log so no old page of a deleted row survives
there (the store deletes with ``secure_delete``: freed space is zeroed). Files and documents go before the
rows: a run that fails half-way leaves rows that the next run finds again, never a file nobody references.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from twisted.application import service
from twisted.internet import defer, task, threads
from twisted.python.threadpool import ThreadPool

from analytics.search.port import contact_doc_id
from crm.store.purge import ExpiredCases, Retention, expired_cases
from crm.store.purge import purge as purge_store
from sori.config import Settings
from sori.wiring import System, open_index, recordings_dir

log = logging.getLogger("sori.purge")


def retention_of(settings: Settings) -> Retention:
    r, telephony = settings.retention, settings.telephony
    return Retention(
        r.access_log_days, r.auth_tokens_days, r.idempotency_keys_days, r.closed_cases_days, r.done_callbacks_days,
        telephony.call_records_retention_days, telephony.abandoned_caller_retention_days, r.open311_contact_days,
    )  # fmt: skip


def purge(system: System, dry_run: bool = False) -> dict[str, int]:
    """Apply every retention period; counts of what went (or would go, with ``dry_run``), by kind."""
    settings, now, retention = system.settings, system.clock(), retention_of(system.settings)
    with system.uow() as uow:
        assert uow.session is not None
        plan = expired_cases(uow.session, now, retention)
        if dry_run:
            counts = purge_store(uow.session, now, retention, dry_run=True)
            counts["recordings"] = len(plan.recording_refs)
            return counts
    erased = _erase_documents(settings, plan)
    removed = remove_recordings(recordings_dir(settings), plan.recording_refs)
    with system.uow() as uow:
        assert uow.session is not None
        counts = purge_store(uow.session, now, retention, plan=plan)
        uow.commit()
    counts["index_documents"] = erased + _erase_documents(settings, plan)
    counts["recordings"] = removed
    truncate_sqlite_wal(system.engine)
    return counts


def _erase_documents(settings: Settings, plan: ExpiredCases) -> int:
    if not plan.interaction_ids:
        return 0
    index = open_index(settings)
    try:
        return index.erase(contact_doc_id(i) for i in plan.interaction_ids)
    finally:
        index.close()


def remove_recordings(root: Path, refs: Iterable[str]) -> int:
    """Delete the recordings named by ``refs`` (paths under ``root``); a reference that leads outside it is
    refused, whatever it says. Returns how many files were deleted."""
    base = root.resolve()
    removed = refused = 0
    for ref in refs:
        path = (base / ref).resolve()
        if not path.is_relative_to(base) or path == base:
            refused += 1
            continue
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
        for parent in path.parents:  # the day's directory, once empty (names hold dates only)
            if parent == base or not parent.is_relative_to(base):
                break
            try:
                parent.rmdir()
            except OSError:
                break
    if refused:
        log.warning("recording references outside the recordings directory left alone", extra={"count": refused})
    return removed


def truncate_sqlite_wal(engine: Engine, attempts: int = 3) -> bool:
    """On SQLite, checkpoint and empty the write-ahead log (old page images of deleted rows live there until it
    is rewritten). A reader elsewhere can hold it back: tried a few times, then left to the next run."""
    if engine.dialect.name != "sqlite":
        return True
    for attempt in range(attempts):
        raw = engine.raw_connection()
        try:
            busy = raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]  # type: ignore[union-attr]
        finally:
            raw.close()
        if not busy:
            return True
        time.sleep(0.2 * (attempt + 1))
    log.warning("write-ahead log not truncated: readers held it; the next purge tries again")
    return False


class ScheduledPurge(service.Service):
    """``sori up``'s retention purge: first ``retention.purge_first_after_s`` after start, then every
    ``retention.purge_every_hours``, on its own thread (never the reactor, never one of the API's database
    threads); one run at a time; a failed run is logged and the next one tries again. Logs counts only."""

    name = "purge"

    def __init__(self, system: System, reactor: Any) -> None:
        self.system = system
        self.reactor = reactor
        self.pool = ThreadPool(minthreads=1, maxthreads=1, name="sori-purge")
        self.runs: list[dict[str, int]] = []  # counts of each finished run (tests and diagnostics)
        self.failures = 0
        self._loop: task.LoopingCall | None = None
        self._first: Any = None
        self._running: defer.Deferred[None] | None = None

    def startService(self) -> None:
        super().startService()  # type: ignore[no-untyped-call]
        self.pool.start()
        r = self.system.settings.retention
        self._loop = task.LoopingCall(self._run_once)
        self._loop.clock = self.reactor
        self._first = self.reactor.callLater(r.purge_first_after_s, self._loop.start, r.purge_every_hours * 3600)
        log.info("retention purge scheduled", extra={"every_hours": r.purge_every_hours,
                                                      "first_after_s": r.purge_first_after_s})  # fmt: skip

    def _run_once(self) -> defer.Deferred[None]:
        started = time.monotonic()
        running: defer.Deferred[dict[str, int]] = threads.deferToThreadPool(self.reactor, self.pool, purge, self.system)

        def done(counts: dict[str, int]) -> None:
            self.runs.append(counts)
            log.info("retention purge", extra={"deleted": counts, "seconds": round(time.monotonic() - started, 3)})

        def failed(reason: Any) -> None:
            self.failures += 1
            log.error("retention purge failed; the next run tries again", extra={"error": reason.getErrorMessage()})

        self._running = running.addCallbacks(done, failed)
        return self._running

    def stopService(self) -> defer.Deferred[None]:
        super().stopService()  # type: ignore[no-untyped-call]
        if self._first is not None and self._first.active():
            self._first.cancel()
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        running = self._running if self._running is not None and not self._running.called else defer.succeed(None)
        waiting: defer.Deferred[None] = defer.Deferred()
        running.addBoth(lambda _: self.pool.stop()).addBoth(lambda _: waiting.callback(None))
        return waiting
