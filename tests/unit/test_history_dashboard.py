"""The supervisors' history page without a network: its callbacks as plain functions over an honest in-memory
history (sums of the tallies of a list of calls), the measures checked against hand-computed figures, the
exports read back (CSV parsed, xlsx opened with openpyxl), and the scope rule — including a forged callback
POSTed through the Flask app's gate."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
from typing import Any

import openpyxl
import plotly.utils
import pytest
from flask.testing import FlaskClient

from dashboard.history import build_history_app, export_view, history_view
from dashboard.history import layout as history_layout
from dashboard.server import COOKIE, build_server
from dashboard.staffing import layout as staffing_layout
from dashboard.supervisor_filters import Filters
from dashboard.supervisor_ports import SUPERVISOR_ROLES, Continuity, Granularity, GroupBy
from kernel.accounts import Viewer
from kernel.calendar import SEOUL
from tests.support.supervisor_fakes import FakeHistory, Segment, call

SUP = Viewer(3, "sup", "수퍼바이저", "supervisor", "ACRC110")
ADMIN = Viewer(7, "root", "관리자", "admin", "ACRC110")
AGENT = Viewer(1, "kim", "상담사", "agent", "ACRC110")
DAY = dt.date(2026, 3, 10)


def at(hour: int, minute: int, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SEOUL)


def history() -> FakeHistory:
    calls = [
        call("ACRC110", at(9, 5), wait=10, talk=300, wrapup=60, agent=1),
        call("ACRC110", at(9, 10), wait=30, talk=200, hold=20, wrapup=40, agent=2, transferred=True),
        call("ACRC110", at(9, 20), wait=40, abandoned=True, call_id="a1"),
        call("ACRC110", at(9, 25), wait=3, abandoned=True, call_id="a2"),
        call("SEOUL120", at(9, 0), wait=5, talk=100, wrapup=10, agent=3),
        call("SEOUL120", at(9, 7), wait=50, abandoned=True, call_id="s1"),
    ]
    segments = [
        Segment("kim", "ACRC110", at(9, 0), "ready", 600), Segment("kim", "ACRC110", at(9, 0), "on-call", 600),
        Segment("lee", "ACRC110", at(9, 0), "not-ready", 300, "lunch"),
        Segment("park", "SEOUL120", at(9, 0), "on-call", 900),
    ]  # fmt: skip
    return FakeHistory(calls, {1: "kim", 2: "lee", 3: "park"}, segments,
                       masked={"a1": "010-****-5678", "s1": "010-****-9999"},
                       continuity_by_center={"ACRC110": Continuity(0.125, 0.75)})  # fmt: skip


def walk(node: Any) -> Any:
    """Every Dash component under ``node`` (itself included)."""
    if isinstance(node, list | tuple):
        for child in node:
            yield from walk(child)
        return
    if hasattr(node, "to_plotly_json"):
        yield node
        yield from walk(getattr(node, "children", None))


def rows_of(parts: list[Any], table_id: str) -> list[list[str]]:
    table = next(n for n in walk(parts) if getattr(n, "id", None) == table_id)
    return [[str(td.children) for td in tr.children] for tr in table.children[1].children]


def headers_of(parts: list[Any], table_id: str) -> list[str]:
    table = next(n for n in walk(parts) if getattr(n, "id", None) == table_id)
    return [str(th.children) for th in table.children[0].children.children]


def text(parts: list[Any]) -> str:
    return json.dumps(parts, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)


def filters(**changes: Any) -> Filters:
    base: dict[str, Any] = {"start": DAY.isoformat(), "end": DAY.isoformat(), "granularity": "day",
                            "group_by": "center", "centers": [], "threshold": 20}  # fmt: skip
    return Filters(**(base | changes))


def test_a_supervisor_reads_their_centers_day_with_every_measure_as_computed_by_hand() -> None:
    data = history()
    parts = history_view(SUP, data, filters())
    head = headers_of(parts, "history-table")
    assert head[:5] == ["기간", "구분", "인입", "응대", "포기"] and head[-1] == "이석: 점심"
    rows = rows_of(parts, "history-table")
    assert [r[1] for r in rows] == ["국민콜110", ""], "own center only, then the total"
    assert rows[0] == [
        "2026-03-10", "국민콜110", "4", "2", "2",
        "50.0%", "25.0%", "33.3%",  # within 20 s: 1 of 2 answered, of 4 offered, of 3 less the short abandon
        "0:20", "5:10", "33.3%",  # ASA (10+30)/2, AHT (360+260)/2, 1 long abandon of 3
        "8:20", "0:20", "1:40", "50.0%", "50.0%", "5:00",  # talk, hold, wrap-up; occupancy 600/1200; 1 of 2 moved
    ]  # fmt: skip
    assert rows[1][2:] == rows[0][2:], "the total of one row is that row"
    assert "재문의율 12.5% · 첫 통화 해결률(FCR) 75.0%" in text(parts)
    abandoned = rows_of(parts, "abandoned-table")
    assert [r[:4] for r in abandoned] == [
        ["2026-03-10 09:25:00", "발신번호 없음", "3", "ACRC110/general"],
        ["2026-03-10 09:20:00", "010-****-5678", "40", "ACRC110/general"],
    ]
    assert "010-****-9999" not in text(parts) and "다산콜센터" not in text(parts)
    assert all(scope.centers == frozenset({"ACRC110"}) for _, scope in data.queries)


def test_the_threshold_and_granularity_change_the_service_level_and_the_periods() -> None:
    rows = rows_of(history_view(SUP, history(), filters(threshold=30, granularity="15m", group_by="queue")),
                   "history-table")  # fmt: skip
    assert [r[:2] for r in rows] == [
        ["2026-03-10 09:00", "국민콜110 general"], ["2026-03-10 09:15", "국민콜110 general"], ["합계", ""],
    ]  # fmt: skip
    assert rows[0][5:8] == ["100.0%", "100.0%", "100.0%"], "both answered within 30 s, no abandon in 09:00"
    assert rows[1][5:8] == ["—", "0.0%", "0.0%"], "09:15 has abandons only: nothing answered to measure"
    assert rows[0][14] == "—", "queues have no agent state time: no occupancy"


def test_an_admin_sees_every_center_or_the_ones_chosen_and_groups_by_agent_or_institution() -> None:
    rows = rows_of(history_view(ADMIN, history(), filters()), "history-table")
    assert [r[1] for r in rows] == ["국민콜110", "다산콜센터", ""]
    assert rows[-1][2:5] == ["6", "3", "3"]
    chosen = rows_of(history_view(ADMIN, history(), filters(centers=["SEOUL120"], group_by="group")), "history-table")
    assert [r[1] for r in chosen] == ["서울특별시", ""] and chosen[0][2:5] == ["2", "1", "1"]
    agents = rows_of(history_view(ADMIN, history(), filters(group_by="agent", agent="kim")), "history-table")
    assert [r[1] for r in agents] == ["상담사 kim", ""] and agents[0][2:4] == ["1", "1"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"centers": ["SEOUL120"]}, "권한 밖의 콜센터입니다: SEOUL120"),
        ({"centers": ["ACRC110", "NTS126"]}, "권한 밖의 콜센터입니다: NTS126"),
        ({"centers": "SEOUL120"}, "권한 밖의 콜센터입니다"),
        ({"centers": {"x": 1}}, "콜센터 선택이 올바르지 않습니다."),
        ({"granularity": "15m", "start": "2026-02-01", "end": "2026-03-10"}, "15분 단위는 최대 31일까지"),
        ({"granularity": "day", "start": "2024-01-01", "end": "2026-03-10"}, "일 단위는 최대 366일까지"),
        ({"granularity": "hour"}, "집계 단위와 구분을 목록에서 고르세요."),
        ({"threshold": 25}, "10, 15, 20, 30, 45, 60, 90, 120초 중 하나"),
        ({"start": "2026-03-11"}, "종료일이 시작일보다 앞섭니다."),
        ({"end": "어제"}, "종료일을 YYYY-MM-DD"),
        ({"agent": "x" * 65}, "상담사 값이 올바르지 않습니다."),
    ],
)
def test_forged_or_bad_filters_get_a_korean_refusal_and_no_rows(changes: dict[str, Any], message: str) -> None:
    data = history()
    parts = history_view(SUP, data, filters(**changes))
    assert message in text(parts) and not data.queries, "refused before the data is asked"
    assert not [n for n in walk(parts) if getattr(n, "id", None) == "history-table"]


def test_the_abandoned_calls_export_as_csv_with_a_bom_and_as_xlsx_with_korean_headers() -> None:
    download, message = export_view(ADMIN, history(), filters(), "csv")
    assert message == "" and download is not None and download["filename"] == "sori-abandoned-20260310-20260310.csv"
    raw = base64.b64decode(download["content"])
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM: Excel reads the Korean headers"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [["시각", "전화번호(마스킹)", "대기 시간(초)", "대기열", "콜백 요청"],
                    ["2026-03-10 09:25:00", "발신번호 없음", "3", "ACRC110/general", ""],
                    ["2026-03-10 09:20:00", "010-****-5678", "40", "ACRC110/general", ""],
                    ["2026-03-10 09:07:00", "010-****-9999", "50", "SEOUL120/general", ""]]  # fmt: skip

    download, _ = export_view(SUP, history(), filters(), "xlsx")
    assert download is not None and download["filename"].endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(download["content"]))).active
    assert sheet is not None and sheet.title == "포기호"
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == ["시각", "전화번호(마스킹)", "대기 시간(초)", "대기열", "콜백 요청"]
    assert values[1:] == [
        [dt.datetime(2026, 3, 10, 9, 25), "발신번호 없음", 3, "ACRC110/general", None],
        [dt.datetime(2026, 3, 10, 9, 20), "010-****-5678", 40, "ACRC110/general", None],
    ]


def test_a_forged_export_of_another_center_is_refused() -> None:
    data = history()
    download, message = export_view(SUP, data, filters(centers=["SEOUL120"]), "csv")
    assert download is None and "권한 밖의 콜센터입니다" in message and not data.queries
    assert export_view(SUP, data, filters(), "pdf") == (None, "내려받기 형식은 CSV 또는 Excel입니다.")


class Sessions:
    def __init__(self) -> None:
        self.tokens = {"t-sup": SUP, "t-kim": AGENT, "t-root": ADMIN}

    def log_in(self, login: str, password: str, remote: str) -> tuple[str, dt.datetime]:
        raise AssertionError("not used")

    def viewer(self, token: str) -> Viewer | None:
        return self.tokens.get(token)

    def log_out(self, token: str) -> None:
        self.tokens.pop(token, None)


def post_report(client: FlaskClient, token: str, centers: Any) -> tuple[int, str]:
    client.set_cookie(COOKIE, token)
    state = [("start", "value", DAY.isoformat()), ("end", "value", DAY.isoformat()),
             ("granularity", "data", "day"), ("group-by", "data", "center"), ("centers", "value", centers),
             ("skill", "value", None), ("agent", "value", None), ("threshold", "data", 20)]  # fmt: skip
    body = {"output": "history-report.children", "outputs": {"id": "history-report", "property": "children"},
            "inputs": [{"id": "run", "property": "n_clicks", "value": 1}], "changedPropIds": ["run.n_clicks"],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state]}  # fmt: skip
    reply = client.post("/history/_dash-update-component", json=body)
    return reply.status_code, json.dumps(reply.json, ensure_ascii=False)


def test_a_forged_callback_through_the_gate_never_shows_another_center() -> None:
    server = build_server(Sessions(), {"/history/": SUPERVISOR_ROLES}, home="/history/")
    data = history()
    build_history_app(server, data, mount="", today=lambda: DAY)
    client = server.test_client()
    status, own = post_report(client, "t-sup", ["ACRC110"])
    assert status == 200 and "국민콜110" in own and "다산콜센터" not in own
    status, forged = post_report(client, "t-sup", ["SEOUL120"])
    assert status == 200 and "권한 밖의 콜센터입니다: SEOUL120" in forged
    assert "다산콜센터" not in forged and "010-****-9999" not in forged
    status, refused = post_report(client, "t-kim", ["ACRC110"])
    assert status == 403 and "forbidden" in refused, "agents may not call it at all"
    status, admin = post_report(client, "t-root", ["SEOUL120"])
    assert status == 200 and "다산콜센터" in admin
    assert Granularity.DAY in {q.granularity for q, _ in data.queries} and GroupBy.CENTER in {
        q.group_by for q, _ in data.queries
    }


def test_a_table_too_large_for_the_browser_is_refused_with_a_hint_but_the_chart_is_drawn() -> None:
    first = dt.datetime.combine(dt.date(2026, 3, 1), dt.time(), tzinfo=SEOUL)
    calls = [call("ACRC110", first + dt.timedelta(minutes=15 * n), wait=5, call_id=f"c{n}") for n in range(21 * 96)]
    parts = history_view(SUP, FakeHistory(calls), filters(start="2026-03-01", end="2026-03-21", granularity="15m"))
    assert "표가 2,017행으로 너무 큽니다 (최대 2,000행)" in text(parts)
    assert any(getattr(n, "id", None) == "history-chart" for n in walk(parts))
    assert not any(getattr(n, "id", None) == "history-table" for n in walk(parts))


def test_the_pages_first_threshold_is_the_configured_one() -> None:
    parts = history_layout(SUP, history(), "", DAY, threshold_s=30)
    store = next(n for n in walk(parts) if getattr(n, "id", None) == "threshold")
    pressed = [n.children for n in walk(parts)
               if isinstance(getattr(n, "id", None), dict) and n.id.get("type") == "threshold"
               and getattr(n, "aria-pressed", None) == "true"]  # fmt: skip
    assert store.data == 30 and pressed == ["30초"]
    plan = staffing_layout(SUP, history(), "", DAY, threshold_s=30)
    assert next(n for n in walk(plan) if getattr(n, "id", None) == "threshold").value == 30
    server = build_server(Sessions(), {"/history/": SUPERVISOR_ROLES}, home="/history/")
    with pytest.raises(ValueError, match="wait buckets"):
        build_history_app(server, history(), mount="", today=lambda: DAY, threshold_s=25)
