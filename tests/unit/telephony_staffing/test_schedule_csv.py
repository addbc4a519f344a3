"""The Korean schedule template: good files become 15-minute intervals; any bad row refuses the whole file."""

from __future__ import annotations

import datetime as dt

import pytest

from kernel.calendar import SEOUL
from telephony.staffing.errors import ScheduleInvalid
from telephony.staffing.schedule_csv import TEMPLATE, StaffedInterval, parse_schedule


def seoul(hour: int, minute: int, day: int = 8) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SEOUL)


def test_the_template_parses_and_longer_rows_expand_to_fifteen_minutes() -> None:
    rows = parse_schedule(TEMPLATE)
    assert rows[:2] == [StaffedInterval(seoul(9, 0), 12), StaffedInterval(seoul(9, 15), 14)]
    # the 60-minute row 10:00 stands for 10:00, 10:15, 10:30 and 10:45
    assert rows[2:] == [StaffedInterval(seoul(10, m), 15) for m in (0, 15, 30, 45)]


def test_a_bom_blank_lines_spaces_and_the_optional_column_are_tolerated() -> None:
    text = "\ufeff날짜,시작시각,상담사수\r\n2026-12-08, 23:45 ,3\r\n\r\n2026-12-09,00:00,0\r\n"
    assert parse_schedule(text) == [StaffedInterval(seoul(23, 45), 3), StaffedInterval(seoul(0, 0, day=9), 0)]
    assert parse_schedule("날짜,시작시각,상담사수,간격(분)\n2026-12-08,09:30,4,30\n") == [
        StaffedInterval(seoul(9, 30), 4), StaffedInterval(seoul(9, 45), 4),
    ]  # fmt: skip


def test_every_bad_row_is_named_with_its_number_and_a_korean_reason() -> None:
    text = "\n".join([
        "날짜,시작시각,상담사수,간격(분)",
        "2026-12-08,09:00,12,15",  # row 2: good
        "2026/12/08,09:15,12,15",  # 3: date format
        "2026-12-08,9시,12,15",  # 4: time format
        "2026-12-08,09:10,12,15",  # 5: off the grid
        "2026-12-08,09:30,열두,15",  # 6: not a number
        "2026-12-08,09:45,-1,15",  # 7: negative
        "2026-12-08,10:00,12,45",  # 8: bad length
        "2026-12-08,08:45,12,30",  # 9: 08:45 + 09:00, which row 2 holds
        "2026-12-08,11:00",  # 10: missing column
        "2026-02-30,11:00,3,15",  # 11: no such day
    ])  # fmt: skip
    with pytest.raises(ScheduleInvalid) as caught:
        parse_schedule(text)
    rows = dict(caught.value.rows)
    assert sorted(rows) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "YYYY-MM-DD" in rows[3] and "HH:MM" in rows[4] and "15분 단위" in rows[5]
    assert "정수" in rows[6] and "정수" in rows[7] and "15, 30, 60" in rows[8]
    assert "2행과 겹칩니다" in rows[9] and "열" in rows[10] and "YYYY-MM-DD" in rows[11]
    assert caught.value.code == "schedule-invalid"
    assert "3행" in caught.value.message


def test_a_wrong_header_is_row_one() -> None:
    with pytest.raises(ScheduleInvalid) as caught:
        parse_schedule("date,time,agents\n2026-12-08,09:00,3\n")
    assert caught.value.rows[0][0] == 1
    with pytest.raises(ScheduleInvalid):
        parse_schedule("")
