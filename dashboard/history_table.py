"""The history page's numbers as text: one row per period and key with every measure read from its tallies
through ``telephony.acd.kpi`` (never a formula of our own), the chart of the period, and the abandoned-call
list. Pure: the page (``dashboard.history``) and the exports (``dashboard.history_export``) draw these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from crm.door.tally import CallTally, StateTally
from dashboard.supervisor_ports import AbandonedCall, Continuity, Granularity, HistoryRow
from kernel.calendar import SEOUL
from telephony.acd import kpi

SL_NAMES = {
    kpi.SlVariant.ANSWERED_ONLY: "응대 기준",
    kpi.SlVariant.ABANDONS_AGAINST: "포기 포함",
    kpi.SlVariant.SHORT_ABANDONS_EXCLUDED: "짧은 포기 제외",
}
#: The not-ready reason codes (``crm.calls.model.REASON_CODES``) as supervisors read them.
PAUSE_NAMES = {
    "login": "로그인 직후", "break": "휴식", "meal": "식사", "lunch": "점심", "training": "교육", "meeting": "회의",
    "coaching": "코칭", "after-call": "후처리 연장", "outbound": "발신 업무", "system": "시스템", "no-answer": "무응답",
    "dial-failed": "발신 실패", "restart": "재시작", "other": "기타", "none": "사유 없음",
}  # fmt: skip
NO_VALUE = "—"


@dataclass(frozen=True)
class Grid:
    headers: list[str]
    rows: list[list[str]]


def pause_name(code: str) -> str:
    if code.startswith("sip-"):
        return f"전화기 오류({code[4:]})"
    return PAUSE_NAMES.get(code, code)


def percent(value: float | None) -> str:
    return NO_VALUE if value is None else f"{value * 100:.1f}%"


def duration(seconds: float | None) -> str:
    """``m:ss`` under an hour, ``h:mm:ss`` from an hour."""
    if seconds is None:
        return NO_VALUE
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def period_label(start: dt.datetime, granularity: Granularity) -> str:
    local = start.astimezone(SEOUL)
    if granularity in (Granularity.MIN15, Granularity.MIN30, Granularity.MIN60):
        return f"{local:%Y-%m-%d %H:%M}"
    if granularity is Granularity.WEEK:
        return f"{local:%Y-%m-%d} 주"
    if granularity is Granularity.MONTH:
        return f"{local:%Y-%m}"
    return f"{local:%Y-%m-%d}"


def pause_reasons(rows: Sequence[HistoryRow]) -> list[str]:
    """Every not-ready reason with time in the rows, in code order (one column each)."""
    return sorted({code for row in rows for code, seconds in row.states.pause_seconds if seconds > 0})


def measures(calls: CallTally, states: StateTally, threshold_s: int, reasons: Sequence[str]) -> list[str]:
    """One row's cells after its period and key, in ``HEADERS`` order (then one per pause reason)."""
    pauses = dict(states.pause_seconds)
    return [
        f"{calls.offered:,}", f"{calls.answered:,}", f"{calls.abandoned:,}",
        *(percent(kpi.tally_service_level(calls, threshold_s, variant)) for variant in SL_NAMES),
        duration(kpi.tally_asa(calls)), duration(kpi.tally_aht(calls)), percent(kpi.tally_abandonment_rate(calls)),
        duration(calls.talk_s), duration(calls.hold_s), duration(calls.wrapup_s),
        percent(kpi.tally_occupancy(states)), percent(kpi.tally_transfer_rate(calls)),
        *(duration(pauses.get(code, 0.0)) for code in reasons),
    ]  # fmt: skip


