"""Render a trend report (``analytics.trends.report.ReportData``) as one self-contained Korean HTML file.

plotly.js is inlined once, so the file opens anywhere without a network. Every text shown comes from the
index, where it is already PII-masked; it is escaped here all the same.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Sequence

from analytics.trends.continuity import ContinuityMetrics
from analytics.trends.report import ReportData

LABELS = {
    "channel": "채널", "category": "분야", "center": "콜센터", "agency": "담당 기관", "region": "지역",
    "age_band": "연령대", "sex": "성별",
}  # fmt: skip
VALUES = {"text": "문자 민원(신문고)", "phone": "전화 상담", "male": "남성", "female": "여성"}


def render(report: ReportData, generated_at: dt.datetime) -> str:
    import plotly.graph_objects as go
    from plotly.offline import get_plotlyjs

    def chart(fig: go.Figure) -> str:
        fig.update_layout(margin={"l": 40, "r": 20, "t": 40, "b": 40}, height=320, font={"family": "sans-serif"})
        return str(fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False}))

    sections = []
    days = report.by_day
    daily = go.Figure(go.Scatter(x=[d for d, _ in days], y=[n for _, n in days], mode="lines", name="일별"))
    daily.update_layout(title="일별 민원·상담 건수")
    weekly = go.Figure(go.Bar(x=[d for d, _ in report.by_week], y=[n for _, n in report.by_week]))
    weekly.update_layout(title="주별 건수 (월요일 시작)")
    sections.append(_section("건수 추이", chart(daily) + chart(weekly) + _table(
        ["월", "건수"], [[d.strftime("%Y-%m"), f"{n:,}"] for d, n in report.by_month])))  # fmt: skip

    parts = []
    for name, rows in report.breakdowns.items():
        if not rows:
            continue
        fig = go.Figure(go.Bar(x=[VALUES.get(v, v) for v, _ in rows[:15]], y=[n for _, n in rows[:15]]))
        fig.update_layout(title=f"{LABELS[name]}별 건수")
        parts.append(chart(fig))
    sections.append(_section("분류별 건수", "".join(parts) or "<p>자료 없음</p>"))

    surge_rows = [
        [html.escape(k.surge.token), f"{k.surge.z:.1f}", f"{k.surge.docs:,}", f"{k.surge.share:.1%}",
         f"{k.surge.baseline_share:.1%}", "신규" if math.isinf(k.surge.ratio) else f"{k.surge.ratio:.1f}배",
         "<br>".join(html.escape(title) for _, title in k.examples)]
        for k in report.surges
    ]  # fmt: skip
    sections.append(_section(
        f"급증 키워드 · 오늘의 이슈 ({report.surge_day:%Y-%m-%d})",
        _table(["키워드", "z", "문서 수", "비율", "기준 비율", "증가", "해당 문서(마스킹)"], surge_rows, raw=True)
        if surge_rows else "<p>급증한 키워드가 없습니다.</p>",
    ))  # fmt: skip

    topic_rows = [
        [f"{n}", f"{t.size:,}", html.escape(", ".join(t.keywords)), "<br>".join(html.escape(e) for e in t.examples)]
        for n, t in enumerate(report.topics, start=1)
    ]
    topic_headers = ["#", "문서 수", "주요 키워드", "대표 문서(마스킹)"]
    sections.append(_section("주제 (토픽)", _table(topic_headers, topic_rows, raw=True)
                             if topic_rows else "<p>주제를 찾을 만큼 문서가 많지 않습니다.</p>"))  # fmt: skip

    if any(row.earlier for row in report.seasonal):
        years = sorted({y for row in report.seasonal for y in row.earlier}, reverse=True)
        seasonal_rows = [[r.category, f"{r.now:,}", *[f"{r.earlier.get(y, 0):,}" for y in years],
                 "" if r.change is None else f"{r.change:+.0%}"] for r in report.seasonal[:20]]  # fmt: skip
        headers = ["분야", "올해", *[f"{y}년" for y in years], "변화"]
        sections.append(_section("민원예보: 지난해 같은 기간과 비교", _table(headers, seasonal_rows)))
    else:
        sections.append(_section("민원예보", "<p>비교할 이전 연도 자료가 없습니다.</p>"))

    if report.continuity is not None:
        sections.append(_section("상담 연속성 (전화 상담, 사례 저장소)", _continuity(report.continuity)))
    sections.append(_section("방법", METHOD))
    scope = ", ".join(f"{LABELS.get(k, k)}={VALUES.get(v, v)}" for k, v in report.equals.items()) or "전체"
    title = f"민원 동향 보고서 {report.start:%Y-%m-%d} ~ {(report.end - dt.timedelta(days=1)):%Y-%m-%d}"
    return f"""<!DOCTYPE html>
