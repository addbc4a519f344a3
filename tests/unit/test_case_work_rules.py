"""Case work's pure rules: suggestion ranks, callback windows and number references, byte ranges, and
recording paths that must stay under the recordings root."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from crm.access.recordings import recording_file
from crm.cases.scheduled_callbacks import check_window, in_window, parse_phone_ref
from crm.cases.suggestions import case_text, choice_rank, shown_suggestions
from kernel.errors import ValidationFailed
from kernel.http.ranges import RangeNotSatisfiable, parse_range

NOW = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)
SEOUL = dt.timezone(dt.timedelta(hours=9))


def test_choice_rank_is_one_based_and_none_for_another_category() -> None:
    shown = ("교통/건축/국토", "행정", "보건복지")
    assert [choice_rank(c, shown) for c in shown] == [1, 2, 3]
    assert choice_rank("일자리", shown) is None
    assert choice_rank("행정", ()) is None


def test_shown_suggestions_are_checked() -> None:
    assert shown_suggestions([" 행정 ", "일자리"]) == ("행정", "일자리")
    for bad in ([], ["행정", "행정"], [" "], [f"c{i}" for i in range(11)], ["가" * 101]):
        with pytest.raises(ValidationFailed):
            shown_suggestions(bad)


def test_case_text_joins_summary_and_notes_and_is_capped() -> None:
    assert case_text(" 버스 노선 ", [None, "", "정류장 위치"]) == "버스 노선\n정류장 위치"
    assert len(case_text("가" * 30000, [])) == 20000


def test_window_rules() -> None:
    start = (NOW + dt.timedelta(hours=1)).astimezone(SEOUL)  # a Seoul offset is accepted, stored in UTC
    window = check_window(start, start + dt.timedelta(minutes=15), NOW)
    assert window.start == NOW + dt.timedelta(hours=1) and window.start.tzinfo == dt.UTC
    refused = [
        (NOW, NOW + dt.timedelta(hours=1)),  # starts now, not in the future
        (NOW - dt.timedelta(hours=1), NOW + dt.timedelta(hours=1)),
        (NOW + dt.timedelta(hours=1), NOW + dt.timedelta(hours=1, minutes=14, seconds=59)),  # under 15 minutes
        (NOW + dt.timedelta(days=13, hours=23), NOW + dt.timedelta(days=14, minutes=1)),  # ends past 14 days
        (NOW.replace(tzinfo=None) + dt.timedelta(hours=1), NOW.replace(tzinfo=None) + dt.timedelta(hours=2)),
    ]
    for a, b in refused:
        with pytest.raises(ValidationFailed):
            check_window(a, b, NOW)
    assert check_window(NOW + dt.timedelta(days=13), NOW + dt.timedelta(days=14), NOW).end == NOW + dt.timedelta(
        days=14
    )


def test_in_window() -> None:
    start, end = NOW + dt.timedelta(hours=1), NOW + dt.timedelta(hours=2)
    assert in_window(start, end, NOW) == "early"
    assert in_window(start, end, start) == "open"
    assert in_window(start, end, end) == "expired"
    assert in_window(start, None, NOW) == "open"  # a dropped call's callback: due_at is a deadline


def test_phone_refs() -> None:
    assert parse_phone_ref("calling:12") == ("calling", 12)
    assert parse_phone_ref("phone:3") == ("phone", 3)
    for bad in (None, "", "010-1234-5678", "phone:", "phone:-1", "sip:1", "calling:1a"):
        assert parse_phone_ref(bad) is None


def test_byte_ranges() -> None:
    assert parse_range(None, 100, 10) is None
    assert parse_range("bytes=10-19", 100, 50).content_range(100) == "bytes 10-19/100"  # type: ignore[union-attr]
    assert parse_range("bytes=90-200", 100, 50) == parse_range("bytes=90-99", 100, 50)
    opened = parse_range("bytes=0-", 100, 30)
    assert opened is not None and (opened.start, opened.end, opened.length) == (0, 29, 30)
    suffix = parse_range("bytes=-10", 100, 30)
    assert suffix is not None and (suffix.start, suffix.end) == (90, 99)
    assert parse_range("bytes=-500", 100, 30) == parse_range("bytes=0-99", 100, 30)
    assert parse_range("bytes=5-1", 100, 30) is None  # invalid: ignored
    assert parse_range("items=1-2", 100, 30) is None
    for bad in ("bytes=100-", "bytes=200-300", "bytes=-0"):
        with pytest.raises(RangeNotSatisfiable):
            parse_range(bad, 100, 30)
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=0-", 0, 30)


def test_recording_file_stays_under_the_root(tmp_path: Path) -> None:
    root = tmp_path / "recordings"
    (root / "2026").mkdir(parents=True)
    (tmp_path / "secret.wav").write_bytes(b"x")
    assert recording_file(root, "2026/a.wav") == (root / "2026" / "a.wav").resolve()
    for ref in ("../secret.wav", "2026/../../secret.wav", str(tmp_path / "secret.wav"), "", ".", None):
        assert recording_file(root, ref) is None, ref
    (root / "link.wav").symlink_to(tmp_path / "secret.wav")
    assert recording_file(root, "link.wav") is None  # a symbolic link out of the root
    assert recording_file(None, "2026/a.wav") is None
