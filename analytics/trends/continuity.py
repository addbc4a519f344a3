"""Continuity of phone contacts, from the case store: repeat contacts, first-contact resolution, transfer
chains and callbacks of a period (pure: the figures and the rules that count them; the case store's door,
``crm.door.ports.ContinuitySource``, gathers the rows ``read_continuity`` counts).

Definitions (the report's method notes say the same):
- a *repeat contact* is a voice contact whose citizen had another contact, at any center, in the
  ``REPEAT_WINDOW`` before it; the rate is over contacts with a known citizen;
- a case is *resolved at first contact* when it was opened in the period, is resolved or closed, has exactly
  one contact and was never handed off; the rate is over cases opened in the period;
- a case's *transfer chain* is its number of hand-offs, over the cases with a contact in the period;
- *callbacks* are those scheduled in the period, by their status now.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from crm.door.ports import ContinuitySource
from kernel.calendar import SEOUL

REPEAT_WINDOW = dt.timedelta(days=7)
CHAIN_BUCKETS = ("0", "1", "2", "3+")


@dataclass(frozen=True)
class ContinuityMetrics:
    contacts: int
    citizens: int
    known_citizen_contacts: int
    repeat_contacts: int
    cases_opened: int
    first_contact_resolved: int
    chains: dict[str, int]  # hand-offs per case ("0", "1", "2", "3+") → cases
    transfers: list[tuple[str, str, int]]  # (from center, to center, hand-offs), most first
    callbacks: dict[str, int] = field(default_factory=dict)  # status → callbacks scheduled in the period

    @property
    def repeat_rate(self) -> float | None:
        return self.repeat_contacts / self.known_citizen_contacts if self.known_citizen_contacts else None

    @property
    def fcr_rate(self) -> float | None:
        return self.first_contact_resolved / self.cases_opened if self.cases_opened else None

    @property
    def callback_completion(self) -> float | None:
        total = sum(self.callbacks.values())
        return self.callbacks.get("done", 0) / total if total else None


def repeat_contacts(
    contacts: Iterable[tuple[int, dt.datetime]], start: dt.datetime, window: dt.timedelta = REPEAT_WINDOW
) -> int:
    """Of ``contacts`` (citizen, started) — the period's and those of the ``window`` before it — how many
    started at or after ``start`` with an earlier contact of the same citizen at most ``window`` before."""
    by_citizen: dict[int, list[dt.datetime]] = {}
    for citizen, started in contacts:
        by_citizen.setdefault(citizen, []).append(started)
    repeats = 0
    for times in by_citizen.values():
        times.sort()
        for previous, current in itertools.pairwise(times):
            if current >= start and current - previous <= window:
                repeats += 1
    return repeats


def first_contact_resolved(cases: Iterable[tuple[bool, int, int]]) -> int:
    """Of cases (resolved or closed, contacts, hand-offs): those closed on their one contact, never handed off."""
    return sum(1 for done, contacts, handoffs in cases if done and contacts == 1 and handoffs == 0)


def chains(handoffs_per_case: Sequence[int]) -> dict[str, int]:
    counts = Counter(CHAIN_BUCKETS[min(n, 3)] for n in handoffs_per_case)
    return {bucket: counts.get(bucket, 0) for bucket in CHAIN_BUCKETS}


def read_continuity(
    source: ContinuitySource, start: dt.date, end: dt.date, center: str | None = None
) -> ContinuityMetrics:
    """Repeat contacts, first-contact resolution, transfer chains and callbacks of the Seoul days
    [``start``, ``end``) as counted above; ``center`` limits it to contacts, cases, hand-offs (from or to)
    and callbacks of that center."""
    facts = source.continuity_facts(start, end, center=center, lookback=REPEAT_WINDOW)
    since = dt.datetime.combine(start, dt.time(), tzinfo=SEOUL)
    return ContinuityMetrics(
        contacts=facts.contacts,
        citizens=facts.citizens,
        known_citizen_contacts=facts.known_citizen_contacts,
        repeat_contacts=repeat_contacts(facts.history, since),
        cases_opened=len(facts.opened),
        first_contact_resolved=first_contact_resolved(facts.opened),
        chains=chains(facts.handoffs_per_case),
        transfers=list(facts.transfers),
        callbacks=dict(facts.callbacks),
    )
