"""The charts and tables of a trend report, built once from ``ReportData``: the HTML report (``sori report``)
and the analyst dashboard both draw these, so the two never show different numbers.

Charts are plotly figures; tables are (headers, rows) of display strings. Texts come from the index, where
they are already PII-masked; whoever renders them escapes them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analytics.trends.continuity import ContinuityMetrics
from analytics.trends.report import ReportData

if TYPE_CHECKING:
    import plotly.graph_objects as go

LABELS = {
    "channel": "채널", "category": "분야", "center": "콜센터", "agency": "담당 기관", "region": "지역",
    "age_band": "연령대", "sex": "성별",
}  # fmt: skip
VALUES = {"text": "문자 민원(신문고)", "phone": "전화 상담", "male": "남성", "female": "여성"}
CALLBACK_STATUS = {"pending": "대기", "dialing": "발신 중", "done": "완료", "failed": "실패", "cancelled": "취소"}
BREAKDOWN_BARS = 15


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    multiline: tuple[int, ...] = ()  # columns whose cell holds several lines (joined with "\n")


def _styled(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(title=title, margin={"l": 40, "r": 20, "t": 40, "b": 40}, height=320,
                      font={"family": "sans-serif"})  # fmt: skip
    return fig


def volume_charts(report: ReportData) -> list[go.Figure]:
    """Documents per day (line) and per week (bars)."""
    import plotly.graph_objects as go  # deferred: heavy (plotly)

    days, weeks = report.by_day, report.by_week
    daily = go.Figure(go.Scatter(x=[d for d, _ in days], y=[n for _, n in days], mode="lines", name="일별"))
    weekly = go.Figure(go.Bar(x=[d for d, _ in weeks], y=[n for _, n in weeks]))
    for fig in (daily, weekly):
        fig.update_xaxes(tickformat="%Y-%m-%d")
    return [_styled(daily, "일별 민원·상담 건수"), _styled(weekly, "주별 건수 (월요일 시작)")]


def monthly_table(report: ReportData) -> Table:
    return Table(["월", "건수"], [[d.strftime("%Y-%m"), f"{n:,}"] for d, n in report.by_month])


def breakdown_charts(report: ReportData) -> list[go.Figure]:
    """One bar chart per facet that has values (channel, category, center, agency, region, age band, sex)."""
    import plotly.graph_objects as go  # deferred: heavy (plotly)

    charts = []
    for name, rows in report.breakdowns.items():
        if not rows:
            continue
        top = rows[:BREAKDOWN_BARS]
        fig = go.Figure(go.Bar(x=[VALUES.get(v, v) for v, _ in top], y=[n for _, n in top]))
        charts.append(_styled(fig, f"{LABELS[name]}별 건수"))
    return charts


def channel_counts(report: ReportData) -> dict[str, int]:
    return {VALUES.get(v, v): n for v, n in report.breakdowns.get("channel", [])}


def surge_table(report: ReportData) -> Table:
    rows = [
        [k.surge.token, f"{k.surge.z:.1f}", f"{k.surge.docs:,}", f"{k.surge.share:.1%}",
         f"{k.surge.baseline_share:.1%}", "신규" if math.isinf(k.surge.ratio) else f"{k.surge.ratio:.1f}배",
         "\n".join(title for _, title in k.examples)]
        for k in report.surges
    ]  # fmt: skip
    return Table(["키워드", "z", "문서 수", "비율", "기준 비율", "증가", "해당 문서(마스킹)"], rows, multiline=(6,))


def topic_map(report: ReportData) -> go.Figure | None:
    """The topics as a treemap (토픽맵): one tile per topic, its area the documents it holds, labelled by its
    first keywords; None without topics."""
    import plotly.graph_objects as go  # deferred: heavy (plotly)

    if not report.topics:
        return None
    labels = [f"{n}. {' · '.join(t.keywords[:3])}" for n, t in enumerate(report.topics, start=1)]
    hover = [", ".join(t.keywords) for t in report.topics]
    fig = go.Figure(go.Treemap(labels=labels, parents=[""] * len(labels), values=[t.size for t in report.topics],
                               customdata=hover, textinfo="label+value",
                               hovertemplate="%{label}<br>%{value:,}건<br>%{customdata}<extra></extra>"))  # fmt: skip
    return _styled(fig, "토픽맵 (면적: 문서 수)")


def topic_table(report: ReportData) -> Table:
    rows = [[f"{n}", f"{t.size:,}", ", ".join(t.keywords), "\n".join(t.examples)]
            for n, t in enumerate(report.topics, start=1)]  # fmt: skip
    return Table(["#", "문서 수", "주요 키워드", "대표 문서(마스킹)"], rows, multiline=(3,))


def seasonal_table(report: ReportData, limit: int = 20) -> Table | None:
    """This period against the same dates of earlier years, by category; None when no earlier year has data."""
    if not any(row.earlier for row in report.seasonal):
        return None
    years = sorted({y for row in report.seasonal for y in row.earlier}, reverse=True)
    rows = [[r.category, f"{r.now:,}", *[f"{r.earlier.get(y, 0):,}" for y in years],
             "" if r.change is None else f"{r.change:+.0%}"] for r in report.seasonal[:limit]]  # fmt: skip
    return Table(["분야", "올해", *[f"{y}년" for y in years], "변화"], rows)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


@dataclass(frozen=True)
class ContinuityTables:
    summary: Table
    chains: Table
    transfers: Table | None  # None: no hand-off in the period
    callbacks: Table


def continuity_tables(m: ContinuityMetrics) -> ContinuityTables:
    summary = Table(["지표", "값"], [
        ["전화 상담", f"{m.contacts:,}건 (시민 {m.citizens:,}명)"],
        ["반복 상담 (7일 이내)", f"{m.repeat_contacts:,}건 · {_percent(m.repeat_rate)}"],
        ["최초 상담 해결률 (FCR)", f"{m.first_contact_resolved:,} / {m.cases_opened:,}건 · {_percent(m.fcr_rate)}"],
        ["콜백 완료율", f"{_percent(m.callback_completion)} ({sum(m.callbacks.values()):,}건 예약)"],
    ])  # fmt: skip
    chains = Table(["이관 횟수", *m.chains], [["사례 수", *[f"{n:,}" for n in m.chains.values()]]])
    transfers = Table(["이관한 센터", "받은 센터", "건수"], [[f, t, f"{n:,}"] for f, t, n in m.transfers]) \
        if m.transfers else None  # fmt: skip
    callbacks = Table(["콜백 상태", "건수"],
                      [[CALLBACK_STATUS.get(s, s), f"{n:,}"] for s, n in sorted(m.callbacks.items())])  # fmt: skip
    return ContinuityTables(summary, chains, transfers, callbacks)


def scope_text(report: ReportData) -> str:
    return ", ".join(f"{LABELS.get(k, k)}={VALUES.get(v, v)}" for k, v in report.equals.items()) or "전체"


METHOD_NOTES = (
    "자료: 국민신문고 문자 민원과 콜센터 전화 상담(녹취 전사와 상담 메모)을 한 색인에서 함께 셉니다. "
    "날짜는 한국 시간 기준입니다.",
    "개인정보: 전화번호, 주민등록번호, 이메일, 카드·계좌번호, 이름, 상세 주소는 색인 전에 가립니다.",
    "형태소: Kiwi(kiwipiepy)로 명사, 동사·형용사 어간, 어근, 외국어를 남기고 불용어를 뺍니다.",
    "급증 키워드: 마지막 날 문서 중 그 낱말이 나온 비율을 앞선 28일의 비율과 비교한 z 점수 "
    "(z = (p − m) / √(s² + m(1−m)/n)); 문서 3건 이상, z 3 이상, 비율 2배 이상인 낱말입니다.",
    "주제: 형태소 TF-IDF에 NMF를 적용하고, 문서는 가장 강한 주제에 배정합니다.",
    "민원예보: 같은 날짜 범위의 이전 연도 건수를 분야별로 비교합니다.",
    "상담 연속성: 반복 상담은 같은 시민이 7일 안에 (어느 센터든) 다시 연락한 전화 상담이고, 비율은 시민이 "
    "확인된 상담 중의 비율입니다. 최초 상담 해결은 기간 중 열린 사례 가운데 상담 1건으로 해결·종결되고 이관되지 "
    "않은 사례입니다. 이관 단계는 기간 중 상담이 있었던 사례의 이관 횟수이고, 콜백은 기간 중 예약된 콜백의 현재 "
    "상태입니다.",
)
