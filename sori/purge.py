"""``sori purge``: applies the configured retention periods to the store."""

from __future__ import annotations

from crm.store.purge import Retention
from crm.store.purge import purge as purge_store
from sori.wiring import System


def purge(system: System, dry_run: bool = False) -> dict[str, int]:
    r = system.settings.retention
    retention = Retention(
        r.access_log_days, r.auth_tokens_days, r.idempotency_keys_days, r.closed_cases_days, r.done_callbacks_days
    )
    with system.uow() as uow:
        assert uow.session is not None
        counts = purge_store(uow.session, system.clock(), retention, dry_run=dry_run)
        if not dry_run:
            uow.commit()
    return counts
