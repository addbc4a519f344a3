"""Reading the centers data file: rows (already split by a CSV reader) into Centers, with per-row errors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kernel.centers import Center
from kernel.errors import DomainError

COLUMNS = (
    "code",
    "name",
    "institution",
    "public_number",
    "area_codes",
    "region",
    "hours",
    "service_level",
    "overflow_partners",
    "active",
    "demo",
)
REQUIRED = ("code", "name", "institution", "public_number")


@dataclass(frozen=True)
class RowError:
    line: int
    code: str | None
    message: str


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    text = value.strip().lower()
    if text in ("1", "true", "yes", "y"):
        return True
    if text in ("0", "false", "no", "n"):
        return False
    raise ValueError(f"'{value}' is not a yes/no flag")


def parse_centers(rows: Iterable[Mapping[str, str | None]], first_line: int = 2) -> tuple[list[Center], list[RowError]]:
    """Parse every row; bad rows are reported with their line number, the rest still load.

    Overflow partners must name centers of the same file (or be left empty).
    """
    centers: list[Center] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}  # code -> line, so later checks can still name the line
    for line, row in enumerate(rows, start=first_line):
        code = (row.get("code") or "").strip() or None
        missing = [c for c in REQUIRED if not (row.get(c) or "").strip()]
        if missing:
            errors.append(RowError(line, code, f"missing {', '.join(missing)}"))
            continue
        assert code is not None
        if code in seen:
            errors.append(RowError(line, code, f"duplicate center code {code}"))
            continue
        try:
            center = Center(
                code=code,
                name=(row.get("name") or "").strip(),
                institution=(row.get("institution") or "").strip(),
                public_number=(row.get("public_number") or "").strip(),
                hours=(row.get("hours") or "").strip() or "mon-fri 09:00-18:00",
                service_level=(row.get("service_level") or "").strip() or "80/20",
                region=(row.get("region") or "").strip() or None,
                area_codes=_split(row.get("area_codes")),
                overflow_partners=_split(row.get("overflow_partners")),
                active=_flag(row.get("active"), True),
                demo=_flag(row.get("demo"), False),
            )
        except (DomainError, ValueError) as exc:
            message = exc.message if isinstance(exc, DomainError) else str(exc)
            errors.append(RowError(line, code, message))
            continue
        seen[code] = line
        centers.append(center)
    known = {c.code for c in centers}
    for center in centers:
        unknown = [p for p in center.overflow_partners if p not in known]
        if unknown:
            errors.append(
                RowError(seen[center.code], center.code, f"overflow partner(s) not in file: {', '.join(unknown)}")
            )
            center.overflow_partners = [p for p in center.overflow_partners if p in known]
    return centers, errors
