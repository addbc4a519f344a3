"""Center services: import (create or update, never delete) from the centers data file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from crm.ports import UnitOfWork
from kernel.centers import Center

_FIELDS = (
    "name",
    "institution",
    "public_number",
    "hours",
    "service_level",
    "region",
    "area_codes",
    "overflow_partners",
    "active",
    "demo",
)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_file: list[str] = field(default_factory=list)  # kept as they are: centers are never deleted


def import_centers(uow: UnitOfWork, centers: Iterable[Center]) -> ImportReport:
    report = ImportReport()
    incoming = list(centers)
    codes = {c.code for c in incoming}
    known = {c.code: c for c in uow.centers.list()}
    for center in incoming:
        existing = known.get(center.code)
        if existing is None:
            uow.centers.add(center)
            report.created.append(center.code)
            continue
        changed = False
        for name in _FIELDS:
            value = getattr(center, name)
            if getattr(existing, name) != value:
                setattr(existing, name, list(value) if isinstance(value, list) else value)
                changed = True
        (report.updated if changed else report.unchanged).append(center.code)
    report.not_in_file = sorted(set(known) - codes)
    return report
