"""Errors of the staffing tools, with stable codes (their HTTP statuses are in ``telephony.http_status``)."""

from __future__ import annotations

from kernel.errors import DomainError


class ScheduleInvalid(DomainError):
    """A schedule file with bad rows; ``details["rows"]`` lists ``(row number, Korean reason)``, and nothing
    of the file is imported."""

    code = "schedule-invalid"

    def __init__(self, rows: list[tuple[int, str]]) -> None:
        lines = "; ".join(f"{number}행: {reason}" for number, reason in rows[:20])
        more = f" 외 {len(rows) - 20}건" if len(rows) > 20 else ""
        super().__init__(f"일정 파일에 잘못된 행이 있어 가져오지 않았습니다: {lines}{more}", rows=rows)
        self.rows = rows
