"""The supervisors' staffing page without a network: its callbacks as plain functions over the in-memory history
(sums of the tallies of a list of calls) and schedule, with the real forecast and planner
(``telephony.staffing``); the agents and service levels checked against the KPI module's own Erlang C; the
schedule upload and its Korean errors; the scope rule."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import pytest

from dashboard.staffing import staffing_view, template_download, upload_view
from dashboard.supervisor_ports import Granularity, GroupBy
from kernel.accounts import Viewer
from kernel.calendar import SEOUL, WorkCalendar
from telephony.acd import kpi
from tests.support.supervisor_fakes import FakeHistory, FakeStaffing, call
from tests.unit.test_history_dashboard import ADMIN, SUP, rows_of, text

DAY = dt.date(2026, 4, 21)  # a Tuesday; the six Tuesdays before it are working days
CALENDAR = WorkCalendar()


def at(day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=SEOUL)


def history() -> FakeHistory:
    """Each of the six Tuesdays before: 12 calls answered at 10:00-10:15 (AHT 300 s), 2 abandoned after 30 s;
    SEOUL120 has its own calls that ACRC110's plan must not see."""
    calls = []
    for week in range(1, 7):
        day = DAY - dt.timedelta(weeks=week)
        calls += [call("ACRC110", at(day, 10, n), wait=5, talk=240, wrapup=60, agent=1, call_id=f"{week}-{n}")
                  for n in range(12)]  # fmt: skip
        calls += [call("ACRC110", at(day, 10, 13, n), wait=30, abandoned=True, call_id=f"{week}-a{n}")
                  for n in range(2)]  # fmt: skip
        calls += [
            call("SEOUL120", at(day, 10, n), wait=5, talk=100, agent=3, call_id=f"s{week}-{n}") for n in range(40)
        ]
    return FakeHistory(calls, {1: "kim", 3: "park"})


def schedule() -> FakeStaffing:
    return FakeStaffing({("ACRC110", at(DAY, 10, 0)): 5, ("ACRC110", at(DAY, 10, 15)): 6})


def view(viewer: Viewer = SUP, center: Any = "ACRC110", target: Any = 80, threshold: Any = 20,
         data: FakeHistory | None = None) -> list[Any]:  # fmt: skip
    return staffing_view(viewer, data or history(), schedule(), CALENDAR, center, DAY.isoformat(), target, threshold)


def test_the_plan_of_a_day_forecasts_from_the_same_weekday_and_staffs_it_by_erlang_c_and_a() -> None:
    data = history()
    parts = view(data=data)
    assert "2026-04-21 (화)" in text(parts) and "목표 80% / 20초" in text(parts)
    rows = {r[0]: r for r in rows_of(parts, "staffing-table")}
    assert list(rows) == ["10:00", "10:15"], "the span with calls forecast or agents scheduled"
    assert "10:00~10:30 구간" in text(parts)
    ten = rows["10:00"]
    traffic = kpi.traffic_erlangs(14, 900, 300)  # 12 answered + 2 long abandons a Tuesday, AHT (240+60) s
    assert ten[1:4] == ["14.0", "5:00", str(kpi.agents_needed(14, 900, 300, 0.8, 20))]
    erlang_a = int(ten[4])
    assert 0 < erlang_a <= int(ten[3]), "callers who hang up: Erlang A never needs more agents than Erlang C"
    assert ten[5] == "5" and ten[6] == f"{kpi.erlang_service_level(traffic, 5, 300, 20) * 100:.1f}%"
    assert ten[7].endswith("%") and ten[8].endswith("%"), "Erlang A's service level and abandonment for 5 agents"
    assert rows["10:15"][1:6] == ["0.0", "—", "0", "0", "6"], "no call forecast, 6 scheduled"
    [(query, scope)] = data.queries
    assert (query.granularity, query.group_by, query.centers) == (Granularity.MIN15, GroupBy.CENTER,
                                                                  frozenset({"ACRC110"}))  # fmt: skip
    assert (query.start, query.end) == (DAY - dt.timedelta(weeks=6), DAY - dt.timedelta(days=1))
    assert scope.centers == frozenset({"ACRC110"})


def test_a_higher_target_needs_more_agents() -> None:
    low = {r[0]: r for r in rows_of(view(target=70, threshold=30), "staffing-table")}["10:00"]
    high = {r[0]: r for r in rows_of(view(target=95, threshold=10), "staffing-table")}["10:00"]
    assert int(high[3]) > int(low[3]) and int(high[4]) >= int(low[4])


