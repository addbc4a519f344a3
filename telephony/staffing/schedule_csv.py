"""The staffing schedule planners import per center: a CSV file in a Korean template, parsed and checked.

Template (UTF-8, a BOM tolerated, as Excel writes it)::

    날짜,시작시각,상담사수,간격(분)
    2026-12-08,09:00,12,15
    2026-12-08,09:15,14,15
    2026-12-08,10:00,15,60

- 날짜: the Seoul date, YYYY-MM-DD; 시작시각: the Seoul start time, HH:MM on a 15-minute boundary;
- 상담사수: agents scheduled on the phones (a whole number, 0 to 10,000);
- 간격(분): optional column (15 when absent or empty): 15, 30 or 60. A 30- or 60-minute row stands for its
  2 or 4 fifteen-minute intervals, each with the same number of agents (the schedule is kept per 15 minutes).

Every row is checked; any bad row (unreadable date or time, a time off the 15-minute grid, a bad count, an
interval another row already covers) is reported with its row number (the header is row 1) and a Korean
reason, and then the whole file is refused (``ScheduleInvalid``): nothing is imported from a file with an error.
Pure: it takes the text, not a file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from kernel.calendar import SEOUL
from telephony.staffing.errors import ScheduleInvalid

HEADER = ("날짜", "시작시각", "상담사수", "간격(분)")
LENGTHS = (15, 30, 60)
MAX_AGENTS = 10_000
TEMPLATE = "날짜,시작시각,상담사수,간격(분)\n2026-12-08,09:00,12,15\n2026-12-08,09:15,14,15\n2026-12-08,10:00,15,60\n"


@dataclass(frozen=True)
class StaffedInterval:
    interval_start: dt.datetime  # aware, Seoul time, on a 15-minute boundary
    agents: int


def parse_schedule(text: str) -> list[StaffedInterval]:
    """The 15-minute intervals of a schedule file, in time order; ``ScheduleInvalid`` on any bad row."""
    text = text.removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    errors: list[tuple[int, str]] = []
    if not rows or [cell.strip() for cell in rows[0][:3]] != list(HEADER[:3]):
        raise ScheduleInvalid([(1, f"머리글은 '{','.join(HEADER)}' 이어야 합니다 (간격(분) 열은 생략 가능)")])
    header = [cell.strip() for cell in rows[0]]
    if len(header) > 4 or (len(header) == 4 and header[3] != HEADER[3]):
        raise ScheduleInvalid([(1, f"알 수 없는 열이 있습니다: {','.join(header[3:])}")])
    seen: dict[dt.datetime, int] = {}
    out: list[StaffedInterval] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines, as spreadsheets leave them at the end
        try:
            starts, agents = _row(row)
        except ValueError as exc:
            errors.append((number, str(exc)))
            continue
        for start in starts:
            if start in seen:
                errors.append((number, f"{start:%Y-%m-%d %H:%M} 구간이 {seen[start]}행과 겹칩니다"))
                break
            seen[start] = number
        else:
            out.extend(StaffedInterval(start, agents) for start in starts)
    if errors:
        raise ScheduleInvalid(errors)
    return sorted(out, key=lambda interval: interval.interval_start)


def _row(row: list[str]) -> tuple[list[dt.datetime], int]:
    cells = [cell.strip() for cell in row]
    if len(cells) < 3 or len(cells) > 4:
        raise ValueError(f"열이 3개 또는 4개여야 합니다 ({len(cells)}개)")
    day_text, time_text, agents_text = cells[:3]
    try:
        day = dt.date.fromisoformat(day_text)
        if len(day_text) != 10:
            raise ValueError
    except ValueError:
        raise ValueError(f"날짜 '{day_text}'는 YYYY-MM-DD 형식이어야 합니다") from None
    try:
        start = dt.datetime.strptime(time_text, "%H:%M").time()
    except ValueError:
        raise ValueError(f"시작시각 '{time_text}'는 HH:MM 형식이어야 합니다") from None
    if start.minute % 15:
        raise ValueError(f"시작시각 '{time_text}'는 15분 단위(00, 15, 30, 45분)여야 합니다")
    if not agents_text.isdigit() or not agents_text.isascii():
        raise ValueError(f"상담사수 '{agents_text}'는 0 이상의 정수여야 합니다")
    agents = int(agents_text)
    if agents > MAX_AGENTS:
        raise ValueError(f"상담사수 {agents}는 {MAX_AGENTS:,} 이하여야 합니다")
    length_text = cells[3] if len(cells) == 4 and cells[3] else "15"
    if length_text not in {str(n) for n in LENGTHS}:
        raise ValueError(f"간격(분) '{length_text}'는 15, 30, 60 중 하나여야 합니다")
    first = dt.datetime.combine(day, start, tzinfo=SEOUL)
    return [first + dt.timedelta(minutes=m) for m in range(0, int(length_text), 15)], agents
