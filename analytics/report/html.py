"""Render a trend report (``analytics.trends.report.ReportData``) as one self-contained Korean HTML file.

The charts and tables are ``analytics.report.figures``'s (the analyst dashboard draws the same). plotly.js
is inlined once, so the file opens anywhere without a network. Every text shown comes from the index, where
it is already PII-masked; it is escaped here all the same.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING

from analytics.report import figures as f
from analytics.trends.report import ReportData

if TYPE_CHECKING:
    import plotly.graph_objects as go


def render(report: ReportData, generated_at: dt.datetime) -> str:
    from plotly.offline import get_plotlyjs  # deferred: heavy (plotly)

    def chart(fig: go.Figure) -> str:
        return str(fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False}))

    volumes = "".join(chart(c) for c in f.volume_charts(report)) + _table(f.monthly_table(report))
    sections = [_section("건수 추이", volumes)]
    breakdowns = "".join(chart(c) for c in f.breakdown_charts(report))
    sections.append(_section("분류별 건수", breakdowns or "<p>자료 없음</p>"))
    surges = f.surge_table(report)
    sections.append(_section(f"급증 키워드 · 오늘의 이슈 ({report.surge_day:%Y-%m-%d})",
                             _table(surges) if surges.rows else "<p>급증한 키워드가 없습니다.</p>"))  # fmt: skip
    topics, topic_map = f.topic_table(report), f.topic_map(report)
    sections.append(_section("주제 (토픽)", (chart(topic_map) if topic_map else "") + _table(topics) if topics.rows
                             else "<p>주제를 찾을 만큼 문서가 많지 않습니다.</p>"))  # fmt: skip
    seasonal = f.seasonal_table(report)
    if seasonal is not None:
        sections.append(_section("민원예보: 지난해 같은 기간과 비교", _table(seasonal)))
    else:
        sections.append(_section("민원예보", "<p>비교할 이전 연도 자료가 없습니다.</p>"))
    if report.continuity is not None:
        c = f.continuity_tables(report.continuity)
        transfers = _table(c.transfers) if c.transfers is not None else "<p>기간 중 이관이 없습니다.</p>"
        sections.append(_section("상담 연속성 (전화 상담, 사례 저장소)", _table(c.summary) + "<h3>이관 단계</h3>"
                                 + _table(c.chains) + "<h3>주요 이관 경로</h3>" + transfers + "<h3>콜백</h3>"
                                 + _table(c.callbacks)))  # fmt: skip
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in f.METHOD_NOTES)
    sections.append(_section("방법", f"<ul>{notes}</ul>"))
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
<p class="meta">범위: {html.escape(f.scope_text(report))} · 전체 {report.total:,}건 ·
작성 {generated_at:%Y-%m-%d %H:%M} · 개인정보는 색인 전에 가려졌습니다.</p>
{"".join(sections)}
</body></html>
"""


def _section(title: str, body: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{body}</section>\n"


def _table(table: f.Table) -> str:
    def cell(n: int, text: str) -> str:
        if n in table.multiline:
            return "<br>".join(html.escape(line) for line in text.split("\n"))
        return html.escape(text)

    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(n, c)}</td>" for n, c in enumerate(row)) + "</tr>" for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