def test_a_day_without_history_says_so() -> None:
    parts = staffing_view(SUP, FakeHistory([]), FakeStaffing(), CALENDAR, "", DAY.isoformat(), 80, 20)
    assert "예측할 통화 이력이 없습니다." in text(parts) and "배치 계획 없음" in text(parts)


@pytest.mark.parametrize(
    ("viewer", "center", "target", "threshold", "message"),
    [
        (SUP, "SEOUL120", 80, 20, "권한 밖의 콜센터입니다: SEOUL120"),
        (SUP, ["ACRC110"], 80, 20, "콜센터 선택이 올바르지 않습니다."),
        (ADMIN, "", 80, 20, "콜센터를 고르세요."),
        (SUP, "ACRC110", 100, 20, "목표 서비스 레벨은 1~99% 사이입니다."),
        (SUP, "ACRC110", "많이", 20, "숫자로 입력하세요"),
        (SUP, "ACRC110", 80, 0, "기준 시간은 1~600초 사이입니다."),
    ],
)
def test_forged_or_bad_inputs_get_a_korean_refusal(viewer: Viewer, center: Any, target: Any, threshold: Any,
                                                   message: str) -> None:  # fmt: skip
    data = history()
    parts = view(viewer, center, target, threshold, data)
    assert message in text(parts) and not data.queries


def test_an_admin_plans_any_center() -> None:
    rows = {r[0]: r for r in rows_of(view(ADMIN, "SEOUL120"), "staffing-table")}
    assert (
        rows["10:00"][1] == "15.0" and rows["10:30"][1] == "10.0" and rows["10:00"][5] == "—"
    )  # 40 calls at 10:00-10:39


def upload(text_: str, bom: bool = True) -> str:
    raw = text_.encode("utf-8-sig" if bom else "utf-8")
    return "data:text/csv;base64," + base64.b64encode(raw).decode()


def test_a_schedule_csv_is_imported_for_the_viewers_center() -> None:
    staffing = FakeStaffing()
    body = "날짜,시작시각,상담사수,간격(분)\n2026-04-21,09:00,4,15\n2026-04-21,10:00,7,60\n"
    assert (
        upload_view(SUP, staffing, "", upload(body), "plan.csv") == "ACRC110의 배치 계획 5개 구간(15분)을 저장했습니다."
    )
    assert staffing.imports == [("ACRC110", 5, "sup")]
    assert {at.astimezone(SEOUL).strftime("%H:%M"): n for (_, at), n in staffing.rows.items()} == {
        "09:00": 4,
        "10:00": 7,
        "10:15": 7,
        "10:30": 7,
        "10:45": 7,
    }
    parts = staffing_view(SUP, history(), staffing, CALENDAR, "", DAY.isoformat(), 80, 20)
    assert {r[0]: r[5] for r in rows_of(parts, "staffing-table")}["10:30"] == "7", "the plan shows what was imported"


def test_a_bad_schedule_is_refused_whole_with_korean_reasons_and_row_numbers() -> None:
    staffing = FakeStaffing()
    body = "날짜,시작시각,상담사수\n2026-04-21,09:00,4\n2026-04-21,09:10,4\n21/04/2026,10:00,3\n2026-04-21,11:00,-1\n"
    message = upload_view(SUP, staffing, "ACRC110", upload(body, bom=False), "plan.csv")
    assert message.startswith("plan.csv: ") and "3행" in message and "4행" in message and "5행" in message
    assert "15분 단위" in message and "YYYY-MM-DD" in message and "2행" not in message
    assert not staffing.imports, "nothing of a file with an error is imported"
    assert "권한 밖의 콜센터입니다" in upload_view(SUP, staffing, "SEOUL120", upload(body), "plan.csv")
    assert upload_view(SUP, staffing, "ACRC110", "data:text/csv;base64,@@@", "x.csv").startswith("파일을 읽을 수 없")
    assert "UTF-8" in upload_view(SUP, staffing, "ACRC110", upload_raw("날짜".encode("euc-kr")), "x.csv")
    assert upload_view(SUP, staffing, "ACRC110", None, None) == "CSV 파일을 고르세요."
    assert not staffing.imports


def upload_raw(raw: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(raw).decode()


def test_the_template_downloads_with_a_bom_and_imports_as_it_is() -> None:
    download = template_download()
    raw = base64.b64decode(download["content"])
    assert download["filename"] == "sori-schedule-template.csv" and raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8-sig").splitlines()[0] == "날짜,시작시각,상담사수,간격(분)"
    staffing = FakeStaffing()
    assert "저장했습니다" in upload_view(SUP, staffing, "ACRC110", upload_raw(raw), "template.csv")
