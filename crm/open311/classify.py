"""Classifying accepted Open311 requests off the request path: the analytics classifier's suggested category
for each complaint's masked text, stored on the request (for analytics and routing checks, never shown).

The classifier is handed in as ``suggest`` (the composition root wires analytics'; the case store may not
import it). A request is classified once: ``classified_at`` is set even when ``suggest`` has no answer.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from crm.ports import UnitOfWork

log = logging.getLogger("crm.open311")

BATCH_MAX = 500


def classify_pending(uow: UnitOfWork, suggest: Callable[[str], str | None], limit: int, now: dt.datetime) -> int:
    """Classify up to ``limit`` (≤ 500) accepted requests not classified yet; how many were done. The caller
    commits (a batch per unit of work keeps transactions short)."""
    done = 0
    for record in uow.open311.unclassified(max(1, min(limit, BATCH_MAX))):
        if record.complaint is None:
            continue
        category = suggest(record.complaint.body_masked)
        record.request.category_suggested = category[:100] if category else None
        record.request.classified_at = now
        done += 1
    if done:
        log.info("open311-classified", extra={"count": done})
    return done
