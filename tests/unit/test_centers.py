"""Centers: opening hours, service-level targets, validation, routing a dialled number, the centers data file."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sori.seed
from crm.centers.catalog import COLUMNS, RowError, parse_centers
from crm.citizens.phone import normalize_phone
from kernel.calendar import WorkCalendar
from kernel.centers import Center, OpeningSpan, ServiceLevelTarget, WeeklyHours, centers_for_number
from kernel.errors import ValidationFailed

KST = ZoneInfo("Asia/Seoul")
CALENDAR = WorkCalendar()
CENTERS_FILE = Path(sori.seed.__file__).with_name("centers.csv")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def kst(year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=KST)


# --- WeeklyHours --------------------------------------------------------------------------------------------


def test_parse_weekday_ranges_and_single_days() -> None:
    hours = WeeklyHours.parse("mon-fri 09:00-18:00; sat 09:00-13:00")
    weekdays = [OpeningSpan(d, dt.time(9), dt.time(18)) for d in range(5)]
    assert hours.spans == (*weekdays, OpeningSpan(5, dt.time(9), dt.time(13)))
    assert not hours.open_on_holidays


def test_parse_day_lists_case_and_spacing() -> None:
    hours = WeeklyHours.parse("  MON,Wed,fri   08:30-12:15 ;; ")
    assert hours.spans == tuple(OpeningSpan(d, dt.time(8, 30), dt.time(12, 15)) for d in (0, 2, 4))


def test_parse_24_00_is_end_of_day() -> None:
    (span,) = WeeklyHours.parse("sun 20:00-24:00").spans
    assert span.closes == dt.time.max


@pytest.mark.parametrize("text", ["24/7", "24x7", "always", " 24/7 ", "ALWAYS"])
def test_parse_round_the_clock(text: str) -> None:
    hours = WeeklyHours.parse(text)
    assert hours.open_on_holidays
    assert hours.spans == tuple(OpeningSpan(d, dt.time(0), dt.time.max) for d in range(7))
    assert hours.render() == "24/7"


def test_holidays_keyword() -> None:
    hours = WeeklyHours.parse("mon-fri 09:00-18:00; holidays")
    assert hours.open_on_holidays
    assert hours.render().endswith("; holidays")


@pytest.mark.parametrize(
    "text",
    [
        "mon-fri 09:00-18:00",
        "mon-fri 09:00-18:00; sat 09:00-13:00",
        "mon-fri 08:00-20:00; holidays",
        "sun 20:00-24:00; mon 00:00-02:00",
        "mon 09:00-12:00; mon 13:00-18:00",
        "mon-sun 00:00-24:00",  # every hour but closed on holidays: not 24/7
        "24/7",
    ],
)
def test_render_round_trips(text: str) -> None:
    hours = WeeklyHours.parse(text)
    rendered = hours.render()
    assert WeeklyHours.parse(rendered) == hours
    assert WeeklyHours.parse(rendered).render() == rendered


def test_render_text_form() -> None:
    assert WeeklyHours.parse("sat 09:00-13:00; sun 10:00-24:00").render() == "sat 09:00-13:00; sun 10:00-24:00"
    assert WeeklyHours.parse("mon-sun 00:00-24:00").render() != "24/7"


_times = st.integers(min_value=0, max_value=24 * 60)


@st.composite
def hours_text(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        first = draw(st.integers(0, 6))
        last = draw(st.integers(first, 6))
        days = DAYS[first] if first == last else f"{DAYS[first]}-{DAYS[last]}"
        opens = draw(st.integers(0, 24 * 60 - 1))
        closes = draw(st.integers(opens + 1, 24 * 60))
        parts.append(f"{days} {opens // 60:02d}:{opens % 60:02d}-{closes // 60:02d}:{closes % 60:02d}")
    if draw(st.booleans()):
        parts.append("holidays")
    return "; ".join(parts)


@settings(max_examples=150, deadline=None)
@given(hours_text())
def test_any_valid_hours_round_trip(text: str) -> None:
    hours = WeeklyHours.parse(text)
    again = WeeklyHours.parse(hours.render())
    assert again == hours or (hours.render() == "24/7" and again.render() == "24/7")
    assert again.render() == hours.render()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "no opening span"),
        ("   ", "no opening span"),
        ("holidays", "no opening span"),
        ("09:00-18:00", "expected 'mon-fri 09:00-18:00'"),
        ("mon-fri", "expected 'mon-fri 09:00-18:00'"),
        ("mon - fri 09:00-18:00", "expected 'mon-fri 09:00-18:00'"),
        ("mon-fri 9-18", "expected HH:MM-HH:MM"),
        ("mon-fri 9:00-18:00", "expected HH:MM-HH:MM"),
        ("mon-fri 09:00~18:00", "expected HH:MM-HH:MM"),
        ("mon-fri 25:00-26:00", "impossible time"),
        ("mon-fri 09:60-18:00", "impossible time"),
        ("mon-fri 09:00-24:30", "impossible time"),
        ("mon-fri 09:00-25:00", "impossible time"),
        ("mon 18:00-09:00", "closes before it opens"),
        ("mon 22:00-02:00", "closes before it opens"),  # overnight spans are two spans, one per day
        ("mon 09:00-09:00", "closes before it opens"),
        ("fri-mon 09:00-18:00", "runs backwards"),
        ("monday 09:00-18:00", "unknown day 'monday'"),
        ("mon-xyz 09:00-18:00", "unknown day in 'mon-xyz'"),
        ("mon,,tue 09:00-18:00", "unknown day ''"),
        ("월-금 09:00-18:00", "unknown day"),
    ],
)
def test_invalid_hours_give_clear_errors(text: str, error: str) -> None:
    with pytest.raises(ValidationFailed, match=error.replace("(", r"\(")) as caught:
        WeeklyHours.parse(text)
    assert caught.value.code == "validation-failed"


def test_error_names_the_offending_part() -> None:
    with pytest.raises(ValidationFailed, match="sat 25:00-26:00"):
        WeeklyHours.parse("mon-fri 09:00-18:00; sat 25:00-26:00")


# --- is_open ------------------------------------------------------------------------------------------------

OFFICE = WeeklyHours.parse("mon-fri 09:00-18:00")


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (kst(2025, 6, 9, 8, 59, 59), False),  # Monday, before opening
        (kst(2025, 6, 9, 9, 0), True),  # opening time is open
        (kst(2025, 6, 9, 12, 0), True),
        (kst(2025, 6, 9, 18, 0), True),  # closing minute itself still counts
        (kst(2025, 6, 9, 18, 0, 1), False),
        (kst(2025, 6, 13, 17, 0), True),  # Friday
        (kst(2025, 6, 14, 10, 0), False),  # Saturday
        (kst(2025, 6, 15, 10, 0), False),  # Sunday
    ],
)
def test_office_hours(moment: dt.datetime, expected: bool) -> None:
    assert OFFICE.is_open(moment, CALENDAR) is expected
    assert OFFICE.is_open(moment.astimezone(dt.UTC), CALENDAR) is expected


def test_is_open_uses_the_seoul_day_not_the_utc_day() -> None:
    all_day_weekdays = WeeklyHours.parse("mon-fri 00:00-24:00")
    # Friday 14:59:59Z is Friday 23:59:59 in Seoul; 15:00Z is already Saturday there.
    assert all_day_weekdays.is_open(dt.datetime(2025, 6, 13, 14, 59, 59, tzinfo=dt.UTC), CALENDAR)
    assert not all_day_weekdays.is_open(dt.datetime(2025, 6, 13, 15, 0, tzinfo=dt.UTC), CALENDAR)
    # Sunday 15:00Z is Monday 00:00 in Seoul.
    assert all_day_weekdays.is_open(dt.datetime(2025, 6, 15, 15, 0, tzinfo=dt.UTC), CALENDAR)
    # Monday 00:30Z is 09:30 in Seoul: office open, though the UTC clock says half past midnight.
    assert OFFICE.is_open(dt.datetime(2025, 6, 9, 0, 30, tzinfo=dt.UTC), CALENDAR)


def test_hours_across_seoul_midnight() -> None:
    late = WeeklyHours.parse("sun 20:00-24:00; mon 00:00-02:00")
    assert late.is_open(kst(2025, 6, 15, 23, 59, 59), CALENDAR)  # Sunday night
    assert late.is_open(kst(2025, 6, 16, 0, 0), CALENDAR)  # Monday 00:00
    assert late.is_open(kst(2025, 6, 16, 2, 0), CALENDAR)
    assert not late.is_open(kst(2025, 6, 16, 2, 1), CALENDAR)
    assert not late.is_open(kst(2025, 6, 16, 23, 0), CALENDAR)  # Monday night is not Sunday night


def test_split_day() -> None:
    split = WeeklyHours.parse("mon 09:00-12:00; mon 13:00-18:00")
    assert split.is_open(kst(2025, 6, 9, 11, 0), CALENDAR)
    assert not split.is_open(kst(2025, 6, 9, 12, 30), CALENDAR)
    assert split.is_open(kst(2025, 6, 9, 13, 0), CALENDAR)


def test_closed_on_holidays_unless_open_on_holidays() -> None:
    election_day = kst(2025, 6, 3, 10, 0)  # Tuesday, 대통령 선거일
    substitute = kst(2026, 3, 2, 10, 0)  # Monday, 삼일절 대체공휴일
    for moment in (election_day, substitute):
        assert not OFFICE.is_open(moment, CALENDAR)
        assert WeeklyHours.parse("mon-fri 09:00-18:00; holidays").is_open(moment, CALENDAR)
        assert WeeklyHours.parse("24/7").is_open(moment, CALENDAR)
    # open on holidays still means: during that weekday's hours
    assert not WeeklyHours.parse("mon-fri 09:00-18:00; holidays").is_open(kst(2025, 6, 3, 20, 0), CALENDAR)
    # a Saturday holiday for a center open on Saturdays
    saturdays = WeeklyHours.parse("mon-sat 09:00-18:00")
    assert not saturdays.is_open(kst(2026, 8, 15, 10, 0), CALENDAR)  # 광복절 on a Saturday
    assert saturdays.is_open(kst(2026, 8, 22, 10, 0), CALENDAR)


def test_temporary_holiday_closes_the_center() -> None:
    moment = kst(2025, 6, 11, 10, 0)
    assert OFFICE.is_open(moment, CALENDAR)
    assert not OFFICE.is_open(moment, WorkCalendar([dt.date(2025, 6, 11)]))


def test_round_the_clock_is_always_open() -> None:
    always = WeeklyHours.parse("24/7")
    start = kst(2025, 12, 29, 0, 0)
    for hour in range(0, 24 * 9, 5):
        assert always.is_open(start + dt.timedelta(hours=hour, minutes=hour % 60), CALENDAR)


def test_is_open_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        OFFICE.is_open(dt.datetime(2025, 6, 9, 10, 0), CALENDAR)


# --- ServiceLevelTarget -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "percent", "seconds"),
    [("80/20", 80, 20), ("90/10", 90, 10), ("100/3600", 100, 3600), ("1/1", 1, 1), (" 80 / 20 ", 80, 20)],
)
def test_service_level_parse(text: str, percent: int, seconds: int) -> None:
    target = ServiceLevelTarget.parse(text)
    assert (target.percent, target.seconds) == (percent, seconds)
    assert target.render() == f"{percent}/{seconds}"
    assert ServiceLevelTarget.parse(target.render()) == target


def test_service_level_default_is_80_20() -> None:
    assert ServiceLevelTarget() == ServiceLevelTarget(80, 20)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "expected PERCENT/SECONDS"),
        ("80", "expected PERCENT/SECONDS"),
        ("80/20/5", "expected PERCENT/SECONDS"),
        ("80%/20s", "expected PERCENT/SECONDS"),
        ("eighty/twenty", "expected PERCENT/SECONDS"),
        ("0/20", "out of range"),
        ("101/20", "out of range"),
        ("-5/20", "out of range"),
        ("80/0", "out of range"),
        ("80/3601", "out of range"),
    ],
)
def test_service_level_rejects(text: str, error: str) -> None:
    with pytest.raises(ValidationFailed, match=error):
        ServiceLevelTarget.parse(text)


# --- Center -------------------------------------------------------------------------------------------------


def make_center(code: str = "ACRC110", **changes: object) -> Center:
    fields: dict[str, object] = {"name": "정부민원안내콜센터", "institution": "국민권익위원회", "public_number": "110"}
    fields.update(changes)
    return Center(code=code, **fields)  # type: ignore[arg-type]


def test_center_defaults() -> None:
    center = make_center()
    assert center.weekly_hours == WeeklyHours.parse("mon-fri 09:00-18:00")
    assert center.service_level_target == ServiceLevelTarget(80, 20)
    assert center.active and not center.demo
    assert center.area_codes == [] and center.overflow_partners == []


@pytest.mark.parametrize("number", ["110", "120", "1350", "1588-1234", "02-120-1234", "031-1234-5678"])
def test_center_public_numbers(number: str) -> None:
    assert make_center(public_number=number).public_number == number


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"code": "acrc110"}, "center code 'acrc110'"),
        ({"code": "1ACRC"}, "center code"),
        ({"code": "A"}, "center code"),
        ({"code": "A" * 21}, "center code"),
        ({"code": "ACRC-110"}, "center code"),
        ({"code": ""}, "center code"),
        ({"name": ""}, "name is empty"),
        ({"name": "   "}, "name is empty"),
        ({"public_number": ""}, "is not a number"),
        ({"public_number": "one-one-zero"}, "is not a number"),
        ({"public_number": "02 123 4567"}, "is not a number"),
        ({"public_number": "+82-2-123-4567"}, "is not a number"),
        ({"public_number": "11"}, "is not a number"),
        ({"hours": "weekdays"}, "hours"),
        ({"hours": "mon-fri 18:00-09:00"}, "closes before it opens"),
        ({"service_level": "80"}, "service level"),
        ({"service_level": "0/20"}, "out of range"),
        ({"overflow_partners": ["GOV24", "ACRC110"]}, "cannot overflow to itself"),
    ],
)
def test_center_validation(changes: dict[str, object], error: str) -> None:
    code = str(changes.pop("code", "ACRC110"))
    with pytest.raises(ValidationFailed, match=error):
        make_center(code, **changes)


# --- centers_for_number -------------------------------------------------------------------------------------


def city(code: str, area: str, active: bool = True) -> Center:
    return make_center(
        code, name=f"{code} 콜센터", institution=code, public_number="120", area_codes=[area], active=active
    )


SEOUL = city("SEOUL120", "02")
GYEONGGI = city("GYEONGGI120", "031")
INCHEON = city("INCHEON120", "032")
GANGWON_CLOSED = city("GANGWON120", "033", active=False)
ACRC = make_center("ACRC110")
WORLD = [ACRC, SEOUL, GYEONGGI, INCHEON, GANGWON_CLOSED]


@pytest.mark.parametrize(
    ("dialled", "area", "expected"),
    [
        ("120", "02", [SEOUL]),
        ("120", "031", [GYEONGGI]),
        ("120", "032", [INCHEON]),
        ("120", None, [SEOUL, GYEONGGI, INCHEON]),  # mobile caller: the IVR asks for the region
        ("120", "064", [SEOUL, GYEONGGI, INCHEON]),  # no local center: every candidate
        ("120", "033", [SEOUL, GYEONGGI, INCHEON]),  # the local center is inactive
        ("110", "02", [ACRC]),  # one center: the area code does not matter
        ("110", None, [ACRC]),
        ("1350", "02", []),
    ],
)
def test_centers_for_number(dialled: str, area: str | None, expected: list[Center]) -> None:
    assert centers_for_number(WORLD, dialled, area) == expected


def test_inactive_centers_never_answer() -> None:
    assert centers_for_number([GANGWON_CLOSED], "120", "033") == []


def test_shared_number_chosen_by_the_callers_phone() -> None:
    landline = normalize_phone("031-123-4567")
    mobile = normalize_phone("010-1234-5678")
    assert centers_for_number(WORLD, "120", landline.area_code) == [GYEONGGI]
    assert len(centers_for_number(WORLD, "120", mobile.area_code)) == 3


# --- parse_centers ------------------------------------------------------------------------------------------


def row(code: str, **values: str) -> dict[str, str | None]:
    base: dict[str, str | None] = {c: "" for c in COLUMNS}
    base.update({"code": code, "name": f"{code} 센터", "institution": "기관", "public_number": "110"})
    base.update(values)
    return base


def test_parse_centers_fields() -> None:
    centers, errors = parse_centers(
        [
            row(
                "SEOUL120",
                public_number="120",
                area_codes="02; 031 ;",
                region="서울특별시",
                hours="24/7",
                service_level="90/10",
                overflow_partners="GYEONGGI120",
                active="yes",
                demo="no",
            ),
            row("GYEONGGI120", public_number="120", area_codes="031", overflow_partners="SEOUL120"),
        ]
    )
    assert errors == []
    seoul, gyeonggi = centers
    assert seoul.area_codes == ["02", "031"]
    assert seoul.region == "서울특별시"
    assert seoul.hours == "24/7" and seoul.service_level == "90/10"
    assert seoul.overflow_partners == ["GYEONGGI120"]
    assert seoul.active and not seoul.demo
    # blank optional columns take the defaults
    assert gyeonggi.hours == "mon-fri 09:00-18:00" and gyeonggi.service_level == "80/20"
    assert gyeonggi.region is None and gyeonggi.active and not gyeonggi.demo


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        (" y ", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("n", False),
    ],
)
def test_parse_centers_flags(value: str, expected: bool) -> None:
    centers, errors = parse_centers([row("X1", active=value, demo=value)])
    assert errors == []
    assert (centers[0].active, centers[0].demo) == (expected, expected)


def test_missing_columns_take_defaults() -> None:
    centers, errors = parse_centers(
        [{"code": "X1", "name": "가", "institution": "나", "public_number": "110", "active": None}]
    )
    assert errors == []
    assert centers[0].active and centers[0].hours == "mon-fri 09:00-18:00"


def test_bad_rows_are_reported_by_line_and_good_rows_still_load() -> None:
    rows = [
        row("GOOD1"),  # line 2 (line 1 is the header)
        row("", name=""),  # 3: missing code and name
        row("BAD2", public_number=""),  # 4
        row("GOOD1"),  # 5: duplicate
        row("BAD3", hours="mon-fri 9-18"),  # 6
        row("BAD4", active="maybe"),  # 7
        row("bad5"),  # 8: lower-case code
        row("BAD6", service_level="eighty"),  # 9
        row("GOOD2", overflow_partners="GOOD1"),  # 10
        row("BAD7", overflow_partners="BAD7"),  # 11
    ]
    centers, errors = parse_centers(rows)
    assert [c.code for c in centers] == ["GOOD1", "GOOD2"]
    assert centers[1].overflow_partners == ["GOOD1"]
    assert [(e.line, e.code) for e in errors] == [
        (3, None),
        (4, "BAD2"),
        (5, "GOOD1"),
        (6, "BAD3"),
        (7, "BAD4"),
        (8, "bad5"),
        (9, "BAD6"),
        (11, "BAD7"),
    ]
    messages = {e.line: e.message for e in errors}
    assert messages[3] == "missing code, name"
    assert messages[4] == "missing public_number"
    assert messages[5] == "duplicate center code GOOD1"
    assert "expected HH:MM-HH:MM" in messages[6]
    assert "'maybe' is not a yes/no flag" in messages[7]
    assert "center code 'bad5'" in messages[8]
    assert "service level 'eighty'" in messages[9]
    assert "cannot overflow to itself" in messages[11]


def test_first_line_can_be_chosen() -> None:
    _, errors = parse_centers([row("OK1"), row("BAD", public_number="")], first_line=10)
    assert [e.line for e in errors] == [11]


def test_unknown_overflow_partner_is_reported_on_its_line_and_dropped() -> None:
    centers, errors = parse_centers(
        [row("AAA1", overflow_partners="BBB1"), row("BBB1", overflow_partners="NOPE; AAA1; GONE")]
    )
    assert [c.code for c in centers] == ["AAA1", "BBB1"]
    assert centers[1].overflow_partners == ["AAA1"]
    assert errors == [RowError(3, "BBB1", "overflow partner(s) not in file: NOPE, GONE")]


def test_overflow_partner_that_failed_to_load_counts_as_unknown() -> None:
    centers, errors = parse_centers([row("AAA1", public_number="x"), row("BBB1", overflow_partners="AAA1")])
    assert [c.code for c in centers] == ["BBB1"]
    assert centers[0].overflow_partners == []
    assert [(e.line, e.code) for e in errors] == [(2, "AAA1"), (3, "BBB1")]


def test_duplicate_of_a_bad_row_still_loads() -> None:
    centers, errors = parse_centers([row("AAA1", hours="nonsense 1"), row("AAA1")])
    assert [c.code for c in centers] == ["AAA1"]
    assert [e.line for e in errors] == [2]


# --- the real centers data file -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_centers() -> tuple[list[Center], list[RowError]]:
    with CENTERS_FILE.open(newline="", encoding="utf-8-sig") as handle:
        return parse_centers(csv.DictReader(handle))


def test_data_file_loads_156_centers_without_errors(real_centers: tuple[list[Center], list[RowError]]) -> None:
    centers, errors = real_centers
    assert errors == []
    assert len(centers) == 156


def test_data_file_has_the_expected_header() -> None:
    with CENTERS_FILE.open(newline="", encoding="utf-8-sig") as handle:
        assert tuple(next(csv.reader(handle))) == COLUMNS


def test_data_file_codes_are_unique(real_centers: tuple[list[Center], list[RowError]]) -> None:
    codes = Counter(c.code for c in real_centers[0])
    assert [code for code, n in codes.items() if n > 1] == []


def test_data_file_overflow_partners_exist(real_centers: tuple[list[Center], list[RowError]]) -> None:
    centers = real_centers[0]
    known = {c.code for c in centers}
    dangling = {c.code: p for c in centers for p in c.overflow_partners if p not in known}
    assert dangling == {}


def test_data_file_shared_numbers_are_decided_by_area_code(
    real_centers: tuple[list[Center], list[RowError]],
) -> None:
    centers = real_centers[0]
    shared = Counter(c.public_number for c in centers if c.active)
    for center in centers:
        if center.active and shared[center.public_number] > 1:
            assert center.area_codes, f"{center.code} shares {center.public_number} but has no area code"
            for area in center.area_codes:
                assert centers_for_number(centers, center.public_number, area) == [center]
    seoul = [c.code for c in centers_for_number(centers, "120", normalize_phone("02-123-4567").area_code)]
    assert seoul == ["SEOUL120"]
    assert len(centers_for_number(centers, "120", normalize_phone("010-1234-5678").area_code)) > 1


def test_data_file_hours_and_targets_parse(real_centers: tuple[list[Center], list[RowError]]) -> None:
    for center in real_centers[0]:
        assert center.weekly_hours.spans
        assert center.service_level_target.percent > 0