def headers(threshold_s: int, reasons: Sequence[str]) -> list[str]:
    return [
        "기간", "구분", "인입", "응대", "포기",
        *(f"서비스 레벨 {threshold_s}초 ({name})" for name in SL_NAMES.values()),
        "평균 응답 시간(ASA)", "평균 처리 시간(AHT)", "포기율(짧은 포기 제외)", "통화 시간", "보류 시간", "후처리 시간",
        "점유율", "호전환율", *(f"이석: {pause_name(code)}" for code in reasons),
    ]  # fmt: skip


def history_grid(rows: Sequence[HistoryRow], granularity: Granularity, threshold_s: int) -> Grid:
    """The table: one line per period and key, then the whole selection's total."""
    reasons = pause_reasons(rows)
    lines = [[period_label(r.period_start, granularity), r.label, *measures(r.calls, r.states, threshold_s, reasons)]
             for r in rows]  # fmt: skip
    if rows:
        calls, states = total(rows)
        lines.append(["합계", "", *measures(calls, states, threshold_s, reasons)])
    return Grid(headers(threshold_s, reasons), lines)


def total(rows: Sequence[HistoryRow]) -> tuple[CallTally, StateTally]:
    calls, states = CallTally(), StateTally()
    for row in rows:
        calls, states = calls + row.calls, states + row.states
    return calls, states


def per_period(rows: Sequence[HistoryRow]) -> list[tuple[dt.datetime, CallTally]]:
    """The rows' call tallies summed per period (every key together), in time order."""
    sums: dict[dt.datetime, CallTally] = {}
    for row in rows:
        sums[row.period_start] = sums.get(row.period_start, CallTally()) + row.calls
    return sorted(sums.items())


def history_figure(rows: Sequence[HistoryRow], granularity: Granularity, threshold_s: int) -> Any:
    """Offered, answered and abandoned calls per period (bars) and the service level (short abandons excluded,
    a line on the right-hand axis)."""
    periods = per_period(rows)
    x = [period_label(start, granularity) for start, _ in periods]
    fig = go.Figure()
    for name, values, colour in (
        ("인입", [t.offered for _, t in periods], "#2b5797"),
        ("응대", [t.answered for _, t in periods], "#3a8f4b"),
        ("포기", [t.abandoned for _, t in periods], "#b00020"),
    ):
        fig.add_bar(name=name, x=x, y=values, marker_color=colour)
    sl = [kpi.tally_service_level(t, threshold_s, kpi.SlVariant.SHORT_ABANDONS_EXCLUDED) for _, t in periods]
    fig.add_scatter(name=f"서비스 레벨 {threshold_s}초", x=x, y=[None if v is None else v * 100 for v in sl],
                    yaxis="y2", mode="lines+markers", line={"color": "#e07b00"})  # fmt: skip
    fig.update_layout(
        barmode="group", height=380, margin={"l": 50, "r": 50, "t": 30, "b": 60},
        legend={"orientation": "h", "y": 1.12}, xaxis={"type": "category"}, yaxis={"title": "호 수"},
        yaxis2={"title": "서비스 레벨 (%)", "overlaying": "y", "side": "right", "range": [0, 100],
                 "dtick": 20, "showgrid": False},
    )  # fmt: skip
    return fig


def continuity_text(continuity: Continuity) -> str:
    return (f"재문의율 {percent(continuity.repeat_contact_rate)} · "
            f"첫 통화 해결률(FCR) {percent(continuity.first_contact_resolution)}")  # fmt: skip


ABANDONED_HEADERS = ["시각", "전화번호(마스킹)", "대기 시간(초)", "대기열", "콜백 요청"]


def abandoned_rows(calls: Sequence[AbandonedCall]) -> list[list[str]]:
    """The abandoned-call list as the page and both exports show it (Seoul time, masked number only)."""
    return [
        [f"{c.enqueued_at.astimezone(SEOUL):%Y-%m-%d %H:%M:%S}", c.caller_masked or "발신번호 없음", f"{c.wait_s:.0f}",
         f"{c.center}/{c.skill}", "예" if c.callback_requested else ""]
        for c in calls
    ]  # fmt: skip
