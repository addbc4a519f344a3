"""The dialled numbers the edge accepts, and which centers each one may reach.

Computed once from the centers list when the configuration is rendered. A number
answered by one center has one candidate; a shared number (120) lists every
regional center, and the caller's area code narrows it when the caller is a
landline (mobiles and 070 leave the choice to the IVR's region menu).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kernel.centers import Center

# Korean geographic area codes: 02 (Seoul) and 031-033, 041-044, 051-055, 061-064.
LANDLINE_AREA = re.compile(r"^(02|0(?:3[1-3]|4[1-4]|5[1-5]|6[1-4]))\d{7,8}$")


@dataclass(frozen=True)
class DialledNumber:
    """One public number: what callers dial (digits), how Sori writes it, and who answers."""

    digits: str  # Request-URI user as dialled: "110", "15771000"
    public_number: str  # as in the centers list: "110", "1577-1000"
    centers: tuple[str, ...]  # center codes answering this number, in list order
    by_area: dict[str, str] = field(default_factory=dict)  # area code -> center code, for shared numbers

    @property
    def shared(self) -> bool:
        return len(self.centers) > 1


@dataclass(frozen=True)
class NumberPlan:
    """Every dialled number of the active centers, keyed by digits."""

    numbers: dict[str, DialledNumber]

    @classmethod
    def from_centers(cls, centers: Iterable[Center]) -> NumberPlan:
        grouped: dict[str, list[Center]] = {}
        for center in centers:
            if center.active:
                grouped.setdefault(center.public_number, []).append(center)
        numbers: dict[str, DialledNumber] = {}
        for public, members in grouped.items():
            digits = public.replace("-", "")
            by_area = {area: c.code for c in members for area in c.area_codes} if len(members) > 1 else {}
            numbers[digits] = DialledNumber(digits, public, tuple(c.code for c in members), by_area)
        return cls(dict(sorted(numbers.items())))

    def candidates(self, digits: str, caller: str) -> tuple[str, ...]:
        """The centers a call to ``digits`` from ``caller`` may belong to (empty: unknown number).

        The same decision the generated Kamailio script takes; kept here so it can be unit-tested.
        """
        number = self.numbers.get(digits)
        if number is None:
            return ()
        area = caller_area_code(caller)
        if number.shared and area in number.by_area:
            return (number.by_area[area],)
        return number.centers


def caller_area_code(caller: str) -> str | None:
    """The area code of a landline caller (``0212345678`` -> ``02``), or None for mobiles and others."""
    national = "0" + caller[3:] if caller.startswith("+82") else caller
    match = LANDLINE_AREA.match(national)
    return match.group(1) if match else None