<html lang="ko"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }}
table {{ border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }}
th, td {{ border: 1px solid #ccc; padding: 0.3rem 0.5rem; vertical-align: top; text-align: left; }}
th {{ background: #f0f3f7; }} h2 {{ border-bottom: 2px solid #2b5797; padding-bottom: 0.2rem; }}
.meta {{ color: #555; }}
</style>
<script>{get_plotlyjs()}</script></head>
<body>
<h1>{html.escape(title)}</h1>
<p class="meta">범위: {html.escape(scope)} · 전체 {report.total:,}건 · 작성 {generated_at:%Y-%m-%d %H:%M} ·
개인정보는 색인 전에 가려졌습니다.</p>
{"".join(sections)}
</body></html>
"""


METHOD = """<ul>
<li>자료: 국민신문고 문자 민원과 콜센터 전화 상담(녹취 전사와 상담 메모)을 한 색인에서 함께 셉니다.
날짜는 한국 시간 기준입니다.</li>
<li>개인정보: 전화번호, 주민등록번호, 이메일, 카드·계좌번호, 이름, 상세 주소는 색인 전에 가립니다.</li>
<li>형태소: Kiwi(kiwipiepy)로 명사, 동사·형용사 어간, 어근, 외국어를 남기고 불용어를 뺍니다.</li>
<li>급증 키워드: 마지막 날 문서 중 그 낱말이 나온 비율을 앞선 28일의 비율과 비교한 z 점수
(z = (p − m) / √(s² + m(1−m)/n)); 문서 3건 이상, z 3 이상, 비율 2배 이상인 낱말입니다.</li>
<li>주제: 형태소 TF-IDF에 NMF를 적용하고, 문서는 가장 강한 주제에 배정합니다.</li>
<li>민원예보: 같은 날짜 범위의 이전 연도 건수를 분야별로 비교합니다.</li>
<li>상담 연속성: 반복 상담은 같은 시민이 7일 안에 (어느 센터든) 다시 연락한 전화 상담이고, 비율은 시민이
확인된 상담 중의 비율입니다. 최초 상담 해결은 기간 중 열린 사례 가운데 상담 1건으로 해결·종결되고 이관되지
않은 사례입니다. 이관 단계는 기간 중 상담이 있었던 사례의 이관 횟수이고, 콜백은 기간 중 예약된 콜백의 현재
상태입니다.</li>
</ul>"""


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def _continuity(m: ContinuityMetrics) -> str:
    summary = _table(["지표", "값"], [
        ["전화 상담", f"{m.contacts:,}건 (시민 {m.citizens:,}명)"],
        ["반복 상담 (7일 이내)", f"{m.repeat_contacts:,}건 · {_percent(m.repeat_rate)}"],
        ["최초 상담 해결률 (FCR)", f"{m.first_contact_resolved:,} / {m.cases_opened:,}건 · {_percent(m.fcr_rate)}"],
        ["콜백 완료율", f"{_percent(m.callback_completion)} ({sum(m.callbacks.values()):,}건 예약)"],
    ])  # fmt: skip
    chains = _table(["이관 횟수", *m.chains], [["사례 수", *[f"{n:,}" for n in m.chains.values()]]])
    transfers = _table(["이관한 센터", "받은 센터", "건수"], [[f, t, f"{n:,}"] for f, t, n in m.transfers]) \
        if m.transfers else "<p>기간 중 이관이 없습니다.</p>"  # fmt: skip
    statuses = {"pending": "대기", "dialing": "발신 중", "done": "완료", "failed": "실패", "cancelled": "취소"}
    callbacks = _table(["콜백 상태", "건수"], [[statuses.get(s, s), f"{n:,}"] for s, n in sorted(m.callbacks.items())])
    return summary + "<h3>이관 단계</h3>" + chains + "<h3>주요 이관 경로</h3>" + transfers + "<h3>콜백</h3>" + callbacks


def _section(title: str, body: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{body}</section>\n"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], raw: bool = False) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell if raw else html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
